"""The review services check for themselves, whatever the view checked before calling them: every write
to a review's contents re-reads the review under its row lock and refuses a quarter that was submitted,
signed off or closed after the request began."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from measures.models import Period
from partnerships.models import Notification, PartnershipArea
from reviews import services
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
from strategies.models import Objective, Strategy
from tests import factories


@pytest.fixture
def review(world):
    """A's review of the open quarter, as a view read it at the start of a request (in progress)."""
    return QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter)


def new_update(world, **fields):
    defaults = {"deliverable": world.deliverable_a, "quarter": world.quarter, "status": "at_risk"}
    return DeliverableUpdate(**{**defaults, "rag": "amber", "progress": 20, "commentary": "Slip.", **fields})


def stale_copy(review):
    """What the view holds: read before someone else changed the review."""
    return QuarterlyReview.objects.select_related("quarter__period", "partnership").get(pk=review.pk)


@pytest.mark.parametrize("status", [QuarterlyReview.Status.SUBMITTED, QuarterlyReview.Status.SIGNED_OFF])
def test_update_save_refuses_a_review_submitted_after_the_request_began(world, review, status):
    held = stale_copy(review)
    QuarterlyReview.objects.filter(pk=review.pk).update(status=status)  # the lead, meanwhile
    update = world.update_a
    update.commentary = "Changed after the submit."
    with pytest.raises(PermissionDenied):
        services.update_save(
            review=held, update=update, expected_version=update.version, user=world.users["officer_a"]
        )
    assert DeliverableUpdate.objects.get(pk=update.pk).commentary == "Going well."


def test_update_save_refuses_a_quarter_closed_after_the_request_began(world, review):
    held = stale_copy(review)
    ReportingQuarter.objects.filter(pk=world.quarter.pk).update(status=ReportingQuarter.Status.CLOSED)
    update = world.update_a
    update.commentary = "Changed after the close."
    with pytest.raises(PermissionDenied):
        services.update_save(
            review=held, update=update, expected_version=update.version, user=world.users["officer_a"]
        )
    assert DeliverableUpdate.objects.get(pk=update.pk).commentary == "Going well."


def test_update_save_saves_an_editable_review_and_bumps_the_version(world, review):
    update = world.update_a
    update.commentary = "Now slipping."
    update.rag, update.status = "amber", "at_risk"
    saved = services.update_save(
        review=stale_copy(review), update=update, expected_version=1, user=world.users["officer_a"]
    )
    assert saved.version == 2
    assert DeliverableUpdate.objects.get(pk=update.pk).commentary == "Now slipping."
    world.deliverable_a.refresh_from_db()
    assert world.deliverable_a.status == "at_risk"  # kept in step


def test_update_save_refuses_an_update_of_another_quarter(world, review):
    other = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 2))
    with pytest.raises(PermissionDenied):
        services.update_save(
            review=review,
            update=new_update(world, quarter=other, deliverable=world.deliverable_b),
            expected_version=None,
            user=world.users["officer_a"],
        )
    assert not DeliverableUpdate.objects.filter(quarter=other).exists()


def test_update_save_creates_the_review_on_the_first_save(world):
    unsaved = services.get_review(world.a, world.quarter)
    assert unsaved.pk is None
    DeliverableUpdate.objects.all().delete()
    services.update_save(
        review=unsaved, update=new_update(world), expected_version=None, user=world.users["officer_a"]
    )
    assert QuarterlyReview.objects.filter(partnership=world.a, quarter=world.quarter).count() == 1


def test_update_save_refuses_a_first_save_when_someone_else_created_the_update(world, review):
    with pytest.raises(services.EditConflict):
        services.update_save(
            review=review, update=new_update(world), expected_version=None, user=world.users["officer_a"]
        )
    assert DeliverableUpdate.objects.get(pk=world.update_a.pk).commentary == "Going well."


