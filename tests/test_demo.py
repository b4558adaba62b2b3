"""The Oxfordshire demo (`manage.py load_demo`): the seed complete, loadable twice, every user can sign in."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from measures.models import BASELINE_YEAR, Baseline, Measure, MeasureValue, Period
from partnerships.models import AreaAlias, Membership, Partnership, User, normalise_area_name
from reviews.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERNAMES, ILLUSTRATIVE
from strategies.models import CommonTheme, Deliverable, Objective, Strategy

pytestmark = pytest.mark.django_db

# The common themes as the seed (Oxfordshire's July 2011 summary paper) lists them, by priority.
SEED_THEMES = {
    1: [
        "Working to maximize the benefit of CCTV schemes",
        "Tackling anti-social behaviour affecting the environment and where vulnerable people are targeted",
        "Supporting and improving Nightsafe and Pub Watch schemes, and targeting premises that contribute to "
        "crime and anti-social behaviour",
        "Developing communications and engagement to continue to increase confidence in public authorities' "
        "ability to tackle crime and anti-social behaviour",
        "Reducing acquisitive and violent crime",
    ],
    2: [
        "Supporting the roll-out of the Oxfordshire MANTRA hate crime reporting, recording and supporting "
        "system following the six month pilot",
        "Working towards a consistent approach to anti-social behaviour across all partner agencies",
        "Supporting Oxfordshire domestic abuse strategy and responding to the Government's Ending Violence "
        "against Women and Girls strategy",
        "Supporting the roll-out of the Oxfordshire Young Victims of Crime initiative",
        "Developing a local response to sexual abuse through the Sexual Abuse and Rape Centre",
        "Targeted seasonal crime reduction campaigns to raise awareness",
        "Reducing violence against the person",
    ],
    3: [
        "Contributing to Operation Falcon, the drug disruption and enforcement programme",
        "Making up-to-date information widely available on drug advice, information and education",
        "Supporting the Children Education and Families' Early Intervention Service to sustain the reduction "
        "of new entrants into the youth justice system and reduce young people engaged in anti-social "
        "behaviour",
        "Closer working with the Integrated Offender Management scheme and the Youth Offending Service, "
        "including supporting young people in custody after their first arrest",
        "Undercover and high-visibility policing to tackle priority crime peaks",
        "Developing a serious violence action plan relating to gangs and knife crime",
        "Planning local diversion activities for young people",
        "More test purchasing operations to reduce under-age sales",
        "Targeting speeding/inconsiderately parked vehicles",
    ],
}
# One measure for each measure of success the seed lists (two where it joins two in one bullet).
SEED_MEASURES = {
    "cctv-arrests": "up",
    "repeat-town-centre-disorder-offenders": "down",
    "confidence-in-agencies": "up",
    "acquisitive-crime": "down",
    "violent-crime": "down",
    "environmental-crime": "down",
    "youth-first-time-entrants": "down",
    "reoffending": "down",
    "anti-social-behaviour": "down",
    "hate-crime-reported": "up",
    "repeat-victims-domestic-abuse": "down",
    "domestic-abuse-reported": "up",
    "domestic-abuse-champions-support": "up",
    "domestic-abuse-outreach-referrals": "up",
    "restorative-interventions": "up",
    "effective-drug-treatment": "up",
    "needle-exchange": "up",
    "adults-killed-seriously-injured": "down",
    "children-killed-seriously-injured": "down",
    "test-purchasing-operations": "up",
    "criminal-damage": "down",
}
ACTIVE = {"cherwell", "oxford", "west-oxfordshire", "south-and-vale"}


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def snapshot():
    """Row counts of every table the project owns (history tables included), plus every figure."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"partnerships", "strategies", "measures"}
    }
    figures = sorted(
        MeasureValue.objects.values_list("measure_id", "area_id", "period_id", "value", "source")
    )
    return counts, figures


def test_loading_the_demo_twice_gives_the_same_database():
    call_command("load_demo", verbosity=0)
    first = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == first


