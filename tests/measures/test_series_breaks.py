"""Series breaks: figures that change meaning are not compared across the break without saying so."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.figures import measure_summaries
from measures.models import Baseline, BaselineChange, Measure, Period, SeriesBreak
from tests import factories


@pytest.fixture
def broken(world):
    """Twelve steady quarters at about 100, then new recording rules from 1 April 2011 lift every
    figure to about 150: a jump that is the rules, not crime."""
    world.measure.values.all().delete()
    values = [95, 105] * 6 + [145, 155, 150, 152, 148, 151]
    for i, value in enumerate(values):
        period = Period.objects.financial_quarter(2008 + i // 4, i % 4 + 1)
        factories.MeasureValueFactory(measure=world.measure, area=world.area_a, period=period, value=value)
    return world


def summary(world):
    measure = Measure.objects.get(pk=world.measure.pk)
    [row], _ = measure_summaries(world.a, [measure])
    return row


def test_without_a_break_the_jump_reads_as_worsening(broken):
    assert summary(broken).trend.verdict == "worsening"


def test_with_a_break_the_direction_is_judged_only_after_it_and_says_so(broken):
    SeriesBreak.objects.create(
        measure=broken.measure, starts_on=datetime.date(2011, 4, 1), note="National Crime Recording Standard"
    )
    s = summary(broken)
    assert s.since_break and s.trend.verdict == "no_change"
    assert s.trend.reason.startswith("Judged only on quarters since the series break on 1 April 2011")
    # The chart keeps every quarter; the quarters since the break are a group with limits of their own.
    assert s.break_index == 12 and s.series[12][0].start == datetime.date(2011, 4, 1)
    assert [g.start for g in s.trend.result.groups] == [0, 12]
    assert s.trend.mean == pytest.approx(sum([145, 155, 150, 152, 148, 151]) / 6)
    assert s.trend.result.groups[0].mean == pytest.approx(100)
    assert s.baseline_before_break  # the 2010/11 baseline was counted the old way


def test_the_measure_keeps_its_latest_break_for_the_dashboards(broken):
    first = SeriesBreak.objects.create(
        measure=broken.measure, starts_on=datetime.date(2009, 4, 1), note="Old"
    )
    SeriesBreak.objects.create(measure=broken.measure, starts_on=datetime.date(2011, 4, 1), note="New")
    broken.measure.refresh_from_db()
    assert (broken.measure.break_on, broken.measure.break_note) == (datetime.date(2011, 4, 1), "New")
    SeriesBreak.objects.filter(note="New").get().delete()
    broken.measure.refresh_from_db()
    assert broken.measure.break_on == first.starts_on


def test_admin_records_a_break_on_the_measure_page_and_the_chart_marks_it(client_for, broken):
    client = client_for("admin")
    url = broken.measure.get_absolute_url()
    response = client.post(
        reverse("measures:break_add", args=[broken.measure.slug]),
        {"starts_on": "2011-04-01", "note": "Recording standards tightened"},
    )
    assert response.status_code == 302
    page = client.get(url)
    assert page.context["chart"]["breakIndex"] is not None
    assert "Recording standards tightened" in page.content.decode()
    assert "Across the series break" in page.content.decode()


def test_others_cannot_record_breaks(client_for, broken):
    for role in ("officer_a", "scrutiny"):
        response = client_for(role).post(
            reverse("measures:break_add", args=[broken.measure.slug]),
            {"starts_on": "2011-04-01", "note": "x"},
        )
        assert response.status_code == 403
    assert not SeriesBreak.objects.exists()


def test_rebaselining_keeps_the_old_value_and_the_reason(client_for, broken):
    client = client_for("admin")
    url = reverse("measures:rebaseline", args=[broken.measure.slug, broken.a.slug])
    refused = client.post(url, {"value": "600", "year": 2011, "reason": " "})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    response = client.post(
        url, {"value": "600", "year": 2011, "reason": "New recording rules from April 2011."}
    )
    assert response.status_code == 302
    baseline = Baseline.objects.get(measure=broken.measure, partnership=broken.a)
    assert (baseline.value, baseline.period.label) == (Decimal("600"), "2011/12")
    change = BaselineChange.objects.get()
    assert (change.old_value, change.new_value, change.reason) == (
        Decimal("400"),
        Decimal("600"),
        "New recording rules from April 2011.",
    )
    assert client_for("scrutiny").get(url).status_code == 403


def test_the_rebaseline_page_says_when_the_baseline_year_on_record_differs(client_for, broken):
    """Sweep 15: a revised 2010/11 left the baseline apart from the figures, and this page did not say."""
    url = reverse("measures:rebaseline", args=[broken.measure.slug, broken.a.slug])
    assert "quarters on record now add up" not in client_for("admin").get(url).content.decode()
    broken.measure.values.filter(period=Period.objects.financial_quarter(2010, 1)).update(value=105)
    page = client_for("admin").get(url).content.decode()
    assert "The 2010/11 quarters on record now add up to 410, not 400" in page


def test_a_baseline_made_from_the_figures_is_drawn_and_offers_no_re_baselining(client_for, broken):
    """The review of sweep 15's change: with none set, the baseline made from the 2010/11 quarters had a
    "Re-baseline" link to a page that could not be (404), and the chart drew no baseline."""
    Baseline.objects.filter(measure=broken.measure, partnership=broken.a).delete()
    response = client_for("admin").get(broken.measure.get_absolute_url(), {"quarter": "2011-12-q4"})
    [row] = [r for r in response.context["rows"] if r["partnership"] == broken.a]
    assert row["summary"].baseline_from_figures and row["summary"].baseline.value == 400
    page = response.content.decode()
    assert reverse("measures:rebaseline", args=[broken.measure.slug, broken.a.slug]) not in page
    assert "None set: the 2010/11 quarters on record" in page
    chart = next(c for c in response.context["charts"] if c["partnership"] == broken.a)
    assert chart["data"]["lines"]["baseline"][0] == 100  # a quarter's share of the year's 400