def evidence():
    return Evidence(title="Minutes", file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"))


@pytest.mark.parametrize("status", [QuarterlyReview.Status.SUBMITTED, QuarterlyReview.Status.SIGNED_OFF])
def test_evidence_add_refuses_a_review_submitted_after_the_request_began(world, review, status):
    held = stale_copy(review)
    QuarterlyReview.objects.filter(pk=review.pk).update(status=status)
    before = Evidence.objects.count()
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            review=held, update=world.update_a, evidence=evidence(), user=world.users["officer_a"]
        )
    assert Evidence.objects.count() == before


def test_evidence_add_refuses_an_update_of_another_quarter(world, review):
    other = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 2))
    elsewhere = factories.DeliverableUpdateFactory(deliverable=world.deliverable_b, quarter=other)
    before = Evidence.objects.count()
    with pytest.raises(PermissionDenied):
        services.evidence_add(review=review, update=elsewhere, evidence=evidence(), user=world.users["admin"])
    assert Evidence.objects.count() == before


def test_evidence_add_adds_to_an_editable_review(world, review):
    added = services.evidence_add(
        review=stale_copy(review), update=world.update_a, evidence=evidence(), user=world.users["officer_a"]
    )
    assert added.pk and added.update == world.update_a and added.added_by == world.users["officer_a"]


def test_lock_review_for_writing_re_reads_the_review(world, review):
    held = stale_copy(review)
    QuarterlyReview.objects.filter(pk=review.pk).update(status=QuarterlyReview.Status.RETURNED)
    from django.db import transaction

    with transaction.atomic():
        locked = services.lock_review_for_writing(held)
    assert locked.status == QuarterlyReview.Status.RETURNED


# --- Submit, return, sign-off and unlock: each service checks the review's state itself ---------------

S = QuarterlyReview.Status


def review_in(world, status):
    return QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter, status=status)


def events(review):
    return list(ReviewEvent.objects.filter(review=review).values_list("action", "user__username", "comment"))


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RETURNED])
def test_submit_moves_an_editable_review_to_submitted_and_tells_the_lead(world, status):
    review = review_in(world, status)
    submitted = services.review_submit(review=review, user=world.users["officer_a"])
    assert submitted.status == S.SUBMITTED
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.SUBMITTED
    assert events(review) == [("submitted", "officer_a", "")]
    assert told(Notification.Kind.SUBMITTED) == ["lead_a"]


def test_submit_creates_the_review_when_none_was_saved(world):
    unsaved = services.get_review(world.a, world.quarter)
    services.review_submit(review=unsaved, user=world.users["officer_a"])
    assert QuarterlyReview.objects.get(partnership=world.a, quarter=world.quarter).status == S.SUBMITTED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.SIGNED_OFF])
def test_submit_refuses_a_review_already_submitted_or_signed_off(world, status):
    review = review_in(world, status)
    with pytest.raises(ValidationError, match="cannot be submitted for sign-off now"):
        services.review_submit(review=review, user=world.users["officer_a"])
    assert QuarterlyReview.objects.get(pk=review.pk).status == status
    assert events(review) == [] and told(Notification.Kind.SUBMITTED) == []


def test_submit_re_reads_the_review_under_its_lock(world):
    review = review_in(world, S.IN_PROGRESS)
    QuarterlyReview.objects.filter(pk=review.pk).update(status=S.SIGNED_OFF)  # meanwhile
    with pytest.raises(ValidationError):
        services.review_submit(review=review, user=world.users["officer_a"])
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.SIGNED_OFF


@pytest.mark.parametrize("status", [ReportingQuarter.Status.SCHEDULED, ReportingQuarter.Status.CLOSED])
def test_submit_refuses_a_quarter_not_open(world, status, settings):
    settings.REVIEW_AUTO_OPEN = False
    ReportingQuarter.objects.filter(pk=world.quarter.pk).update(status=status)
    review = review_in(world, S.IN_PROGRESS)
    with pytest.raises(ValidationError, match="is not open for updates"):
        services.review_submit(review=QuarterlyReview.objects.get(pk=review.pk), user=world.users["admin"])
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.IN_PROGRESS
    assert events(review) == []


