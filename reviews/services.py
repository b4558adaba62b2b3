"""Quarterly reviews: which deliverables a partnership reviews, saving updates without losing anyone's
work, and the submit / return / sign-off / unlock transitions."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from partnerships.models import Membership, Notification
from partnerships.notifications import members, notify
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent
from strategies.models import Deliverable, Strategy
from strategies.services import EditConflict, changes_since, field_display, history_entries, save_versioned

UPDATE_FIELDS = ("status", "rag", "progress", "commentary")


def created_fields(update: DeliverableUpdate) -> list[tuple[str, str, str]]:
    """(field, who, value) for everything a just-created update says, for a conflict with its creation."""
    who = str(update.updated_by or "someone")
    return [
        (
            DeliverableUpdate._meta.get_field(name).verbose_name,
            who,
            field_display(DeliverableUpdate, name, value),
        )
        for name in UPDATE_FIELDS
        if (value := getattr(update, name)) not in (None, "")
    ]


def deliverable_history(deliverable: Deliverable, limit: int = 50) -> list[dict]:
    """Newest first: who, when, and each field's old -> new value, for the deliverable and its updates."""
    entries = history_entries(Deliverable, deliverable.history.all(), limit)
    update_history = DeliverableUpdate.history.filter(deliverable_id=deliverable.pk).select_related(
        "quarter__period"
    )
    for entry in history_entries(DeliverableUpdate, update_history, limit, show_created=UPDATE_FIELDS):
        entry["quarter"] = entry["record"].quarter
        entries.append(entry)
    entries.sort(key=lambda e: e["record"].history_date, reverse=True)
    return entries[:limit]


# --- Quarterly review ------------------------------------------------------------------------------


def strategy_for_quarter(partnership, quarter: ReportingQuarter) -> Strategy | None:
    """The strategy a partnership reviews in a quarter: the latest adopted (or since superseded) one
    whose three years include the quarter's financial year."""
    return (
        Strategy.objects.filter(
            partnership=partnership, status__in=[Strategy.Status.ADOPTED, Strategy.Status.SUPERSEDED]
        )
        .covering_year(quarter.period.financial_year)
        .order_by("-first_year")
        .first()
    )


def live_deliverables(strategy: Strategy | None, quarter: ReportingQuarter):
    """Deliverables to review in the quarter: those still open, and any updated in it (e.g. closed then)."""
    if strategy is None:
        return Deliverable.objects.none()
    return (
        Deliverable.objects.filter(objective__strategy=strategy)
        .filter(~Q(status__in=Deliverable.CLOSED_STATUSES) | Q(updates__quarter=quarter))
        .distinct()
        .select_related("objective__priority", "owner")
        .order_by("objective__priority__number", "objective__order", "objective_id", "pk")
    )


def previous_quarter(quarter: ReportingQuarter) -> ReportingQuarter | None:
    return (
        ReportingQuarter.objects.filter(period__end__lt=quarter.period.start)
        .select_related("period")
        .order_by("-period__end")
        .first()
    )


def get_review(partnership, quarter: ReportingQuarter) -> QuarterlyReview:
    """The partnership's review for the quarter; an unsaved one (in progress) until the first save."""
    review = QuarterlyReview.objects.filter(partnership=partnership, quarter=quarter).first()
    return review or QuarterlyReview(partnership=partnership, quarter=quarter)


def check_review_editable(review: QuarterlyReview) -> None:
    reason = review.lock_reason()
    if reason:
        raise PermissionDenied(reason)


def lock_review_for_writing(review: QuarterlyReview) -> QuarterlyReview:
    """The review, re-read under its row lock and checked editable; call inside ``transaction.atomic``.

    Every write to a review's contents (updates, evidence) queues here behind a submit, sign-off or
    other save of the same partnership's quarter, so a check made when the request began cannot let a
    write land after the quarter was submitted."""
    check_review_editable(review)
    if review.pk is None:
        # Two officers' first saves of the quarter can arrive together: get_or_create settles which
        # one creates the review (the other finds it) rather than one failing on the unique pair.
        review, _ = QuarterlyReview.objects.get_or_create(
            partnership=review.partnership, quarter=review.quarter, defaults={"status": review.status}
        )
    # Every write of this partnership's quarter queues here, so the checks below see committed work.
    review = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
    check_review_editable(review)
    return review


@dataclass
class RowResult:
    saved: bool = False
    conflict: EditConflict | None = None


