"""User-scoped lookups for everything a review URL names: quarters, reviews, deliverables within a
review, and evidence (see partnerships.permissions for the rules they share).

- Review pages are the partnership's working area: its own people, scrutiny members and admins read
  them (``Partnership.can_view_reviews``); other partnerships' officers get 404.
- Changing a review needs ``Partnership.can_edit``; signing off needs ``Partnership.can_sign_off``;
  running the reporting quarters needs an admin.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships.permissions import get_partnership_for_user
from reviews.models import Evidence, QuarterlyReview, ReportingQuarter
from reviews.services import get_review
from strategies.models import Deliverable


def get_quarter_for_user(user, pk: int, *, write: bool = False) -> ReportingQuarter:
    quarter = get_object_or_404(ReportingQuarter.objects.select_related("period"), pk=pk)
    if write and not user.is_admin:
        raise PermissionDenied("Only administrators open and close reporting quarters.")
    return quarter


def get_review_for_user(
    user, slug: str, quarter_pk: int, *, write: bool = False, sign_off: bool = False
) -> QuarterlyReview:
    """The partnership's review of the quarter (unsaved until its first change)."""
    partnership = get_partnership_for_user(user, slug, write=write or sign_off)
    if not partnership.can_view_reviews(user):
        raise Http404("No such review for you.")
    if sign_off and not partnership.can_sign_off(user):
        raise PermissionDenied(f"Only {partnership}'s lead can sign off or return its review.")
    return get_review(partnership, get_quarter_for_user(user, quarter_pk))


def get_update_for_user(user, review: QuarterlyReview, pk: int) -> Deliverable:
    """The deliverable whose update for the review's quarter a URL names: one of the review's
    partnership's (404 for anyone else's). Its update may not exist yet."""
    return get_object_or_404(
        Deliverable.objects.select_related("objective__strategy", "objective__priority", "owner"),
        pk=pk,
        objective__strategy__partnership=review.partnership,
    )


def get_evidence_for_user(user, pk: int) -> Evidence:
    """Evidence is private to the partnership's people, scrutiny members and admins: 404 for other
    partnerships' officers (see Partnership.can_view_reviews)."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("update__deliverable__objective__strategy__partnership"), pk=pk
    )
    partnership = evidence.update.deliverable.objective.strategy.partnership
    if not partnership.can_view_reviews(user):
        raise Http404("No such evidence for you.")
    return evidence