@pytest.mark.parametrize(
    "missing, words",
    [(1, "1 deliverable still needs an update"), (2, "2 deliverables still need an update")],
)
def test_submit_refuses_while_deliverables_have_no_update(world, missing, words):
    factories.DeliverableFactory(objective=world.objective_a)
    if missing == 2:
        factories.DeliverableFactory(objective=world.objective_a)
    review = review_in(world, S.IN_PROGRESS)
    with pytest.raises(ValidationError, match=words):
        services.review_submit(review=review, user=world.users["officer_a"])
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.IN_PROGRESS
    assert events(review) == []


def test_submit_does_not_count_closed_deliverables_as_outstanding(world):
    factories.DeliverableFactory(objective=world.objective_a, status="complete")
    factories.DeliverableFactory(objective=world.objective_a, status="dropped")
    review = services.review_submit(review=review_in(world, S.IN_PROGRESS), user=world.users["officer_a"])
    assert review.status == S.SUBMITTED


def test_return_moves_a_submitted_review_back_with_the_comment_and_tells_the_officers(world):
    review = review_in(world, S.SUBMITTED)
    lead = world.users["lead_a"]
    returned = services.review_return(review=review, user=lead, comment="  Add the figures. ")
    assert returned.status == S.RETURNED
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.RETURNED
    assert events(review) == [("returned", "lead_a", "Add the figures.")]
    assert told(Notification.Kind.RETURNED) == ["officer_a"]
    assert "“Add the figures.”" in Notification.objects.get(kind=Notification.Kind.RETURNED).message


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_return_refuses_without_a_comment(world, comment):
    review = review_in(world, S.SUBMITTED)
    with pytest.raises(ValidationError, match="a comment is required"):
        services.review_return(review=review, user=world.users["lead_a"], comment=comment)
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.SUBMITTED
    assert events(review) == []


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RETURNED, S.SIGNED_OFF])
def test_return_refuses_a_review_not_submitted(world, status):
    review = review_in(world, status)
    with pytest.raises(ValidationError, match="cannot be returned for changes now"):
        services.review_return(review=review, user=world.users["lead_a"], comment="Why?")
    assert QuarterlyReview.objects.get(pk=review.pk).status == status
    assert events(review) == [] and told(Notification.Kind.RETURNED) == []


def test_sign_off_locks_a_submitted_review_and_tells_the_partnership(world):
    review = review_in(world, S.SUBMITTED)
    signed = services.review_sign_off(review=review, user=world.users["lead_a"], comment=" Agreed. ")
    assert signed.status == S.SIGNED_OFF and signed.is_locked
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.SIGNED_OFF
    assert events(review) == [("signed_off", "lead_a", "Agreed.")]
    assert told(Notification.Kind.SIGNED_OFF) == ["lead_a", "officer_a"]


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RETURNED, S.SIGNED_OFF])
def test_sign_off_refuses_a_review_not_submitted(world, status):
    review = review_in(world, status)
    with pytest.raises(ValidationError, match="cannot be signed off now"):
        services.review_sign_off(review=review, user=world.users["lead_a"])
    assert QuarterlyReview.objects.get(pk=review.pk).status == status
    assert events(review) == [] and told(Notification.Kind.SIGNED_OFF) == []


def test_sign_off_re_reads_the_review_under_its_lock(world):
    review = review_in(world, S.SUBMITTED)
    held = stale_copy(review)
    QuarterlyReview.objects.filter(pk=review.pk).update(status=S.RETURNED)  # returned meanwhile
    with pytest.raises(ValidationError, match="This review is returned for changes"):
        services.review_sign_off(review=held, user=world.users["lead_a"])
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.RETURNED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.SIGNED_OFF])
def test_unlock_returns_a_submitted_or_signed_off_review_with_the_reason(world, status):
    review = review_in(world, status)
    unlocked = services.review_unlock(review=review, user=world.users["admin"], reason=" Wrong figures. ")
    assert unlocked.status == S.RETURNED
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.RETURNED
    assert events(review) == [("unlocked", "admin", "Wrong figures.")]
    assert told(Notification.Kind.UNLOCKED) == ["lead_a", "officer_a"]
    assert "“Wrong figures.”" in Notification.objects.filter(kind=Notification.Kind.UNLOCKED).first().message


