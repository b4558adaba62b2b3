import datetime
from decimal import Decimal

import pytest

from measures.figures import FigureTable, compare, measure_summaries
from measures.models import Measure, Period
from tests import factories


@pytest.fixture
def merged(db):
    """Two districts run by their own partnerships until a merger on 1 April 2011."""
    north = factories.AreaFactory(population=100_000)
    south = factories.AreaFactory(population=300_000)
    old_north = factories.PartnershipFactory()
    old_south = factories.PartnershipFactory()
    merged = factories.PartnershipFactory()
    end = datetime.date(2011, 3, 31)
    factories.PartnershipAreaFactory(partnership=old_north, area=north, end=end)
    factories.PartnershipAreaFactory(partnership=old_south, area=south, end=end)
    for area in (north, south):
        factories.PartnershipAreaFactory(partnership=merged, area=area, start=datetime.date(2011, 4, 1))
    return north, south, old_north, old_south, merged


def test_a_partnership_figure_adds_up_its_areas(merged):
    north, south, _, _, partnership = merged
    measure = factories.MeasureFactory()
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=north, period=q1, value=10)
    factories.MeasureValueFactory(measure=measure, area=south, period=q1, value=32)
    assert FigureTable([partnership], [measure]).value(partnership, measure, q1) == 42


def test_rates_are_averaged_by_population(merged):
    north, south, _, _, partnership = merged
    measure = factories.MeasureFactory(
        unit=Measure.Unit.PERCENT, aggregation=Measure.Aggregation.POPULATION_WEIGHTED
    )
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=north, period=q1, value=40)
    factories.MeasureValueFactory(measure=measure, area=south, period=q1, value=60)
    assert FigureTable([partnership], [measure]).value(partnership, measure, q1) == 55


def test_a_missing_area_figure_means_no_partnership_figure(merged):
    north, _, _, _, partnership = merged
    measure = factories.MeasureFactory()
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=north, period=q1, value=10)
    assert FigureTable([partnership], [measure]).value(partnership, measure, q1) is None


def test_predecessors_before_the_merger_and_the_merged_series_joins_up(merged):
    north, south, old_north, old_south, partnership = merged
    measure = factories.MeasureFactory()
    before = Period.objects.financial_quarter(2010, 4)
    after = Period.objects.financial_quarter(2011, 1)
    for period, (n, s) in {before: (5, 7), after: (6, 8)}.items():
        factories.MeasureValueFactory(measure=measure, area=north, period=period, value=n)
        factories.MeasureValueFactory(measure=measure, area=south, period=period, value=s)
    table = FigureTable([old_north, old_south, partnership], [measure])
    assert table.value(old_north, measure, before) == 5
    assert table.value(old_north, measure, after) is None  # it no longer exists
    assert table.value(partnership, measure, before) == 12  # its founding districts, before it was formed
    assert table.value(partnership, measure, after) == 14


def test_summary_compares_latest_twelve_months_with_the_baseline(merged):
    north, south, _, _, partnership = merged
    measure = factories.MeasureFactory(desired_direction=Measure.Direction.DOWN)
    for q in (1, 2, 3, 4):
        period = Period.objects.financial_quarter(2011, q)
        factories.MeasureValueFactory(measure=measure, area=north, period=period, value=10)
        factories.MeasureValueFactory(measure=measure, area=south, period=period, value=12)
    factories.BaselineFactory(measure=measure, partnership=partnership, value=100)
    [summary], sources = measure_summaries(partnership, [measure])
    assert summary.latest_period.label == "2011/12 Q4"
    assert summary.latest_value == 22
    assert summary.year_value == 88
    assert summary.change.amount == -12
    assert summary.change.percent == Decimal("-12.0")
    assert summary.change.verdict == "better"


def test_fewer_than_four_quarters_gives_no_twelve_month_figure(merged):
    north, south, _, _, partnership = merged
    measure = factories.MeasureFactory()
    period = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=north, period=period, value=1)
    factories.MeasureValueFactory(measure=measure, area=south, period=period, value=1)
    [summary], sources = measure_summaries(partnership, [measure])
    assert summary.latest_value == 2 and summary.year_value is None and summary.change is None


