"""Changes to action plans that need more than one model's save, or that must not be lost."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q

from strategies.models import (
    Deliverable,
    DeliverableUpdate,
    Evidence,
    QuarterlyReview,
    ReportingQuarter,
    ReviewEvent,
    Strategy,
)


class EditConflict(Exception):
    """Someone else saved the same thing since this user started editing it."""

    def __init__(self, current, changes: list[tuple[str, str, str]]):
        super().__init__("Edited by someone else in the meantime.")
        self.current = current
        self.changes = changes


def save_versioned(obj: models.Model, *, expected_version: int | None, user):
    """Save ``obj`` unless someone else saved it after ``expected_version`` (optimistic locking).

    The check and the write are one UPDATE ... WHERE version = expected, so two simultaneous
    saves cannot both win. The model needs a ``version`` field and simple-history records.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is None:
            obj._history_user = user
            obj.full_clean()
            obj.save()
            return obj
        skip = {"id", "version"} | {
            f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
        }
        values = {
            f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname not in skip
        }
        updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
            version=F("version") + 1, **values
        )
        current = model.objects.get(pk=obj.pk)
        if not updated:
            raise EditConflict(current, changes_since(current, expected_version))
        # update() bypasses save(): save once more so auto_now fields and the history record follow.
        current._history_user = user
        current.save()
        return current


def deliverable_save(*, deliverable: Deliverable, expected_version: int | None, user) -> Deliverable:
    return save_versioned(deliverable, expected_version=expected_version, user=user)


def changes_since(current, version: int | None) -> list[tuple[str, str, str]]:
    """(field, who changed it, value now) for everything changed after the user's version."""
    records = list(current.history.select_related("history_user").order_by("-history_date", "-history_id"))
    if not records:
        return []
    newest = records[0]
    base = next((r for r in records if r.version == version), None)
    if base is None or base is newest:
        base = records[1] if len(records) > 1 else None
    if base is None:
        return []
    who = ", ".join(sorted({str(r.history_user or "someone") for r in records if r.version > base.version}))
    delta = newest.diff_against(base, excluded_fields=["version"])
    meta = type(current)._meta
    return [
        (
            meta.get_field(change.field).verbose_name,
            who,
            field_display(type(current), change.field, change.new),
        )
        for change in delta.changes
    ]


def field_display(model, field: str, value) -> str:
    """A stored value as people read it: choice labels, names rather than ids, dashes for blanks."""
    model_field = model._meta.get_field(field)
    if value in (None, ""):
        return "–"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        related = model_field.related_model.objects.filter(pk=getattr(value, "pk", value)).first()
        return str(related) if related else "(deleted)"
    return str(value)


def created_fields(update: DeliverableUpdate) -> list[tuple[str, str, str]]:
    """(field, who, value) for everything a just-created update says, for a conflict with its creation."""
    who = str(update.updated_by or "someone")
    return [
        (
            DeliverableUpdate._meta.get_field(name).verbose_name,
            who,
            field_display(DeliverableUpdate, name, value),
        )
        for name in ("status", "rag", "progress", "commentary")
        if (value := getattr(update, name)) not in (None, "")
    ]


def deliverable_history(deliverable: Deliverable, limit: int = 50) -> list[dict]:
    """Newest first: who, when, and each field's old -> new value, for the deliverable and its updates."""
    entries = _history_entries(Deliverable, deliverable.history.all(), limit)
    update_history = DeliverableUpdate.history.filter(deliverable_id=deliverable.pk).select_related(
        "quarter__period"
    )
    for entry in _history_entries(DeliverableUpdate, update_history, limit):
        entry["quarter"] = entry["record"].quarter
        entries.append(entry)
    entries.sort(key=lambda e: e["record"].history_date, reverse=True)
    return entries[:limit]


def _history_entries(model, history, limit):
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 2]
    )
    previous_of = {}
    by_object = {}
    for record in reversed(records):  # oldest first, per object
        previous_of[record.history_id] = by_object.get(record.id)
        by_object[record.id] = record
    entries = []
    for record in records[:limit]:
        older = previous_of.get(record.history_id)
        changes = None
        if older is None and model is DeliverableUpdate:  # a new update: show what it said
            changes = [
                {
                    "field": model._meta.get_field(name).verbose_name,
                    "old": "–",
                    "new": field_display(model, name, value),
                }
                for name in ("status", "rag", "progress", "commentary")
                if (value := getattr(record, name)) not in (None, "")
            ]
        elif older is not None:
            delta = record.diff_against(older, excluded_fields=["version", "updated_by"])
            changes = [
                {
                    "field": model._meta.get_field(c.field).verbose_name,
                    "old": field_display(model, c.field, c.old),
                    "new": field_display(model, c.field, c.new),
                }
                for c in delta.changes
            ]
        entries.append({"record": record, "changes": changes, "kind": model._meta.verbose_name})
    return entries