def update_save(*, review: QuarterlyReview, update: DeliverableUpdate, expected_version: int | None, user):
    """Save one deliverable's quarterly update, keep the deliverable's current status in step, and
    refuse it if someone else saved the same update first or the quarter is locked."""
    if update.quarter_id != review.quarter_id:
        raise PermissionDenied("That update belongs to another quarter's review.")
    with transaction.atomic():
        review = lock_review_for_writing(review)
        if update.pk is None:
            # Someone else created this quarter's update after this user opened the form (the view
            # found none): theirs stands and this save is refused, as for any other conflict.
            existing = DeliverableUpdate.objects.filter(
                deliverable_id=update.deliverable_id, quarter_id=update.quarter_id
            ).first()
            if existing is not None:
                raise EditConflict(existing, changes_since(existing, None) or created_fields(existing))
        update.updated_by = user
        saved = save_versioned(update, expected_version=expected_version, user=user)
        Deliverable.objects.filter(pk=saved.deliverable_id).exclude(status=saved.status).update(
            status=saved.status
        )
        return saved


def _transition(
    review: QuarterlyReview, *, allowed_from, to, action, user, comment="", check=None
) -> QuarterlyReview:
    """Move a review from one of ``allowed_from`` to ``to`` under its row lock, with an event; ``check``
    runs under the lock and may refuse with a ValidationError."""
    with transaction.atomic():
        if review.pk is None:
            review.save()
        current = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if current.status not in allowed_from:
            raise ValidationError(
                f"This review is {current.get_status_display().lower()}, so it cannot be "
                f"{ReviewEvent.Action(action).label.lower()} now."
            )
        if check is not None:
            check(current)
        current.status = to
        current._history_user = user
        current.save()
        ReviewEvent.objects.create(review=current, action=action, user=user, comment=comment)
        return current


def outstanding_deliverables(review: QuarterlyReview):
    """Live deliverables with no update for the review's quarter yet."""
    strategy = strategy_for_quarter(review.partnership, review.quarter)
    return live_deliverables(strategy, review.quarter).exclude(updates__quarter=review.quarter)


def _tell(review: QuarterlyReview, kind: str, subject: str, message: str = "", roles=None) -> None:
    notify(members(review.partnership, roles=roles), kind, subject, message, review.get_absolute_url())


def review_submit(*, review: QuarterlyReview, user) -> QuarterlyReview:
    """Submit for sign-off, once every live deliverable has this quarter's update (counted here, under the
    review's row lock, so an update cannot be withdrawn between the count and the submit)."""
    if not review.quarter.is_open():
        raise ValidationError(f"{review.quarter} is not open for updates.")

    def nothing_outstanding(current):
        outstanding = outstanding_deliverables(current).count()
        if outstanding:
            needs = "deliverable still needs" if outstanding == 1 else "deliverables still need"
            raise ValidationError(
                f"{outstanding} {needs} an update for this quarter. Update them, then submit."
            )

    review = _transition(
        review,
        allowed_from=QuarterlyReview.EDITABLE,
        to=QuarterlyReview.Status.SUBMITTED,
        action=ReviewEvent.Action.SUBMITTED,
        user=user,
        check=nothing_outstanding,
    )
    _tell(
        review,
        Notification.Kind.SUBMITTED,
        f"{review.partnership.label}: {review.quarter} review submitted for your sign-off",
        f"{user} submitted the {review.quarter} review. Sign it off, or return it with a comment.",
        roles=[Membership.Role.LEAD],
    )
    return review


def review_return(*, review: QuarterlyReview, user, comment: str) -> QuarterlyReview:
    if not comment.strip():
        raise ValidationError("Say what needs changing: a comment is required to return a review.")
    review = _transition(
        review,
        allowed_from=[QuarterlyReview.Status.SUBMITTED],
        to=QuarterlyReview.Status.RETURNED,
        action=ReviewEvent.Action.RETURNED,
        user=user,
        comment=comment.strip(),
    )
    _tell(
        review,
        Notification.Kind.RETURNED,
        f"{review.partnership.label}: {review.quarter} review returned for changes",
        f"{user} returned the {review.quarter} review: “{comment.strip()}”",
        roles=[Membership.Role.OFFICER],
    )
    return review


def review_sign_off(*, review: QuarterlyReview, user, comment: str = "") -> QuarterlyReview:
    review = _transition(
        review,
        allowed_from=[QuarterlyReview.Status.SUBMITTED],
        to=QuarterlyReview.Status.SIGNED_OFF,
        action=ReviewEvent.Action.SIGNED_OFF,
        user=user,
        comment=comment.strip(),
    )
    _tell(
        review,
        Notification.Kind.SIGNED_OFF,
        f"{review.partnership.label}: {review.quarter} review signed off",
        f"{user} signed off the {review.quarter} review; it is locked as recorded.",
    )
    return review