@pytest.mark.parametrize("reason", ["", "  "])
def test_unlock_refuses_without_a_reason(world, reason):
    review = review_in(world, S.SIGNED_OFF)
    with pytest.raises(ValidationError, match="Give the reason"):
        services.review_unlock(review=review, user=world.users["admin"], reason=reason)
    assert QuarterlyReview.objects.get(pk=review.pk).status == S.SIGNED_OFF
    assert events(review) == []


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RETURNED])
def test_unlock_refuses_a_review_that_is_not_locked(world, status):
    review = review_in(world, status)
    with pytest.raises(ValidationError, match="cannot be unlocked by an administrator now"):
        services.review_unlock(review=review, user=world.users["admin"], reason="Why not")
    assert QuarterlyReview.objects.get(pk=review.pk).status == status
    assert events(review) == [] and told(Notification.Kind.UNLOCKED) == []


def test_evidence_add_refuses_an_unsaved_update(world, review):
    before = Evidence.objects.count()
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            review=review, update=new_update(world), evidence=evidence(), user=world.users["officer_a"]
        )
    assert Evidence.objects.count() == before


@pytest.mark.parametrize("status", [ReportingQuarter.Status.SCHEDULED, ReportingQuarter.Status.CLOSED])
def test_evidence_add_refuses_a_quarter_not_open(world, review, status, settings):
    settings.REVIEW_AUTO_OPEN = False
    held = stale_copy(review)
    ReportingQuarter.objects.filter(pk=world.quarter.pk).update(status=status)
    before = Evidence.objects.count()
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            review=held, update=world.update_a, evidence=evidence(), user=world.users["officer_a"]
        )
    assert Evidence.objects.count() == before


# --- What the services say and record ---------------------------------------------------------------------


def test_a_first_save_refused_names_the_update_that_won_and_what_it_says(world, review):
    DeliverableUpdate.objects.all().delete()
    theirs = factories.DeliverableUpdateFactory(
        deliverable=world.deliverable_a, quarter=world.quarter, progress=None, commentary=""
    )  # blanks are not listed
    with pytest.raises(services.EditConflict) as refused:
        services.update_save(
            review=review, update=new_update(world), expected_version=None, user=world.users["officer_a"]
        )
    assert refused.value.current == theirs
    assert refused.value.changes == [("status", "someone", "On track"), ("RAG rating", "someone", "Green")]


def test_created_fields_name_who_made_the_update(world):
    world.update_a.updated_by = world.users["lead_a"]
    lead = str(world.users["lead_a"])
    assert services.created_fields(world.update_a) == [
        ("status", lead, "On track"),
        ("RAG rating", lead, "Green"),
        ("progress %", lead, "40"),
        ("commentary", lead, "Going well."),
    ]


def test_an_update_of_another_quarter_is_refused_in_words(world, review):
    other = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 2))
    with pytest.raises(PermissionDenied, match=r"^That update belongs to another quarter's review\.$"):
        services.update_save(
            review=review,
            update=new_update(world, quarter=other),
            expected_version=None,
            user=world.users["officer_a"],
        )


def test_evidence_for_no_saved_update_is_refused_in_words(world, review):
    with pytest.raises(
        PermissionDenied, match=r"^Evidence goes with a saved update of this quarter's review\.$"
    ):
        services.evidence_add(
            review=review, update=new_update(world), evidence=evidence(), user=world.users["officer_a"]
        )


def test_saves_are_recorded_in_the_history_as_the_person_who_made_them(world, review):
    officer, lead = world.users["officer_a"], world.users["lead_a"]
    update = world.update_a
    update.commentary = "Slipping."
    services.update_save(review=stale_copy(review), update=update, expected_version=1, user=officer)
    assert update.history.latest().history_user == officer
    added = services.evidence_add(review=stale_copy(review), update=update, evidence=evidence(), user=officer)
    assert added.history.latest().history_user == officer
    services.review_submit(review=stale_copy(review), user=officer)
    services.review_sign_off(review=stale_copy(review), user=lead)
    assert QuarterlyReview.history.filter(id=review.pk).latest().history_user == lead


