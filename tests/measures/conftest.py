"""A county like the demo's, built with factories: five districts, four partnerships, offence mappings."""

import datetime
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from measures.models import Measure, MeasureValue
from partnerships.models import AreaAlias, AreaCode
from tests import factories

DATA = Path(__file__).resolve().parent.parent / "data"
ACQUISITIVE_LINES = [
    "Burglary",
    "Robbery",
    "Vehicle offences",
    "Theft from the person",
    "Bicycle theft",
    "Shoplifting",
    "All other theft offences",
    "Vehicle crime",
    "Other theft",
]
NOT_USED = [
    "Total Recorded Crime",
    "Sexual offences",
    "Theft offences",
    "Drug offences",
    "Possession of weapons offences",
    "Public order offences",
    "Miscellaneous crimes against society",
    "Violence and sexual offences",
    "Public order",
    "Drugs",
    "Other crime",
    "Possession of weapons",
]


@pytest.fixture(autouse=True)
def private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def county(db):
    """Oxfordshire's districts with their ONS codes and spellings, the demo's four partnerships."""
    areas = {}
    for name, code in [
        ("Cherwell", "E07000177"),
        ("Oxford", "E07000178"),
        ("South Oxfordshire", "E07000179"),
        ("Vale of White Horse", "E07000180"),
        ("West Oxfordshire", "E07000181"),
    ]:
        areas[name] = factories.AreaFactory(name=name, slug=name.lower().replace(" ", "-"))
        AreaCode.objects.create(area=areas[name], code=code, kind=AreaCode.Kind.LOCAL_AUTHORITY)
    AreaCode.objects.create(area=areas["South Oxfordshire"], code="E22000312", kind=AreaCode.Kind.CSP)
    AreaAlias.objects.create(area=areas["Vale of White Horse"], name="Vale of the White Horse")
    partnerships = {}
    for name in ("Cherwell", "Oxford", "West Oxfordshire"):
        partnerships[name] = factories.PartnershipFactory(
            name=f"{name} CSP", slug=name.lower().replace(" ", "-")
        )
        factories.PartnershipAreaFactory(partnership=partnerships[name], area=areas[name])
    south_and_vale = factories.PartnershipFactory(name="South and Vale CSP", slug="south-and-vale")
    for name in ("South Oxfordshire", "Vale of White Horse"):
        factories.PartnershipAreaFactory(
            partnership=south_and_vale, area=areas[name], start=datetime.date(2011, 4, 1)
        )
    partnerships["South and Vale"] = south_and_vale
    acquisitive = factories.MeasureFactory(name="Acquisitive crime", slug="acquisitive-crime", order=1)
    violent = factories.MeasureFactory(name="Violent crime", slug="violent-crime", order=2)
    damage = factories.MeasureFactory(
        name="Criminal damage reported to the police", slug="criminal-damage", order=3
    )
    asb = factories.MeasureFactory(
        name="Anti-social behaviour incidents", slug="anti-social-behaviour", order=4
    )
    for label in ACQUISITIVE_LINES:
        factories.MeasureComponentFactory(measure=acquisitive, label=label)
    factories.MeasureComponentFactory(measure=violent, label="Violence against the person")
    factories.MeasureComponentFactory(measure=damage, label="Criminal damage and arson")
    factories.MeasureComponentFactory(measure=asb, label="Anti-social behaviour")
    for label in NOT_USED:
        factories.IgnoredLabelFactory(label=label)
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    return SimpleNamespace(
        areas=areas,
        partnerships=partnerships,
        acquisitive=acquisitive,
        violent=violent,
        damage=damage,
        asb=asb,
        admin=admin,
    )


def values(measure: Measure | None = None) -> dict:
    """Every stored value as {(measure slug, area name, period label): value}."""
    qs = MeasureValue.objects.select_related("measure", "area", "period")
    if measure is not None:
        qs = qs.filter(measure=measure)
    return {(v.measure.slug, v.area.name, v.period.label): v.value for v in qs}


def write_csv(tmp_path, name, text, encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_rows_csv(tmp_path, name, rows: list) -> Path:
    """Rows written as the csv module writes them."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return write_csv(tmp_path, name, buffer.getvalue())


def write_xlsx(tmp_path, name, sheets: dict) -> Path:
    """sheets: {sheet name: list of rows}."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def media_root():
    return Path(settings.MEDIA_ROOT)


def confirm(client, batch, data=None, **kwargs):
    """Press "Import these figures" on the batch's page as it stands: the page sends back the reading of
    the file it shows (``summary.preview``)."""
    batch.refresh_from_db()
    posted = {"preview": (batch.summary or {}).get("preview", ""), **(data or {})}
    return client.post(reverse("measures:import_apply", args=[batch.pk]), posted, **kwargs)