def review_unlock(*, review: QuarterlyReview, user, reason: str) -> QuarterlyReview:
    if not reason.strip():
        raise ValidationError("Give the reason for unlocking: it is kept with the review.")
    review = _transition(
        review,
        allowed_from=QuarterlyReview.UNLOCKABLE,
        to=QuarterlyReview.Status.RETURNED,
        action=ReviewEvent.Action.UNLOCKED,
        user=user,
        comment=reason.strip(),
    )
    _tell(
        review,
        Notification.Kind.UNLOCKED,
        f"{review.partnership.label}: {review.quarter} review unlocked",
        f"An administrator ({user}) unlocked the {review.quarter} review: “{reason.strip()}”",
    )
    return review


def evidence_add(*, review: QuarterlyReview, update: DeliverableUpdate, evidence: Evidence, user) -> Evidence:
    if update.pk is None or update.quarter_id != review.quarter_id:
        raise PermissionDenied("Evidence goes with a saved update of this quarter's review.")
    with transaction.atomic():
        lock_review_for_writing(review)
        evidence.update = update
        evidence.added_by = user
        evidence._history_user = user
        evidence.save()
        return evidence


# --- Roll-up ---------------------------------------------------------------------------------------

ROLLUP_RULE = (
    "An objective's rating is the worst rating among its deliverables (red, then amber, then green; "
    "complete only when all are complete), and its progress is the average progress of its deliverables "
    "that were not dropped, counting complete ones as 100%. A priority rolls up its objectives' "
    "deliverables the same way. Deliverables with no update this quarter are left out and counted."
)


@dataclass
class Rollup:
    rag: str | None
    progress: int | None
    counted: int
    missing: int

    @property
    def rag_label(self) -> str:
        return DeliverableUpdate.Rag(self.rag).label if self.rag else "No updates yet"


def rollup(updates: list[DeliverableUpdate | None]) -> Rollup:
    present = [u for u in updates if u is not None and u.status != Deliverable.Status.DROPPED]
    missing = sum(1 for u in updates if u is None)
    if not present:
        return Rollup(rag=None, progress=None, counted=0, missing=missing)
    worst = max(present, key=lambda u: DeliverableUpdate.RAG_SEVERITY[u.rag]).rag
    progress_values = [100 if u.rag == DeliverableUpdate.Rag.COMPLETE else (u.progress or 0) for u in present]
    return Rollup(
        rag=worst,
        progress=round(sum(progress_values) / len(progress_values)),
        counted=len(present),
        missing=missing,
    )


# --- Quarters -------------------------------------------------------------------------------------


def quarters_open_due(
    *, today: datetime.date, opens_after_days: int, due_after_days: int
) -> list[ReportingQuarter]:
    """Schedule every finished quarter that has no reporting quarter yet, to open ``opens_after_days``
    after it ends (used by ``manage.py open_review_quarters``, run daily)."""
    from measures import periods
    from measures.models import Period

    fy, q = periods.quarter_of(today)
    q -= 1
    if q == 0:
        fy, q = fy - 1, 4
    period = Period.objects.financial_quarter(fy, q)
    opens_on = period.end + datetime.timedelta(days=opens_after_days)
    quarter, created = ReportingQuarter.objects.get_or_create(
        period=period,
        defaults={"opens_on": opens_on, "due_on": opens_on + datetime.timedelta(days=due_after_days)},
    )
    return [quarter] if created else []


def quarter_set_status(*, quarter: ReportingQuarter, status: str, user) -> ReportingQuarter:
    """Open, close or reschedule a reporting quarter (admins), recorded in its history."""
    if status not in ReportingQuarter.Status.values:
        raise ValidationError("Choose open, closed or not open yet.")
    was_open = quarter.is_open()
    quarter.status = status
    quarter._history_user = user
    quarter.save(update_fields=["status"])
    if quarter.is_open() and not was_open:
        quarter_opened(quarter)
    return quarter


def quarter_opened(quarter: ReportingQuarter) -> None:
    """Tell the people of every partnership reporting on the quarter that it is open for updates."""
    from reviews.clock import partnerships_on

    due = f" Updates are due by {quarter.due_on:%-d %B %Y}." if quarter.due_on else ""
    for partnership in partnerships_on(quarter.period.end):
        notify(
            members(partnership),
            Notification.Kind.QUARTER_OPENED,
            f"{partnership.label}: the {quarter} review is open",
            f"Update {partnership.label}'s action plan for {quarter}.{due}",
            QuarterlyReview(partnership=partnership, quarter=quarter).get_absolute_url(),
        )