def test_a_review_is_signed_off_without_a_comment(world):
    review = services.review_sign_off(review=review_in(world, S.SUBMITTED), user=world.users["lead_a"])
    assert events(review) == [("signed_off", "lead_a", "")]


def test_each_transition_tells_the_right_people_in_words_with_a_link(world):
    review = review_in(world, S.IN_PROGRESS)
    officer, lead, admin = (str(world.users[r]) for r in ("officer_a", "lead_a", "admin"))
    services.review_submit(review=review, user=world.users["officer_a"])
    services.review_return(review=review, user=world.users["lead_a"], comment="Add the figures.")
    services.review_submit(review=review, user=world.users["officer_a"])
    services.review_sign_off(review=review, user=world.users["lead_a"], comment="Agreed.")
    services.review_unlock(review=review, user=world.users["admin"], reason="Wrong figures.")
    told_now = sorted(Notification.objects.values_list("kind", "user__username", "subject", "message", "url"))
    url = review.get_absolute_url()
    submitted = (
        "submitted",
        "lead_a",
        "Alpha CSP: 2011/12 Q1 review submitted for your sign-off",
        f"{officer} submitted the 2011/12 Q1 review. Sign it off, or return it with a comment.",
        url,
    )
    returned = (
        "returned",
        "officer_a",
        "Alpha CSP: 2011/12 Q1 review returned for changes",
        f"{lead} returned the 2011/12 Q1 review: “Add the figures.”",
        url,
    )
    signed = [
        (
            "signed_off",
            who,
            "Alpha CSP: 2011/12 Q1 review signed off",
            f"{lead} signed off the 2011/12 Q1 review; it is locked as recorded.",
            url,
        )
        for who in ("lead_a", "officer_a")
    ]
    unlocked = [
        (
            "unlocked",
            who,
            "Alpha CSP: 2011/12 Q1 review unlocked",
            f"An administrator ({admin}) unlocked the 2011/12 Q1 review: “Wrong figures.”",
            url,
        )
        for who in ("lead_a", "officer_a")
    ]
    assert told_now == sorted([submitted, returned, submitted, *signed, *unlocked])


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda w, r: services.review_return(review=r, user=w.users["lead_a"], comment=" "),
            "Say what needs changing: a comment is required to return a review.",
        ),
        (
            lambda w, r: services.review_unlock(review=r, user=w.users["admin"], reason=""),
            "Give the reason for unlocking: it is kept with the review.",
        ),
    ],
)
def test_a_missing_comment_or_reason_is_refused_in_words(world, call, message):
    with pytest.raises(ValidationError) as refused:
        call(world, review_in(world, S.SUBMITTED))
    assert refused.value.messages == [message]


def test_get_review_finds_the_partnerships_review_of_that_quarter_only(world):
    other_quarter = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2011, 2))
    b_review = QuarterlyReview.objects.create(partnership=world.b, quarter=world.quarter)
    a_later = QuarterlyReview.objects.create(partnership=world.a, quarter=other_quarter)
    assert services.get_review(world.a, world.quarter).pk is None  # none yet: B's is not A's
    a_review = QuarterlyReview.objects.create(partnership=world.a, quarter=world.quarter)
    assert services.get_review(world.a, world.quarter) == a_review
    assert services.get_review(world.b, world.quarter) == b_review
    assert services.get_review(world.a, other_quarter) == a_later


def test_the_strategy_reviewed_is_the_latest_adopted_or_superseded_one_covering_the_year(world):
    quarter = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2012, 1))
    assert services.strategy_for_quarter(world.a, quarter) == world.strategy_a  # 2011-14
    factories.StrategyFactory(partnership=world.a, framework=world.framework, first_year=2012, status="draft")
    assert services.strategy_for_quarter(world.a, quarter) == world.strategy_a  # a draft is not reviewed
    newer = factories.StrategyFactory(partnership=world.a, framework=world.framework, first_year=2013)
    later = factories.ReportingQuarterFactory(period=Period.objects.financial_quarter(2013, 1))
    assert services.strategy_for_quarter(world.a, later) == newer
    Strategy.objects.filter(pk=newer.pk).update(status=Strategy.Status.SUPERSEDED)
    assert services.strategy_for_quarter(world.a, later) == newer  # still the one that year reported on
    assert services.strategy_for_quarter(world.b, later) == world.strategy_b
    Strategy.objects.filter(pk=world.strategy_b.pk).update(first_year=2008, last_year=2010)
    assert services.strategy_for_quarter(world.b, later) is None


