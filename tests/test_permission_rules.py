"""The permission layer called directly, role by role: the yes/no rules on the models (``can_*``,
``lock_reason``, the user's roles) and the user-scoped lookups that turn them into 404 and 403.

tests/test_permissions.py drives every URL as every role; this module pins each rule on its own, so that
``make mutation`` (mutmut over the permission layer) finds a test for every condition in it, quickly.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from partnerships.models import Membership, Merger, PartnershipArea
from partnerships.permissions import admin_required, check_can_edit, get_partnership_for_user
from reviews.models import QuarterlyReview, ReportingQuarter
from reviews.permissions import (
    get_evidence_for_user,
    get_quarter_for_user,
    get_review_for_user,
    get_update_for_user,
)
from strategies.models import Deliverable, Strategy
from strategies.permissions import get_deliverable_for_user, get_objective_for_user, get_strategy_for_user
from tests import factories

ROLES = [
    "anonymous",
    "no_role",
    "officer_a",
    "lead_a",
    "officer_b",
    "scrutiny",
    "admin",
    "former_admin",
    "staff",
]


@pytest.fixture
def users(world):
    """Every role, and two that look like one: an admin no longer active, and staff status alone."""
    former_admin = factories.UserFactory(username="former_admin", is_superuser=True, is_active=False)
    staff = factories.UserFactory(username="staff", is_staff=True)
    return {**world.users, "anonymous": AnonymousUser(), "former_admin": former_admin, "staff": staff}


def who(users, rule):
    """The roles for which ``rule(user)`` is true."""
    return {role for role in ROLES if rule(users[role])}


EDITORS = {"officer_a", "lead_a", "admin"}


# --- The user's roles ------------------------------------------------------------------------------------


def test_only_an_active_superuser_is_an_admin(users):
    assert who(users, lambda u: getattr(u, "is_admin", False)) == {"admin"}


def test_a_role_is_admin_scrutiny_or_a_membership(users):
    users["former_scrutiny"] = factories.UserFactory(is_scrutiny_member=True, is_active=False)
    roles = {role for role in [*ROLES[1:], "former_scrutiny"] if users[role].has_role}
    assert roles == {"officer_a", "lead_a", "officer_b", "scrutiny", "admin"}


def test_membership_roles_say_which_partnership_and_which_role(world, users):
    assert users["officer_a"].membership_roles == {world.a.pk: Membership.Role.OFFICER}
    assert users["lead_a"].membership_roles == {world.a.pk: Membership.Role.LEAD}
    assert users["anonymous"].is_authenticated is False
    assert users["no_role"].membership_roles == {}
    assert who(users, lambda u: u.is_authenticated and u.is_member_of(world.a.pk)) == {"officer_a", "lead_a"}
    assert who(users, lambda u: u.is_authenticated and u.is_lead_of(world.a.pk)) == {"lead_a"}
    assert who(users, lambda u: u.is_authenticated and u.is_lead_of(world.b.pk)) == set()


def test_membership_roles_of_a_user_not_signed_in_are_empty():
    from partnerships.models import User

    class NotSignedIn:
        is_authenticated = False

    assert User.membership_roles.func(NotSignedIn()) == {}


@pytest.mark.parametrize(
    "role, label",
    [
        ("admin", "Administrator"),
        ("scrutiny", "Scrutiny committee member"),
        ("lead_a", "Partnership lead"),
        ("officer_a", "Partnership officer"),
        ("no_role", "No role yet"),
    ],
)
def test_role_label(users, role, label):
    assert users[role].role_label == label


# --- Partnerships ------------------------------------------------------------------------------------------


def test_a_partnerships_plan_is_changed_by_its_people_and_admins(world, users):
    assert who(users, world.a.can_edit) == EDITORS
    assert who(users, world.b.can_edit) == {"officer_b", "admin"}


def test_a_partnerships_reviews_are_read_by_its_people_scrutiny_and_admins(world, users):
    assert who(users, world.a.can_view_reviews) == EDITORS | {"scrutiny"}


def test_a_partnerships_review_is_signed_off_by_its_lead_and_admins(world, users):
    assert who(users, world.a.can_sign_off) == {"lead_a", "admin"}
    assert who(users, world.b.can_sign_off) == {"admin"}


@pytest.mark.parametrize(
    "is_pilot, ended, expected", [(True, False, {"admin"}), (False, False, set()), (True, True, set())]
)
def test_a_running_pilot_is_ended_by_an_admin(world, users, is_pilot, ended, expected):
    merger = Merger.objects.create(
        successor=world.a,
        effective_from=datetime.date(2011, 4, 1),
        is_pilot=is_pilot,
        ended_on=datetime.date(2012, 4, 1) if ended else None,
    )
    assert who(users, lambda u: not u.is_anonymous and merger.can_end(u)) == expected


# --- Strategies and deliverables -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, editors",
    [("draft", EDITORS), ("adopted", EDITORS), ("superseded", set())],
)
def test_a_strategy_and_its_deliverables_are_changed_by_its_people_until_superseded(
    world, users, status, editors
):
    Strategy.objects.filter(pk=world.strategy_a.pk).update(status=status)
    strategy = Strategy.objects.get(pk=world.strategy_a.pk)
    assert who(users, strategy.can_edit) == editors
    world.deliverable_a.objective.strategy = strategy
    assert who(users, world.deliverable_a.can_edit) == editors


@pytest.mark.parametrize("status, adopters", [("draft", {"lead_a", "admin"}), ("adopted", set())])
def test_a_draft_is_adopted_by_its_lead_or_an_admin(world, users, status, adopters):
    strategy = factories.StrategyFactory(
        partnership=world.a, framework=world.framework, first_year=2012, status=status
    )
    assert who(users, strategy.can_adopt) == adopters


# --- Reviews ---------------------------------------------------------------------------------------------

S = QuarterlyReview.Status


def review_of(world, status=S.IN_PROGRESS):
    return QuarterlyReview(partnership=world.a, quarter=world.quarter, status=status)


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RETURNED])
def test_an_open_reviews_updates_are_changed_by_the_partnerships_people(world, users, status):
    assert who(users, review_of(world, status).can_edit) == EDITORS


@pytest.mark.parametrize("status", [S.SUBMITTED, S.SIGNED_OFF])
def test_a_submitted_or_signed_off_review_is_changed_by_nobody(world, users, status):
    assert who(users, review_of(world, status).can_edit) == set()


def test_a_review_of_a_closed_quarter_is_changed_by_nobody(world, users, settings):
    settings.REVIEW_AUTO_OPEN = False
    world.quarter.status = ReportingQuarter.Status.CLOSED
    assert who(users, review_of(world).can_edit) == set()


@pytest.mark.parametrize(
    "status, signers",
    [(S.SUBMITTED, {"lead_a", "admin"}), (S.IN_PROGRESS, set()), (S.RETURNED, set()), (S.SIGNED_OFF, set())],
)
def test_only_a_submitted_review_is_signed_off_by_its_lead_or_an_admin(world, users, status, signers):
    assert who(users, review_of(world, status).can_sign_off) == signers


@pytest.mark.parametrize(
    "status, unlockers",
    [(S.SUBMITTED, {"admin"}), (S.SIGNED_OFF, {"admin"}), (S.IN_PROGRESS, set()), (S.RETURNED, set())],
)
def test_a_submitted_or_signed_off_review_is_unlocked_by_an_admin(world, users, status, unlockers):
    assert who(users, lambda u: not u.is_anonymous and review_of(world, status).can_unlock(u)) == unlockers


def test_a_review_is_read_by_whoever_reads_the_partnerships_reviews(world, users):
    assert who(users, review_of(world).can_view) == EDITORS | {"scrutiny"}


def test_lock_reason_says_why_in_each_case(world, settings):
    settings.REVIEW_AUTO_OPEN = False
    assert review_of(world).lock_reason() == ""
    assert "signed off and locked" in review_of(world, S.SIGNED_OFF).lock_reason()
    assert "submitted for sign-off" in review_of(world, S.SUBMITTED).lock_reason()
    assert review_of(world, S.RETURNED).lock_reason() == ""
    world.quarter.status = ReportingQuarter.Status.SCHEDULED
    assert review_of(world).lock_reason() == "2011/12 Q1 is not open for updates (not open yet)."


def test_a_partnership_that_did_not_report_on_the_quarter_can_change_nothing(world, users, settings):
    PartnershipArea.objects.filter(partnership=world.a).update(start=datetime.date(2011, 7, 1))
    review = review_of(world)
    assert "did not report on 2011/12 Q1" in review.lock_reason()
    assert who(users, review.can_edit) == set()


@pytest.mark.parametrize(
    "today, is_open", [(datetime.date(2011, 7, 1), True), (datetime.date(2011, 6, 30), False)]
)
def test_a_scheduled_quarter_opens_by_itself_on_its_date_when_the_site_says_so(
    world, settings, today, is_open
):
    settings.REVIEW_AUTO_OPEN = True
    quarter = ReportingQuarter(
        period=world.quarter.period, status="scheduled", opens_on=datetime.date(2011, 7, 1)
    )
    assert quarter.is_open(today) is is_open
    settings.REVIEW_AUTO_OPEN = False
    assert quarter.is_open(today) is False


@pytest.mark.parametrize(
    "today, is_open",
    [(datetime.date(2011, 6, 30), False), (datetime.date(2011, 7, 1), True)],
)
def test_lock_reason_is_judged_on_the_day_given(world, settings, today, is_open):
    settings.REVIEW_AUTO_OPEN = True
    ReportingQuarter.objects.filter(pk=world.quarter.pk).update(
        status="scheduled", opens_on=datetime.date(2011, 7, 1)
    )
    review = QuarterlyReview(partnership=world.a, quarter=ReportingQuarter.objects.get(pk=world.quarter.pk))
    reason = review.lock_reason(today)
    assert reason == ("" if is_open else "2011/12 Q1 is not open for updates (not open yet).")


# --- The lookups: 404 for outsiders, 403 for read-only roles ---------------------------------------------


def outcome(call):
    try:
        call()
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return 200


WRITE_A = {"no_role": 404, "officer_a": 200, "lead_a": 200, "officer_b": 404, "scrutiny": 403, "admin": 200}
WRITE_A["staff"] = 404


def outcomes(users, call):
    return {role: outcome(lambda role=role: call(users[role])) for role in WRITE_A}


def test_check_can_edit_gives_404_to_outsiders_and_403_to_scrutiny(world, users):
    assert outcomes(users, lambda u: check_can_edit(u, world.a)) == WRITE_A


def test_a_partnership_is_read_by_anyone_and_changed_by_its_people(world, users):
    assert set(outcomes(users, lambda u: get_partnership_for_user(u, "alpha")).values()) == {200}
    assert outcomes(users, lambda u: get_partnership_for_user(u, "alpha", write=True)) == WRITE_A
    assert outcome(lambda: get_partnership_for_user(users["admin"], "no-such-slug")) == 404


def test_the_queryset_given_is_the_one_searched(world, users):
    from partnerships.models import Partnership

    with pytest.raises(Http404):
        get_partnership_for_user(users["admin"], "alpha", queryset=Partnership.objects.filter(slug="beta"))
    assert get_partnership_for_user(users["admin"], "alpha", queryset=Partnership.objects.all()) == world.a


def test_admin_pages_refuse_everyone_else(users):
    view = admin_required(lambda request: HttpResponse("ok"))
    results = {}
    for role in ROLES[1:]:
        request = RequestFactory().get("/")
        request.user = users[role]
        results[role] = outcome(lambda request=request: view(request))
    assert {role for role, code in results.items() if code == 200} == {"admin"}
    assert view.__name__ == "<lambda>"  # wraps keeps the view's own name


@pytest.mark.parametrize("lookup", ["strategy", "objective", "deliverable"])
def test_plans_are_read_by_anyone_and_changed_by_their_people(world, users, lookup):
    get, pk = {
        "strategy": (get_strategy_for_user, world.strategy_a.pk),
        "objective": (get_objective_for_user, world.objective_a.pk),
        "deliverable": (get_deliverable_for_user, world.deliverable_a.pk),
    }[lookup]
    assert set(outcomes(users, lambda u: get(u, pk)).values()) == {200}
    assert outcomes(users, lambda u: get(u, pk, write=True)) == WRITE_A
    assert outcome(lambda: get(users["admin"], 10_000)) == 404
    assert get(users["officer_a"], pk, write=True).pk == pk


@pytest.mark.parametrize("lookup", ["strategy", "objective", "deliverable"])
def test_a_superseded_plan_is_changed_by_nobody(world, users, lookup):
    Strategy.objects.filter(pk=world.strategy_a.pk).update(status=Strategy.Status.SUPERSEDED)
    get, pk = {
        "strategy": (get_strategy_for_user, world.strategy_a.pk),
        "objective": (get_objective_for_user, world.objective_a.pk),
        "deliverable": (get_deliverable_for_user, world.deliverable_a.pk),
    }[lookup]
    expected = {**WRITE_A, "officer_a": 403, "lead_a": 403, "admin": 403}
    assert outcomes(users, lambda u: get(u, pk, write=True)) == expected
    with pytest.raises(PermissionDenied, match="superseded"):
        get(users["officer_a"], pk, write=True)


def test_reporting_quarters_are_read_by_anyone_and_run_by_admins(world, users):
    assert set(outcomes(users, lambda u: get_quarter_for_user(u, world.quarter.pk)).values()) == {200}
    run = outcomes(users, lambda u: get_quarter_for_user(u, world.quarter.pk, write=True))
    assert {role for role, code in run.items() if code == 200} == {"admin"}
    assert set(run.values()) == {200, 403}
    assert outcome(lambda: get_quarter_for_user(users["admin"], 10_000)) == 404


def test_review_pages_are_the_partnerships_working_area(world, users):
    read = outcomes(users, lambda u: get_review_for_user(u, "alpha", world.quarter.pk))
    assert read == {**WRITE_A, "scrutiny": 200}
    assert outcomes(users, lambda u: get_review_for_user(u, "alpha", world.quarter.pk, write=True)) == WRITE_A
    signing = outcomes(users, lambda u: get_review_for_user(u, "alpha", world.quarter.pk, sign_off=True))
    assert signing == {**WRITE_A, "officer_a": 403}
    review = get_review_for_user(users["lead_a"], "alpha", world.quarter.pk, sign_off=True)
    assert (review.partnership, review.quarter) == (world.a, world.quarter)
    assert outcome(lambda: get_review_for_user(users["admin"], "alpha", 10_000)) == 404


def test_a_review_names_only_its_own_partnerships_deliverables(world, users):
    review = get_review_for_user(users["officer_a"], "alpha", world.quarter.pk)
    assert get_update_for_user(users["officer_a"], review, world.deliverable_a.pk) == world.deliverable_a
    assert outcome(lambda: get_update_for_user(users["admin"], review, world.deliverable_b.pk)) == 404


def test_evidence_is_read_by_the_partnerships_people_scrutiny_and_admins(world, users):
    read = outcomes(users, lambda u: get_evidence_for_user(u, world.evidence_a.pk))
    assert read == {**WRITE_A, "scrutiny": 200}
    assert get_evidence_for_user(users["scrutiny"], world.evidence_a.pk) == world.evidence_a
    assert outcome(lambda: get_evidence_for_user(users["admin"], 10_000)) == 404


# --- What each refusal says (a 403's words are shown on the page; a 404's only in the logs) ----------------


def refusal(call):
    try:
        call()
    except (Http404, PermissionDenied) as refused:
        return type(refused).__name__, str(refused)
    return None


def test_each_refusal_says_why(world, users):
    officer_b, scrutiny, officer_a = users["officer_b"], users["scrutiny"], users["officer_a"]
    plans = "Scrutiny committee members can read plans but not change them."
    assert refusal(lambda: check_can_edit(scrutiny, world.a)) == ("PermissionDenied", plans)
    assert refusal(lambda: check_can_edit(officer_b, world.a)) == ("Http404", "No such page for you.")
    assert refusal(lambda: get_quarter_for_user(officer_a, world.quarter.pk, write=True)) == (
        "PermissionDenied",
        "Only administrators open and close reporting quarters.",
    )
    assert refusal(lambda: get_review_for_user(officer_b, "alpha", world.quarter.pk)) == (
        "Http404",
        "No such review for you.",
    )
    assert refusal(lambda: get_review_for_user(officer_a, "alpha", world.quarter.pk, sign_off=True)) == (
        "PermissionDenied",
        "Only Alpha CSP's lead can sign off or return its review.",
    )
    assert refusal(lambda: get_evidence_for_user(officer_b, world.evidence_a.pk)) == (
        "Http404",
        "No such evidence for you.",
    )


# --- What each lookup brings with it (the pages read these without another query) -------------------------


def test_each_lookup_reads_what_its_pages_use_in_one_query(world, users, django_assert_num_queries):
    admin = users["admin"]
    admin.membership_roles  # noqa: B018 (loaded once per request, before any lookup)
    Deliverable.objects.filter(pk=world.deliverable_a.pk).update(owner=users["lead_a"])
    with django_assert_num_queries(1):
        strategy = get_strategy_for_user(admin, world.strategy_a.pk)
        assert (strategy.partnership.slug, strategy.framework.county) == ("alpha", "Testshire")
    with django_assert_num_queries(1):
        objective = get_objective_for_user(admin, world.objective_a.pk)
        assert objective.strategy.partnership.slug == "alpha"
        assert (objective.strategy.framework.county, objective.priority.number) == ("Testshire", 1)
    with django_assert_num_queries(1):
        deliverable = get_deliverable_for_user(admin, world.deliverable_a.pk)
        assert deliverable.objective.strategy.partnership.slug == "alpha"
        assert (deliverable.objective.priority.number, deliverable.owner, deliverable.theme) == (
            1,
            users["lead_a"],
            world.theme,
        )
    with django_assert_num_queries(1):
        assert get_quarter_for_user(admin, world.quarter.pk).period.label == "2011/12 Q1"
    with django_assert_num_queries(1):
        evidence = get_evidence_for_user(admin, world.evidence_a.pk)
        assert evidence.update.deliverable.objective.strategy.partnership.slug == "alpha"
    review = get_review_for_user(admin, "alpha", world.quarter.pk)
    with django_assert_num_queries(1):
        found = get_update_for_user(admin, review, world.deliverable_a.pk)
        assert (found.objective.strategy.first_year, found.objective.priority.number, found.owner) == (
            2011,
            1,
            users["lead_a"],
        )
