"""The review services check for themselves, whatever the view checked before calling them: every write
to a review's contents re-reads the review under its row lock and refuses a quarter that was submitted,
signed off or closed after the request began."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from measures.models import Period
from reviews import services
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter
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
