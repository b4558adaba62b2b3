"""Counts shown per 1,000 residents, from the areas' mid-year populations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.figures import FigureTable
from measures.models import Measure, Period, Target
from partnerships.models import AreaPopulation
from tests import factories


@pytest.fixture
def merged(db):
    """North and South merged into one partnership on 1 April 2011; mid-year populations for 2011 and 2012."""
    north = factories.AreaFactory(population=1)  # the fallback, used only when no estimate is on record
    south = factories.AreaFactory(population=1)
    partnership = factories.PartnershipFactory()
    for area in (north, south):
        factories.PartnershipAreaFactory(partnership=partnership, area=area, start=datetime.date(2011, 4, 1))
    for area, by_year in ((north, {2011: 100_000, 2012: 150_000}), (south, {2011: 300_000, 2012: 350_000})):
        for year, population in by_year.items():
            AreaPopulation.objects.create(area=area, year=year, population=population)
    measure = factories.MeasureFactory(show_per_1000=True)
    return north, south, partnership, measure


def test_a_merged_partnerships_rate_is_its_count_over_its_areas_population(merged):
    north, south, partnership, measure = merged
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=north, period=q1, value=100)
    factories.MeasureValueFactory(measure=measure, area=south, period=q1, value=300)
    # (100 + 300) / (100,000 + 300,000) × 1,000
    assert FigureTable([partnership], [measure]).value(partnership, measure, q1) == Decimal(1)


def test_each_financial_year_uses_its_own_mid_year_and_the_nearest_earlier_after_that(merged):
    north, south, partnership, measure = merged
    quarters = {
        Period.objects.financial_quarter(2012, 4): Decimal(1000) / 500,  # 2012/13: mid-2012, 500,000 people
        Period.objects.financial_quarter(2014, 2): Decimal(1000) / 500,  # 2014/15: none since, mid-2012
    }
    for period in quarters:
        factories.MeasureValueFactory(measure=measure, area=north, period=period, value=400)
        factories.MeasureValueFactory(measure=measure, area=south, period=period, value=600)
    table = FigureTable([partnership], [measure])
    assert {p: table.value(partnership, measure, p) for p in quarters} == quarters


def test_the_areas_own_population_is_used_before_the_first_estimate(merged):
    north, south, partnership, measure = merged
    north.population, south.population = 40_000, 60_000
    north.save()
    south.save()
    q4 = Period.objects.financial_quarter(2010, 4)  # 2010/11: before the mid-2011 estimates
    factories.MeasureValueFactory(measure=measure, area=north, period=q4, value=20)
    factories.MeasureValueFactory(measure=measure, area=south, period=q4, value=30)
    assert FigureTable([partnership], [measure]).value(partnership, measure, q4) == Decimal("0.5")


def test_no_population_means_no_rate(db):
    area = factories.AreaFactory(population=None)
    partnership = factories.PartnershipFactory()
    factories.PartnershipAreaFactory(partnership=partnership, area=area)
    measure = factories.MeasureFactory(show_per_1000=True)
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=area, period=q1, value=10)
    assert FigureTable([partnership], [measure]).value(partnership, measure, q1) is None


def test_the_baseline_count_is_compared_as_a_rate_too(merged):
    north, south, partnership, measure = merged
    AreaPopulation.objects.create(area=north, year=2010, population=100_000)
    AreaPopulation.objects.create(area=south, year=2010, population=300_000)
    for q in (1, 2, 3, 4):
        period = Period.objects.financial_quarter(2011, q)
        factories.MeasureValueFactory(measure=measure, area=north, period=period, value=50)
        factories.MeasureValueFactory(measure=measure, area=south, period=period, value=50)
    summary = FigureTable([partnership], [measure]).summary(partnership, measure, None)
    assert summary.year_value == Decimal(1)  # four quarters of 100 over 400,000 residents
    baseline = factories.BaselineFactory(measure=measure, partnership=partnership, value=800)  # 2010/11
    summary = FigureTable([partnership], [measure]).summary(partnership, measure, baseline)
    assert summary.baseline.value == Decimal(2)
    assert summary.change.verdict == "better"
    assert baseline.value == 800  # the record itself is left as it is


def test_only_a_count_can_be_shown_per_1000(db):
    measure = factories.MeasureFactory.build(
        unit=Measure.Unit.PERCENT, aggregation=Measure.Aggregation.POPULATION_WEIGHTED, show_per_1000=True
    )
    with pytest.raises(ValidationError):
        measure.validate_constraints()


def test_the_unit_is_stated_on_the_measure_page(client, merged):
    north, south, partnership, measure = merged
    q1 = Period.objects.financial_quarter(2011, 1)
    factories.MeasureValueFactory(measure=measure, area=north, period=q1, value=100)
    factories.MeasureValueFactory(measure=measure, area=south, period=q1, value=300)
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("dashboards:measure", args=[measure.slug])).content.decode()
    assert "per 1,000 residents" in page
    assert "1.00 per 1,000" in page
    assert measure.display_unit == "per 1,000 residents"
    assert factories.MeasureFactory().display_unit == "Number"


def test_populations_cost_one_query_and_only_when_a_measure_is_shown_per_1000(
    merged, django_assert_num_queries
):
    north, south, partnership, measure = merged
    counted = factories.MeasureFactory()
    # coverage with the areas, the periods, the values
    with django_assert_num_queries(3):
        FigureTable([partnership], [counted])
    # ... and the areas' mid-year populations
    with django_assert_num_queries(4):
        FigureTable([partnership], [counted, measure])


def test_a_count_target_is_shown_and_judged_as_a_rate_too(merged, client):
    """Sweep 14: a count target (3,342) beside figures per 1,000 read "3342.00 per 1,000 by 2013/14", and
    the assurance judged the rates against the count."""
    north, south, partnership, measure = merged
    target = Target.objects.create(
        partnership=partnership, measure=measure, value=800, period=Period.objects.financial_year(2012)
    )
    table = FigureTable([partnership], [measure])
    shown = table.target_as_shown(partnership, measure, target)
    assert shown.value == Decimal(800) * 1000 / 500_000  # mid-2012: 150,000 + 350,000 residents
    assert target.value == 800  # the record itself is left as it is
    measure.show_per_1000 = False
    assert table.target_as_shown(partnership, measure, target) is target
    measure.show_per_1000 = True
    measure.save()
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("dashboards:measure", args=[measure.slug])).content.decode()
    assert "1.60 per 1,000" in page and "800.00 per 1,000" not in page