def test_live_deliverables_come_by_priority_then_objective_order_then_as_added(world):
    strategy = world.strategy_a
    p1, p2 = world.priorities[0], world.priorities[1]
    later_objective = factories.ObjectiveFactory(strategy=strategy, priority=p1, order=5)
    first_objective = factories.ObjectiveFactory(strategy=strategy, priority=p1, order=0)
    same_order = factories.ObjectiveFactory(strategy=strategy, priority=p1, order=5)
    second_priority = factories.ObjectiveFactory(strategy=strategy, priority=p2, order=0)
    Objective.objects.filter(pk=world.objective_a.pk).update(order=3)
    made = {
        "p2": factories.DeliverableFactory(objective=second_priority),
        "same order, added later": factories.DeliverableFactory(objective=same_order),
        "order 5 (1)": factories.DeliverableFactory(objective=later_objective),
        "order 0": factories.DeliverableFactory(objective=first_objective),
        "order 5 (2)": factories.DeliverableFactory(objective=later_objective),
    }
    names = {d.pk: name for name, d in made.items()}
    names[world.deliverable_a.pk] = "order 3"
    live = services.live_deliverables(strategy, world.quarter)
    assert [names[d.pk] for d in live] == [
        "order 0",
        "order 3",
        "order 5 (1)",
        "order 5 (2)",
        "same order, added later",
        "p2",
    ]


def test_deliverable_history_shows_the_newest_fifty_changes_of_the_deliverable_and_its_updates(world):
    deliverable = world.deliverable_a
    for i in range(30):
        deliverable.title = f"Edit {i}"
        deliverable.save()
        world.update_a.commentary = f"Update {i}"
        world.update_a.save()
    history = services.deliverable_history(deliverable)
    assert len(history) == 50
    dates = [entry["record"].history_date for entry in history]
    assert dates == sorted(dates, reverse=True)
    assert history[0]["kind"] == "deliverable update" and history[0]["quarter"] == world.quarter
    assert [c["new"] for c in history[0]["changes"]] == ["Update 29"]
    assert [c["new"] for c in history[1]["changes"]] == ["Edit 29"]


def test_an_updates_first_record_shows_what_it_was_created_with(world):
    history = services.deliverable_history(world.deliverable_a)
    created = next(e for e in history if e["kind"] == "deliverable update")
    assert [(c["field"], c["new"]) for c in created["changes"]] == [
        ("status", "On track"),
        ("RAG rating", "Green"),
        ("progress %", "40"),
        ("commentary", "Going well."),
    ]


def test_rollup_counts_what_was_updated_and_what_was_not():
    update = DeliverableUpdate
    assert services.rollup([None, None]) == services.Rollup(rag=None, progress=None, counted=0, missing=2)
    assert services.rollup([]) == services.Rollup(rag=None, progress=None, counted=0, missing=0)
    dropped = update(status="dropped", rag="green", progress=10)
    assert services.rollup([dropped, None]) == services.Rollup(rag=None, progress=None, counted=0, missing=1)
    rows = [
        update(status="at_risk", rag="amber", progress=None),
        update(status="on_track", rag="green", progress=50),
    ]
    assert services.rollup([*rows, None]) == services.Rollup(rag="amber", progress=25, counted=2, missing=1)
    done = update(status="complete", rag="complete", progress=None)
    assert services.rollup([done, rows[1]]) == services.Rollup(rag="green", progress=75, counted=2, missing=0)
    assert services.rollup([done]).rag_label == "Complete"
    assert services.rollup([None]).rag_label == "No updates yet"


# --- Running the reporting quarters ------------------------------------------------------------------------


