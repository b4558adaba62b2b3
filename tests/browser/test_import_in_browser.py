"""An admin imports the real sample files through the Imports page in Chromium, and rolls one back."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from measures.models import ImportBatch, MeasureValue
from tests.browser.test_roles_in_browser import sign_in

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parent.parent / "data"
STREET = DATA / "2018-06-thames-valley-street-cut.csv"
WIDE = DATA / "csp-offences-12-months-wide.csv"


def upload(page, path):
    page.get_by_role("link", name="Imports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import performance figures")
    page.locator("input[type=file][name=file]").set_input_files(path)
    page.get_by_role("button", name="Read and preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(path.name)


def tile(page, name):
    """The number on one of the preview's tiles (Rows read, New values, ...)."""
    return page.locator(".card-body", has=page.get_by_text(name, exact=True)).locator(".fs-4")


def preview_row(page, measure, area):
    """The preview's new/changed/unchanged cells for one measure and area, as texts."""
    section = page.locator("section", has=page.locator("#values-title"))
    current = None
    for row in section.locator("tbody tr").all():
        if row.locator("th").count():  # a measure's first row carries its name (rowspan)
            current = row.locator("th").inner_text()
        cells = row.locator("td").all_inner_texts()
        if current == measure and cells[0] == area:
            return cells[1:]
    raise AssertionError(f"{area} is not under {measure} in the preview")


def latest_figure(page, site, measure_slug, kind, partnership):
    """The cell of the measure page's "Latest monthly and yearly figures" table for a kind and partnership."""
    page.goto(f"{site}/measures/{measure_slug}/")
    table = page.locator("section[aria-labelledby=other-periods] table")
    expect(table).to_be_visible()
    headers = table.locator("thead th").all_inner_texts()
    row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=kind, exact=True))
    return row.locator("td").nth(headers.index(partnership) - 1)


def test_admin_imports_street_crimes_sees_the_figure_then_rolls_it_back(page, site):
    sign_in(page, site, "admin")
    upload(page, STREET)

    # The preview: what was read, what would be new, what was skipped and why. Nothing written yet.
    expect(page.get_by_role("heading", name="Nothing has been written yet")).to_be_visible()
    expect(tile(page, "Rows read")).to_have_text("3450")
    expect(tile(page, "New values")).to_have_text("15")
    assert preview_row(page, "Anti-social behaviour incidents", "Cherwell") == ["1", "0", "0"]
    skipped = page.locator("section", has=page.locator("#skipped-title"))
    expect(skipped).to_contain_text("Crimes with no location (no LSOA), not counted: 50")
    expect(skipped).to_contain_text("Areas outside the county (not ours): 1961")
    expect(skipped).to_contain_text("Aylesbury Vale ×1069")
    assert not MeasureValue.objects.filter(period__label="June 2018").exists()

    page.get_by_role("button", name="Import these figures").click()
    expect(page.get_by_role("alert")).to_contain_text("Imported: 15 new, 0 changed, 0 unchanged.")
    batch = ImportBatch.objects.get(file_name=STREET.name)
    assert batch.status == ImportBatch.Status.APPLIED
    stored = MeasureValue.objects.get(
        measure__slug="anti-social-behaviour", area__name="Cherwell", period__label="June 2018"
    )
    assert (stored.value, stored.batch) == (Decimal(165), batch)

    cell = latest_figure(page, site, "anti-social-behaviour", "Calendar month", "Cherwell")
    expect(cell).to_contain_text("165")
    expect(cell).to_contain_text("June 2018")

    page.goto(f"{site}{batch.get_absolute_url()}")
    page.get_by_role("button", name="Roll back this import").click()
    expect(page.get_by_role("alert")).to_contain_text("Rolled back: 0 values restored, 15 removed.")
    assert not MeasureValue.objects.filter(batch=batch).exists()
    assert not MeasureValue.objects.filter(period__label="June 2018").exists()
    page.goto(f"{site}/measures/anti-social-behaviour/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anti-social behaviour incidents")
    expect(page.get_by_role("rowheader", name="Calendar month", exact=True)).to_have_count(0)
    expect(page.get_by_text("June 2018")).to_have_count(0)


def test_admin_gives_the_period_a_wide_table_does_not_state(page, site):
    sign_in(page, site, "admin")
    upload(page, WIDE)

    expect(page.get_by_role("heading", name="Which period are these figures for?")).to_be_visible()
    expect(page.get_by_role("button", name="Import these figures")).to_have_count(0)
    page.get_by_role("textbox", name="Period").fill("year ending March 2019")
    page.get_by_role("button", name="Read again").click()

    expect(page.get_by_text(re.compile(r"period 2018/19 \(as you chose\)"))).to_be_visible()
    expect(tile(page, "New values")).to_have_text("15")
    assert preview_row(page, "Violent crime", "South Oxfordshire") == ["1", "0", "0"]
    assert preview_row(page, "Violent crime", "Vale of White Horse") == ["1", "0", "0"]
    assert not MeasureValue.objects.filter(period__label="2018/19").exists()
    page.get_by_role("button", name="Import these figures").click()
    expect(page.get_by_role("alert")).to_contain_text("Imported: 15 new")

    # South and Vale covers both districts: its figure is their sum (2,510 + 2,777).
    stored = dict(
        MeasureValue.objects.filter(measure__slug="violent-crime", period__label="2018/19").values_list(
            "area__name", "value"
        )
    )
    assert (stored["South Oxfordshire"], stored["Vale of White Horse"]) == (2510, 2777)
    cell = latest_figure(page, site, "violent-crime", "Financial year", "South and Vale")
    expect(cell).to_contain_text(re.compile(r"5,?287"))
    expect(cell).to_contain_text("2018/19")
    cherwell = latest_figure(page, site, "violent-crime", "Financial year", "Cherwell")
    expect(cherwell).to_contain_text(re.compile(r"4,?154"))
