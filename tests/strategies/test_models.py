import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.models import Measure, MeasureValue, Period
from partnerships.models import AreaAlias, Partnership, normalise_area_name
from strategies.models import Deliverable, Strategy
from tests import factories


@pytest.mark.parametrize(
    "spelling",
    ["Vale of White Horse", "Vale of the White Horse", "VALE OF WHITE HORSE", "Vale of White Horse [note 2]"],
)
def test_area_spellings_fold_together(spelling):
    assert normalise_area_name(spelling) == "vale of white horse"


def test_city_of_and_ampersand_forms_fold_together():
    assert normalise_area_name("Bristol, City of") == normalise_area_name("City of Bristol") == "bristol"
    assert normalise_area_name("South & Vale") == normalise_area_name("South and Vale")


@pytest.mark.django_db
def test_alias_is_stored_normalised():
    alias = AreaAlias.objects.create(area=factories.AreaFactory(), name="Vale of the White Horse")
    assert alias.normalised == "vale of white horse"


@pytest.mark.django_db
def test_strategy_spans_exactly_three_financial_years():
    strategy = factories.StrategyFactory(first_year=2011)
    assert (strategy.last_year, strategy.span_label, strategy.years_label) == (
        2013,
        "2011-14",
        "2011/12 to 2013/14",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Strategy.objects.filter(pk=strategy.pk).update(last_year=2015)


@pytest.mark.django_db
def test_one_adopted_strategy_per_partnership_per_first_year():
    strategy = factories.StrategyFactory(status=Strategy.Status.ADOPTED)
    factories.StrategyFactory(
        partnership=strategy.partnership, framework=strategy.framework, status=Strategy.Status.DRAFT
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.StrategyFactory(
            partnership=strategy.partnership, framework=strategy.framework, status=Strategy.Status.ADOPTED
        )


@pytest.mark.django_db
def test_one_value_per_measure_area_and_period():
    value = factories.MeasureValueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureValue.objects.create(measure=value.measure, area=value.area, period=value.period, value=1)


@pytest.mark.django_db
def test_only_counts_can_be_added_up():
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MeasureFactory(unit=Measure.Unit.PERCENT, aggregation=Measure.Aggregation.SUM)


@pytest.mark.django_db
def test_an_objective_uses_its_own_frameworks_priorities():
    objective = factories.ObjectiveFactory()
    objective.priority = factories.PriorityFactory()  # another county's framework
    with pytest.raises(ValidationError, match="priorities of this strategy's framework"):
        objective.full_clean()


@pytest.mark.django_db
def test_a_deliverables_theme_belongs_to_its_priority():
    deliverable = factories.DeliverableFactory()
    deliverable.theme = factories.CommonThemeFactory()
    with pytest.raises(ValidationError, match="common theme of this objective's priority"):
        deliverable.full_clean()


@pytest.mark.django_db
def test_closing_a_deliverable_needs_a_reason():
    deliverable = factories.DeliverableFactory(status=Deliverable.Status.DROPPED)
    with pytest.raises(ValidationError, match="Say why"):
        deliverable.full_clean()
    deliverable.closure_note = "Funding withdrawn."
    deliverable.full_clean()


@pytest.mark.django_db
def test_a_deliverable_belongs_to_its_own_partnerships_strategy():
    deliverable = factories.DeliverableFactory()
    assert deliverable.partnership == deliverable.objective.strategy.partnership
    other = factories.PartnershipFactory()
    assert deliverable not in Deliverable.objects.for_partnership(other)
    assert deliverable in Deliverable.objects.for_partnership(deliverable.partnership)


@pytest.mark.django_db
def test_partnership_active_follows_area_coverage():
    merged = factories.PartnershipFactory()
    old = factories.PartnershipFactory()
    area = factories.AreaFactory()
    factories.PartnershipAreaFactory(partnership=old, area=area, end=datetime.date(2011, 3, 31))
    factories.PartnershipAreaFactory(partnership=merged, area=area, start=datetime.date(2011, 4, 1))
    assert list(Partnership.objects.active(datetime.date(2011, 3, 31))) == [old]
    assert list(Partnership.objects.active(datetime.date(2011, 4, 1))) == [merged]
    assert list(Partnership.objects.former(datetime.date(2012, 1, 1))) == [old]


@pytest.mark.django_db
def test_officer_edits_only_own_partnership(world):
    users = world.users
    assert world.a.can_edit(users["officer_a"]) and world.a.can_edit(users["lead_a"])
    assert not world.a.can_edit(users["officer_b"])
    assert not world.a.can_edit(users["scrutiny"])
    assert world.a.can_edit(users["admin"])
    assert world.a.can_sign_off(users["lead_a"]) and not world.a.can_sign_off(users["officer_a"])


@pytest.mark.django_db
def test_superseded_strategy_is_read_only(world):
    world.strategy_a.status = Strategy.Status.SUPERSEDED
    world.strategy_a.save()
    assert not world.strategy_a.can_edit(world.users["officer_a"])


@pytest.mark.django_db
def test_period_quarter_must_be_a_real_quarter():
    period = Period(kind=Period.Kind.QUARTER, start=datetime.date(2011, 5, 1), end=datetime.date(2011, 7, 31))
    with pytest.raises(ValidationError):
        period.clean()


@pytest.mark.django_db
def test_a_baseline_is_for_2010_11_unless_said_otherwise():
    baseline = factories.BaselineFactory(period=None)
    assert baseline.period.label == "2010/11"


@pytest.mark.django_db
def test_a_new_strategy_passes_full_clean_with_its_span_filled_in():
    strategy = Strategy(
        partnership=factories.PartnershipFactory(), framework=factories.FrameworkFactory(), first_year=2012
    )
    strategy.full_clean()
    assert strategy.last_year == 2014


@pytest.mark.django_db
def test_a_second_spelling_that_folds_to_an_existing_alias_is_refused_plainly():
    area = factories.AreaFactory(name="Vale of White Horse")
    AreaAlias.objects.create(area=area, name="Vale of the White Horse")
    with pytest.raises(ValidationError, match="already a spelling of Vale of White Horse"):
        AreaAlias(area=area, name="vale of the white horse").full_clean()
