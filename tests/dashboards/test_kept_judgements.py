"""Judgements are made once per version of the figures and kept (measures.figures.summaries): the pages
must never show a kept judgement once anything behind it has changed, whichever way it changed."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.figures import kept_judgements
from measures.models import Measure, MeasureValue, Period, Target
from measures.services import import_batch_rollback, import_file
from partnerships.models import PartnershipArea

QUARTER = "2012-13-q4"


@pytest.fixture
def series(world):
    """Alpha's measure with 16 steady quarters from 2009/10 to 2012/13 (lower is better)."""
    for i in range(16):
        period = Period.objects.financial_quarter(2009 + i // 4, i % 4 + 1)
        MeasureValue.objects.update_or_create(
            measure=world.measure, area=world.area_a, period=period, defaults={"value": 100 + (i % 2) * 4}
        )
    return world


def shown(client, world):
    """Alpha's measure on the overview as at 2012/13 Q4: latest figure, verdict, assurance and sources."""
    response = client.get(reverse("dashboards:overview"), {"quarter": QUARTER, "partnership": world.a.slug})
    assert response.status_code == 200
    [row] = [r for r in response.context["measure_rows"] if r.measure.pk == world.measure.pk]
    s = row.summary
    return s.latest_value, s.trend.verdict, s.trend.assurance, tuple(response.context["sources"])


def figures_read(client, world) -> bool:
    with CaptureQueriesContext(connection) as captured:
        shown(client, world)
    return any('"measures_measurevalue"."value"' in q["sql"] for q in captured.captured_queries)


def test_a_second_look_reuses_the_judgement_and_shows_the_same(client_for, series):
    client = client_for("scrutiny")
    first = shown(client, series)
    assert first[:2] == (Decimal(104), "no_change")
    assert not figures_read(client, series)
    assert shown(client, series) == first
    kept_judgements.clear()
    assert figures_read(client, series)  # nothing kept: judged afresh, the same
    assert shown(client, series) == first


def template_csv(tmp_path, rows) -> str:
    path = tmp_path / "figures.csv"
    lines = ["area,measure or offence,period,value", *(",".join(map(str, r)) for r in rows)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_an_import_and_its_rollback_are_seen_at_once(client_for, series, tmp_path):
    client = client_for("scrutiny")
    assert shown(client, series)[:2] == (Decimal(104), "no_change")
    name = series.measure.name
    path = template_csv(tmp_path, [("Alpha district", name, "2012/13 Q4", 40)])
    batch = import_file(path=path, user=series.users["admin"], confirmed=True)
    assert batch.status == batch.Status.APPLIED, batch.summary
    after = shown(client, series)
    assert after[:2] == (Decimal(40), "improving")
    assert any(batch.file_name in source or "figures.csv" in source for source in after[3]), after[3]
    import_batch_rollback(batch=batch, user=series.users["admin"])
    assert shown(client, series)[:2] == (Decimal(104), "no_change")


def test_figures_written_in_bulk_outside_an_import_are_seen(client_for, series):
    client = client_for("scrutiny")
    shown(client, series)
    MeasureValue.objects.bulk_create(
        [
            MeasureValue(
                measure=series.measure,
                area=series.area_a,
                period=Period.objects.financial_quarter(2013, 1),
                value=1,
            )
        ]
    )
    response = client.get(reverse("dashboards:overview"), {"quarter": "2013-14-q1"})
    [row] = [
        r
        for r in response.context["measure_rows"]
        if r.measure.pk == series.measure.pk and r.partnership == series.a
    ]
    assert row.summary.latest_value == Decimal(1)


def test_a_new_target_is_assured_against_at_once(client_for, series):
    client = client_for("scrutiny")
    assert shown(client, series)[2] is None
    Target.objects.create(
        measure=series.measure, partnership=series.a, period=Period.objects.financial_year(2013), value=10
    )
    assert shown(client, series)[2] == "fail"  # 100-104 a quarter will not fall to 2.5 by itself


def test_a_measure_that_changes_direction_is_judged_again(client_for, series):
    client = client_for("scrutiny")
    MeasureValue.objects.filter(measure=series.measure, period__start__gte=datetime.date(2012, 4, 1)).update(
        value=40
    )
    assert shown(client, series)[1] == "improving"  # lower is better
    measure = Measure.objects.get(pk=series.measure.pk)
    measure.desired_direction = Measure.Direction.UP
    measure.save()
    assert shown(client, series)[1] == "worsening"


def test_coverage_that_ends_is_seen_at_once(client_for, series):
    client = client_for("scrutiny")
    assert shown(client, series)[0] == Decimal(104)
    coverage = PartnershipArea.objects.get(partnership=series.a)
    coverage.end = datetime.date(2012, 12, 31)  # Alpha stops covering its district before 2012/13 Q4
    coverage.save()
    assert shown(client, series)[0] == Decimal(100)  # its latest figure is now 2012/13 Q3's


def test_an_areas_population_change_is_seen_in_rates(client_for, series):
    client = client_for("scrutiny")
    Measure.objects.filter(pk=series.measure.pk).update(show_per_1000=True)
    area = series.area_a
    area.population = 100_000
    area.save()
    kept_judgements.clear()  # the measure was changed without its history, as only a test would
    assert shown(client, series)[0] == Decimal("1.04")
    area.population = 200_000
    area.save()
    assert shown(client, series)[0] == Decimal("0.52")


def test_figures_are_not_edited_by_hand_in_the_admin(client_for, series):
    """Figures change only through an import (a batch that can be rolled back), so nothing changes them
    unseen: the admin shows them and nothing more."""
    client = client_for("admin")
    value = MeasureValue.objects.filter(measure=series.measure).first()
    change = reverse("admin:measures_measurevalue_change", args=[value.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="value"' not in page.content
    response = client.post(change, {"measure": value.measure_id, "value": "1"})
    assert response.status_code == 403
    assert MeasureValue.objects.get(pk=value.pk).value == value.value
    assert client.get(reverse("admin:measures_measurevalue_add")).status_code == 403
    assert client.post(reverse("admin:measures_measurevalue_delete", args=[value.pk])).status_code == 403
    period = client.get(reverse("admin:measures_period_change", args=[value.period_id]))
    assert period.status_code == 200 and b'name="start"' not in period.content
    assert client.get(reverse("admin:measures_period_delete", args=[value.period_id])).status_code == 403


def test_coverage_and_area_changes_are_in_the_audit_trail(series):
    from partnerships.models import AuditEvent

    coverage = PartnershipArea.objects.get(partnership=series.a)
    coverage.end = datetime.date(2012, 12, 31)
    coverage.save()
    series.area_a.population = 123_456
    series.area_a.save()
    changed = set(AuditEvent.objects.filter(action="~").values_list("model", flat=True))
    assert {PartnershipArea._meta.verbose_name.capitalize(), "Area"} <= changed


def test_work_on_plans_and_reviews_leaves_the_judgements_kept(client_for, series):
    """Officers saving their quarter's updates make audit entries all day; none of them touches a figure,
    so scrutiny's pages keep their judgements."""
    client = client_for("scrutiny")
    shown(client, series)
    update = series.update_a
    update.commentary = "Moved on since last quarter."
    update.save()
    deliverable = series.deliverable_a
    deliverable.title = "Renamed"
    deliverable.save()
    assert not figures_read(client, series)
    target = Target.objects.create(
        measure=series.measure, partnership=series.a, period=Period.objects.financial_year(2013), value=10
    )
    assert figures_read(client, series)
    assert not figures_read(client, series)
    target.delete()
    assert figures_read(client, series)


def test_the_store_is_bounded_and_holds_one_version_at_a_time():
    from measures.figures import Kept, KeptJudgements

    store = KeptJudgements(size=2)
    kept = [Kept(summary=None, target=None, sources=frozenset({str(i)})) for i in range(3)]
    for i, k in enumerate(kept):
        assert store.get("v1", i) is None
        store.put("v1", i, k)
    assert (store.get("v1", 0), store.get("v1", 1), store.get("v1", 2)) == (None, kept[1], kept[2])
    assert store.get("v2", 2) is None  # a newer version: everything older is gone
    store.put("v1", 2, kept[2])  # judged on the old version while the new one arrived: not kept
    assert store.get("v2", 2) is None and store.entries == {}