@pytest.mark.parametrize(
    "direction, baseline, latest, verdict",
    [
        (Measure.Direction.DOWN, 100, 90, "better"),
        (Measure.Direction.DOWN, 100, 110, "worse"),
        (Measure.Direction.UP, 100, 110, "better"),  # e.g. more hate crime reported
        (Measure.Direction.UP, 100, 90, "worse"),
        (Measure.Direction.UP, 100, 100, "same"),
    ],
)
def test_better_or_worse_follows_the_desired_direction(direction, baseline, latest, verdict):
    measure = Measure(desired_direction=direction)
    assert compare(measure, Decimal(baseline), Decimal(latest)).verdict == verdict


def test_change_against_a_zero_baseline_has_no_percentage():
    change = compare(Measure(desired_direction=Measure.Direction.UP), Decimal(0), Decimal(3))
    assert change.percent is None and change.amount == 3


def test_no_direction_of_travel_without_a_figure_after_the_baseline_year(db):
    """Sweep 15: a partnership whose figures stop in 2010/11 was judged on its last baseline quarter, "an
    improvement" two years later, and counted in the headline. Nothing current: no direction of travel."""
    area = factories.AreaFactory()
    partnership = factories.PartnershipFactory()
    factories.PartnershipAreaFactory(partnership=partnership, area=area)
    measure = factories.MeasureFactory(desired_direction=Measure.Direction.DOWN)
    quarters = [Period.objects.financial_quarter(y, q) for y in (2008, 2009, 2010) for q in (1, 2, 3, 4)]
    for i, period in enumerate(quarters):
        factories.MeasureValueFactory(measure=measure, area=area, period=period, value=10 if i == 11 else 100)
    later = Period.objects.financial_quarter(2012, 4)
    table = FigureTable([partnership], [measure])
    summary = table.summary(partnership, measure, None, until=later)
    assert summary.latest_period is None
    assert summary.trend.verdict == "not_enough_data"
    assert summary.trend.reason == "No quarter after the baseline year 2010/11 has a figure."
    assert [v for _, v in summary.series][11] == 10  # the baseline quarters still drawn
    # One figure after the baseline year and the series is judged again, the low quarter with it.
    factories.MeasureValueFactory(measure=measure, area=area, period=later, value=100)
    summary = FigureTable([partnership], [measure]).summary(partnership, measure, None, until=later)
    assert summary.latest_period == later and summary.trend.verdict != "not_enough_data"


def test_a_partnership_standing_alone_again_after_a_pilot_joins_up_its_district_series(db):
    """Sweep 15: after a pilot merger ended, the stand-alone partnerships showed their districts' own
    figures of the pilot's 18 months as missing: no 12-month figure, no baseline comparison for a year,
    and the trend judged across the hole. Between its spells a partnership's figure is its areas' again."""
    north, south = factories.AreaFactory(), factories.AreaFactory()
    alone, pilot = factories.PartnershipFactory(), factories.PartnershipFactory()
    factories.PartnershipAreaFactory(partnership=alone, area=north, end=datetime.date(2011, 3, 31))
    factories.PartnershipAreaFactory(partnership=alone, area=north, start=datetime.date(2012, 10, 1))
    for area in (north, south):
        factories.PartnershipAreaFactory(
            partnership=pilot, area=area, start=datetime.date(2011, 4, 1), end=datetime.date(2012, 9, 30)
        )
    measure = factories.MeasureFactory()
    quarters = [Period.objects.financial_quarter(y, q) for y in (2010, 2011, 2012) for q in (1, 2, 3, 4)]
    for i, period in enumerate(quarters):
        factories.MeasureValueFactory(measure=measure, area=north, period=period, value=10 + i)
        factories.MeasureValueFactory(measure=measure, area=south, period=period, value=100)
    table = FigureTable([alone, pilot], [measure])
    assert [table.value(alone, measure, p) for p in quarters] == list(range(10, 22))
    assert table.value(pilot, measure, quarters[5]) == 115  # the pilot's own quarters: both districts
    assert table.value(pilot, measure, quarters[-1]) is None  # after the pilot ended
    summary = table.summary(alone, measure, None, until=quarters[-1])
    assert summary.year_value == 18 + 19 + 20 + 21 and not summary.missing


