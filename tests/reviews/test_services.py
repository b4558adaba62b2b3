"""The review services check for themselves, whatever the view checked before calling them: every write
to a review's contents re-reads the review under its row lock and refuses a quarter that was submitted,
signed off or closed after the request began."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile

from measures.models import Period
from partnerships.models import Notification
from reviews import services
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
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