# --- Quarterly review ------------------------------------------------------------------------------


def strategy_for_quarter(partnership, quarter: ReportingQuarter) -> Strategy | None:
    """The strategy a partnership reviews in a quarter: the latest adopted (or since superseded) one
    whose three years include the quarter's financial year."""
    return (
        Strategy.objects.filter(
            partnership=partnership, status__in=[Strategy.Status.ADOPTED, Strategy.Status.SUPERSEDED]
        )
        .covering_year(quarter.period.financial_year)
        .select_related("framework")
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
        .select_related("objective__priority", "owner", "theme")
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


@dataclass
class RowResult:
    saved: bool = False
    conflict: EditConflict | None = None


def update_save(*, review: QuarterlyReview, update: DeliverableUpdate, expected_version: int | None, user):
    """Save one deliverable's quarterly update, keep the deliverable's current status in step, and
    refuse it if someone else saved the same update first or the quarter is locked."""
    with transaction.atomic():
        check_review_editable(review)
        if review.pk is None:
            # Two officers' first saves of the quarter can arrive together: get_or_create settles which
            # one creates the review (the other finds it) rather than one failing on the unique pair.
            review, _ = QuarterlyReview.objects.get_or_create(
                partnership=review.partnership, quarter=review.quarter, defaults={"status": review.status}
            )
        # Every save of this partnership's quarter queues here, so the checks below see committed work.
        review = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        check_review_editable(review)
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


def _transition(review: QuarterlyReview, *, allowed_from, to, action, user, comment="") -> QuarterlyReview:
    with transaction.atomic():
        if review.pk is None:
            review.save()
        current = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if current.status not in allowed_from:
            raise ValidationError(
                f"This review is {current.get_status_display().lower()}, so it cannot be "
                f"{ReviewEvent.Action(action).label.lower()} now."
            )
        current.status = to
        current._history_user = user
        current.save()
        ReviewEvent.objects.create(review=current, action=action, user=user, comment=comment)
        return current


def review_submit(*, review: QuarterlyReview, user, outstanding: int) -> QuarterlyReview:
    if not review.quarter.is_open():
        raise ValidationError(f"{review.quarter} is not open for updates.")
    if outstanding:
        needs = "deliverable still needs" if outstanding == 1 else "deliverables still need"
        raise ValidationError(f"{outstanding} {needs} an update for this quarter. Update them, then submit.")
    return _transition(
        review,
        allowed_from=QuarterlyReview.EDITABLE,
        to=QuarterlyReview.Status.SUBMITTED,
        action=ReviewEvent.Action.SUBMITTED,
        user=user,
    )


def review_return(*, review: QuarterlyReview, user, comment: str) -> QuarterlyReview:
    if not comment.strip():
        raise ValidationError("Say what needs changing: a comment is required to return a review.")
    return _transition(
        review,
        allowed_from=[QuarterlyReview.Status.SUBMITTED],
        to=QuarterlyReview.Status.RETURNED,
        action=ReviewEvent.Action.RETURNED,
        user=user,
        comment=comment.strip(),
    )


def review_sign_off(*, review: QuarterlyReview, user, comment: str = "") -> QuarterlyReview:
    return _transition(
        review,
        allowed_from=[QuarterlyReview.Status.SUBMITTED],
        to=QuarterlyReview.Status.SIGNED_OFF,
        action=ReviewEvent.Action.SIGNED_OFF,
        user=user,
        comment=comment.strip(),
    )


def review_unlock(*, review: QuarterlyReview, user, reason: str) -> QuarterlyReview:
    if not reason.strip():
        raise ValidationError("Give the reason for unlocking: it is kept with the review.")
    return _transition(
        review,
        allowed_from=[QuarterlyReview.Status.SIGNED_OFF, QuarterlyReview.Status.SUBMITTED],
        to=QuarterlyReview.Status.RETURNED,
        action=ReviewEvent.Action.UNLOCKED,
        user=user,
        comment=reason.strip(),
    )


def evidence_add(*, review: QuarterlyReview, update: DeliverableUpdate, evidence: Evidence, user) -> Evidence:
    with transaction.atomic():
        check_review_editable(review)
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