def test_the_baseline_year_on_record_is_the_baseline_when_none_is_set_and_shown_when_it_differs(db):
    """Sweep 15: imported 2010/11 figures never reached the baseline: with none set there was none at all,
    and a revised release left the set baseline (the strategy's figure) silently apart from the figures."""
    from dashboards.dashboard import MeasureRow, measures_table

    area = factories.AreaFactory()
    partnership = factories.PartnershipFactory()
    factories.PartnershipAreaFactory(partnership=partnership, area=area)
    measure = factories.MeasureFactory(desired_direction=Measure.Direction.DOWN)
    for year, value in ((2010, 30), (2011, 25)):
        for q in (1, 2, 3, 4):
            period = Period.objects.financial_quarter(year, q)
            factories.MeasureValueFactory(measure=measure, area=area, period=period, value=value)
    table = FigureTable([partnership], [measure])
    made = table.summary(partnership, measure, None)
    assert (
        made.baseline.value == 120 and made.baseline_from_figures and made.baseline.period.label == "2010/11"
    )
    assert (made.change.amount, made.change.verdict) == (-20, "better")
    assert measures_table([MeasureRow(measure, partnership, made)])[0]["baseline_note"] == (
        "None set: the 2010/11 quarters on record"
    )
    set_ = factories.BaselineFactory(measure=measure, partnership=partnership, value=110)
    kept = table.summary(partnership, measure, set_)
    assert kept.baseline.value == 110 and kept.baseline_on_record == 120 and not kept.baseline_from_figures
    assert kept.change.amount == -10  # still judged against the baseline set
    assert measures_table([MeasureRow(measure, partnership, kept)])[0]["baseline_note"] == (
        "The 2010/11 quarters on record now add up to 120"
    )
    set_.value = Decimal("120.2")  # the same figure as shown: nothing to say
    assert table.summary(partnership, measure, set_).baseline_on_record is None
    # A percentage's year is not the mean of its quarters: nothing said against the one set.
    share = factories.MeasureFactory(
        unit=Measure.Unit.PERCENT, aggregation=Measure.Aggregation.POPULATION_WEIGHTED
    )
    for q, value in zip((1, 2, 3, 4), (50, 10, 10, 10), strict=True):
        period = Period.objects.financial_quarter(2010, q)
        factories.MeasureValueFactory(measure=share, area=area, period=period, value=value)
    table = FigureTable([partnership], [share])
    assert table.summary(partnership, share, None).baseline.value == 20  # none set: as its 12 months are
    year_rate = factories.BaselineFactory(measure=share, partnership=partnership, value=Decimal("10.4"))
    assert table.summary(partnership, share, year_rate).baseline_on_record is None


def test_a_page_as_at_a_quarter_names_only_the_sources_of_figures_up_to_it(merged):
    """Sweep 15: importing 2012/13 figures added their file to the 2011/12 papers' sources line."""
    north, south, _, _, partnership = merged
    measure = factories.MeasureFactory()
    early, late = Period.objects.financial_quarter(2011, 1), Period.objects.financial_quarter(2012, 1)
    for area in (north, south):
        factories.MeasureValueFactory(measure=measure, area=area, period=early, value=1, source="2011 file")
        factories.MeasureValueFactory(measure=measure, area=area, period=late, value=1, source="2012 file")
    table = FigureTable([partnership], [measure])
    assert table.sources_until(early) == {"2011 file"}
    assert table.sources_for(partnership, measure, early) == {"2011 file"}
    assert table.sources == table.sources_until(late) == {"2011 file", "2012 file"}