def test_every_common_theme_of_the_seed_has_a_deliverable(demo):
    for number, titles in SEED_THEMES.items():
        themes = CommonTheme.objects.filter(priority__number=number).order_by("order")
        assert list(themes.values_list("title", flat=True)) == titles
    used = Deliverable.objects.values("theme").distinct()
    assert not CommonTheme.objects.exclude(pk__in=used).exists()


def test_every_strategy_is_adopted_with_deliverables_under_each_priority(demo):
    assert set(Strategy.objects.adopted().values_list("partnership__slug", flat=True)) == ACTIVE
    for strategy in Strategy.objects.all():
        assert strategy.last_year == strategy.first_year + 2
        assert strategy.wider_objectives.count() == 4
        assert set(strategy.objectives.values_list("priority__number", flat=True)) == {1, 2, 3}
        assert 12 <= Deliverable.objects.for_partnership(strategy.partnership).count() <= 18


def test_demo_rows_pass_the_models_own_validation(demo):
    for model in (Strategy, Objective, Deliverable, Measure):
        for obj in model.objects.all():
            obj.full_clean()
    for alias in AreaAlias.objects.all():  # loaddata skips save(), which fills `normalised`
        assert alias.normalised == normalise_area_name(alias.name)


def test_every_measure_of_success_of_the_seed_exists(demo):
    assert dict(Measure.objects.values_list("slug", "desired_direction")) == SEED_MEASURES


def test_south_and_vale_baseline_adds_up_its_districts_2010_11_figures(demo):
    year = Period.objects.financial_year(BASELINE_YEAR)
    measure = Measure.objects.get(slug="acquisitive-crime")
    districts = MeasureValue.objects.filter(
        measure=measure, period=year, area__slug__in=["south-oxfordshire", "vale-of-white-horse"]
    )
    baseline = Baseline.objects.get(measure=measure, partnership__slug="south-and-vale")
    assert districts.count() == 2
    assert baseline.period == year
    assert baseline.value == sum(v.value for v in districts)
    assert baseline.value > 0


def test_a_year_figure_is_the_sum_of_its_quarters(demo):
    measure = Measure.objects.get(slug="anti-social-behaviour")
    quarters = [Period.objects.financial_quarter(BASELINE_YEAR, q) for q in (1, 2, 3, 4)]
    values = MeasureValue.objects.filter(measure=measure, area__slug="oxford")
    year = values.get(period=Period.objects.financial_year(BASELINE_YEAR)).value
    assert year == sum((v.value for v in values.filter(period__in=quarters)), Decimal(0))


def test_quarterly_figures_from_2008_09_to_2011_12_are_labelled_illustrative(demo):
    for first_year in (2008, 2009, 2010, 2011):
        for quarter in (1, 2, 3, 4):
            period = Period.objects.financial_quarter(first_year, quarter)
            assert MeasureValue.objects.filter(period=period).count() == 21 * 5
    assert set(MeasureValue.objects.values_list("source", flat=True)) == {ILLUSTRATIVE}
    assert set(Baseline.objects.values_list("source", flat=True)) == {ILLUSTRATIVE}


def test_every_demo_user_signs_in_with_the_documented_password(demo):
    assert set(User.objects.values_list("username", flat=True)) == set(DEMO_USERNAMES)
    for username in DEMO_USERNAMES:
        request = RequestFactory().post("/accounts/login/")  # django-axes wants to know where it came from
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None, username


def test_every_role_has_demo_users(demo):
    assert User.objects.filter(is_superuser=True).count() == 1
    assert User.objects.filter(is_scrutiny_member=True).count() == 2
    for slug in ACTIVE:
        roles = set(Membership.objects.filter(partnership__slug=slug).values_list("role", flat=True))
        assert roles == {Membership.Role.OFFICER, Membership.Role.LEAD}, slug


def test_officers_and_leads_work_for_active_partnerships(demo):
    active = Partnership.objects.active()
    assert set(active.values_list("slug", flat=True)) == ACTIVE
    assert not Membership.objects.exclude(partnership__in=active).exists()