def test_setting_a_quarter_open_tells_every_partnership_reporting_on_it_once(world):
    ReportingQuarter.objects.filter(pk=world.quarter.pk).update(
        status="closed", due_on=datetime.date(2011, 7, 31)
    )
    quarter = ReportingQuarter.objects.get(pk=world.quarter.pk)
    admin = world.users["admin"]
    assert services.quarter_set_status(quarter=quarter, status="open", user=admin).status == "open"
    assert ReportingQuarter.objects.get(pk=quarter.pk).status == "open"
    assert quarter.history.latest().history_user == admin
    told_now = sorted(Notification.objects.values_list("user__username", "subject", "message", "url"))
    for_a = (
        "Alpha CSP: the 2011/12 Q1 review is open",
        "Update Alpha CSP's action plan for 2011/12 Q1. Updates are due by 31 July 2011.",
        QuarterlyReview(partnership=world.a, quarter=quarter).get_absolute_url(),
    )
    for_b = (
        "Beta CSP: the 2011/12 Q1 review is open",
        "Update Beta CSP's action plan for 2011/12 Q1. Updates are due by 31 July 2011.",
        QuarterlyReview(partnership=world.b, quarter=quarter).get_absolute_url(),
    )
    assert told_now == sorted([("lead_a", *for_a), ("officer_a", *for_a), ("officer_b", *for_b)])
    services.quarter_set_status(quarter=quarter, status="open", user=admin)  # already open: nobody again
    services.quarter_set_status(quarter=quarter, status="closed", user=admin)
    assert Notification.objects.count() == 3


def test_a_quarter_opened_without_a_due_date_says_none_and_skips_partnerships_not_reporting(world):
    PartnershipArea.objects.filter(partnership=world.b).update(start=datetime.date(2011, 7, 1))
    quarter = ReportingQuarter.objects.get(pk=world.quarter.pk)
    services.quarter_opened(quarter)
    assert set(Notification.objects.values_list("message", flat=True)) == {
        "Update Alpha CSP's action plan for 2011/12 Q1."
    }
    assert not Notification.objects.filter(user=world.users["officer_b"]).exists()


def test_a_quarter_is_set_only_to_a_status_there_is(world):
    quarter = ReportingQuarter.objects.get(pk=world.quarter.pk)
    with pytest.raises(ValidationError) as refused:
        services.quarter_set_status(quarter=quarter, status="paused", user=world.users["admin"])
    assert refused.value.messages == ["Choose open, closed or not open yet."]
    assert ReportingQuarter.objects.get(pk=quarter.pk).status == "open"


def test_setting_a_status_saves_only_the_status(world):
    quarter = ReportingQuarter.objects.get(pk=world.quarter.pk)
    quarter.opens_on = datetime.date(2030, 1, 1)  # changed in memory, not for saving
    services.quarter_set_status(quarter=quarter, status="closed", user=world.users["admin"])
    assert ReportingQuarter.objects.get(pk=quarter.pk).opens_on == world.quarter.opens_on


@pytest.mark.parametrize(
    "today, year, q",
    [
        (datetime.date(2012, 4, 1), 2011, 4),  # the first day of a financial year: last year's Q4
        (datetime.date(2012, 6, 30), 2011, 4),
        (datetime.date(2012, 7, 1), 2012, 1),
        (datetime.date(2013, 1, 15), 2012, 3),
        (datetime.date(2013, 3, 31), 2012, 3),
    ],
)
def test_each_finished_quarter_is_scheduled_once_to_open_after_it_ends(db, today, year, q):
    made = services.quarters_open_due(today=today, opens_after_days=3, due_after_days=30)
    period = Period.objects.financial_quarter(year, q)
    assert [(m.period, m.opens_on, m.due_on, m.status) for m in made] == [
        (
            period,
            period.end + datetime.timedelta(days=3),
            period.end + datetime.timedelta(days=33),
            ReportingQuarter.Status.SCHEDULED,
        )
    ]
    assert ReportingQuarter.objects.get(period=period) == made[0]
    assert services.quarters_open_due(today=today, opens_after_days=3, due_after_days=30) == []
    assert ReportingQuarter.objects.count() == 1
