"""Page builders for the review pages: what each page shows, built from the querysets it reads, so the
views only orchestrate (lookup, form, one call, message, render)."""

from dataclasses import dataclass, field

from reviews import clock
from reviews.forms import DeliverableUpdateForm, RowEvidenceForm
from reviews.models import DeliverableUpdate, QuarterlyReview, ReportingQuarter
from reviews.services import (
    ROLLUP_RULE,
    EditConflict,
    deliverable_history,
    evidence_add,
    get_review,
    live_deliverables,
    previous_quarter,
    rollup,
    strategy_for_quarter,
    update_save,
)
from strategies.models import Deliverable, Strategy
from strategies.refresh import carried_chain

CONFLICT_MESSAGE = (
    "Someone else saved this update while you were editing it. Your changes are "
    "below and have not been saved: check them against theirs, then save again."
)


@dataclass
class ReviewRow:
    deliverable: Deliverable
    form: DeliverableUpdateForm
    current: DeliverableUpdate | None
    previous: DeliverableUpdate | None
    evidence_form: RowEvidenceForm | None = None
    conflict: EditConflict | None = None


@dataclass
class ReviewPage:
    review: QuarterlyReview
    strategy: Strategy | None
    previous_quarter: ReportingQuarter | None
    rows: list[ReviewRow] = field(default_factory=list)

    @property
    def outstanding(self) -> list[ReviewRow]:
        return [row for row in self.rows if row.current is None]


def build_review(review: QuarterlyReview, data=None, files=None) -> ReviewPage:
    """Every live deliverable with last quarter's update beside this quarter's form (7 queries)."""
    quarter = review.quarter
    strategy = strategy_for_quarter(review.partnership, quarter)
    deliverables = list(live_deliverables(strategy, quarter))
    in_plan = DeliverableUpdate.objects.filter(deliverable__objective__strategy=strategy)
    # Read-only rows say who made each update (``updated_by``): joined here, not looked up row by row.
    current = {
        u.deliverable_id: u
        for u in in_plan.filter(quarter=quarter).select_related("updated_by").prefetch_related("evidence")
    }
    before = previous_quarter(quarter)
    previous = {u.deliverable_id: u for u in in_plan.filter(quarter=before)} if before else {}
    rows = [
        ReviewRow(
            deliverable=d,
            form=DeliverableUpdateForm(
                data,
                prefix=f"d{d.pk}",
                instance=current.get(d.pk),
                deliverable=d,
                quarter=quarter,
                previous=previous.get(d.pk),
                objective_no_change=bool(data and data.get(f"o{d.objective_id}-no_change")),
            ),
            current=current.get(d.pk),
            previous=previous.get(d.pk),
            evidence_form=RowEvidenceForm(data, files, prefix=f"e{d.pk}"),
        )
        for d in deliverables
    ]
    return ReviewPage(review=review, strategy=strategy, previous_quarter=before, rows=rows)


def save_review_rows(page: ReviewPage, data, user) -> tuple[int, int]:
    """Save every row that changed, each on its own: (saved, needing attention). A row with errors or a
    conflict keeps what was typed; ``data`` is brought up to the versions now stored."""
    saved = problems = 0
    for row in page.rows:
        form = row.form
        if row.evidence_form.given and not row.evidence_form.is_valid():
            problems += 1
            continue
        if not form.has_changed():
            problems += _add_row_evidence(page.review, row, row.current, user)
            continue
        if not form.is_valid():
            problems += 1
            continue
        try:
            update = update_save(
                review=page.review,
                update=form.save(commit=False),
                expected_version=form.expected_version,
                user=user,
            )
        except EditConflict as conflict:
            row.conflict = conflict
            data[f"{form.prefix}-version"] = conflict.current.version
            form.add_error(
                None, "Someone else saved this update while you were editing it; your text is kept below."
            )
            problems += 1
        else:
            saved += 1
            data[f"{form.prefix}-version"] = update.version
            problems += _add_row_evidence(page.review, row, update, user)
    return saved, problems


def _add_row_evidence(review, row: ReviewRow, update, user) -> int:
    """Add the row's evidence (a link, a file or both) to its update for the quarter: 0, or 1 problem."""
    if not row.evidence_form.given:
        return 0
    if update is None:
        row.evidence_form.add_error(
            None, "Save this quarter's update (or tick “No change since last quarter”) to add its evidence."
        )
        return 1
    for evidence in row.evidence_form.evidence():
        evidence_add(review=review, update=update, evidence=evidence, user=user)
    return 0


def rebuild_after_problems(page: ReviewPage, data, files=None) -> ReviewPage:
    """The page again after a partial save: saved rows show their stored values, rows still being fixed
    keep their forms and conflicts."""
    review = get_review(page.review.partnership, page.review.quarter)
    rebuilt = build_review(review, data)
    for row, old in zip(rebuilt.rows, page.rows, strict=True):
        if old.form.errors or old.conflict:
            row.form, row.conflict = old.form, old.conflict
        if old.evidence_form.errors:
            row.evidence_form = old.evidence_form
    return rebuilt


def group_rows(rows):
    """Rows grouped by priority, then objective, each with its roll-up."""
    priorities = {}
    for row in rows:
        objective = row.deliverable.objective
        group = priorities.setdefault(
            objective.priority_id, {"priority": objective.priority, "objectives": {}}
        )
        group["objectives"].setdefault(objective.pk, {"objective": objective, "rows": []})["rows"].append(row)
    result = []
    for group in priorities.values():
        objectives = list(group["objectives"].values())
        for item in objectives:
            item["rollup"] = rollup([r.current for r in item["rows"]])
        all_rows = [r for item in objectives for r in item["rows"]]
        result.append(
            {
                "priority": group["priority"],
                "objectives": objectives,
                "rollup": rollup([r.current for r in all_rows]),
            }
        )
    return result


def review_context(page: ReviewPage, user) -> dict:
    review = page.review
    return {
        "partnership": review.partnership,
        "quarter": review.quarter,
        "review": review,
        "strategy": page.strategy,
        "previous_quarter": page.previous_quarter,
        "groups": group_rows(page.rows),
        "rows": page.rows,
        "outstanding": page.outstanding,
        "problems": [row for row in page.rows if row.form.errors or row.evidence_form.errors],
        "lock_reason": review.lock_reason(),
        "returned": review.latest_return(),
        "can_edit": review.can_edit(user),
        "can_sign_off": review.can_sign_off(user),
        "can_unlock": review.can_unlock(user),
        "read_only": not review.partnership.can_edit(user),
        "events": review.events.select_related("user") if review.pk else [],
        "rollup_rule": ROLLUP_RULE,
    }


def update_context(review: QuarterlyReview, deliverable: Deliverable) -> dict:
    """One deliverable's update for the review's quarter, last quarter's beside it, and its evidence."""
    quarter = review.quarter
    before = previous_quarter(quarter)
    return {
        "partnership": review.partnership,
        "quarter": quarter,
        "review": review,
        "deliverable": deliverable,
        "current": DeliverableUpdate.objects.filter(deliverable=deliverable, quarter=quarter).first(),
        "previous": (
            DeliverableUpdate.objects.filter(deliverable=deliverable, quarter=before).first()
            if before
            else None
        ),
        "previous_quarter": before,
        "lock_reason": review.lock_reason(),
    }


def reviews_index_context(user) -> dict:
    """Every reporting quarter and where each partnership reporting on it stands (a partnership that did
    not exist then, or had merged away, shows as such: the past reads as it was)."""
    quarters = list(ReportingQuarter.objects.latest_first())
    states = clock.quarter_states(quarters)
    partnerships = sorted(
        {p.pk: p for state in states.values() for p in state.partnerships}.values(), key=lambda p: p.name
    )
    viewable = {p.pk for p in partnerships if p.can_view_reviews(user)}
    table = [
        {
            "quarter": q,
            "state": states[q.pk],
            "cells": [
                (p, states[q.pk].state_of(p), states[q.pk].label_of(p), p.pk in viewable)
                for p in partnerships
            ],
        }
        for q in quarters
    ]
    return {
        "table": table,
        "partnerships": partnerships,
        "can_run_quarters": user.is_admin,
        "final_rule": clock.FINAL_RULE,
    }


def deliverable_context(deliverable: Deliverable, user, as_at) -> dict:
    """A deliverable, its quarterly updates (with those of the strategies it was carried from) and the
    full history of changes."""
    strategy = deliverable.objective.strategy
    chain = carried_chain(deliverable)  # earlier strategies' versions of this work
    return {
        "deliverable": deliverable,
        "strategy": strategy,
        "history": deliverable_history(deliverable),
        "can_view_reviews": strategy.partnership.can_view_reviews(user),
        "updates": DeliverableUpdate.objects.filter(deliverable__in=chain)
        .select_related("quarter__period", "updated_by", "deliverable__objective__strategy")
        .prefetch_related("evidence")
        .order_by("-quarter__period__end"),
        "carried_from": chain[1] if len(chain) > 1 else None,
        "locked_quarters": set(
            QuarterlyReview.objects.filter(
                partnership=strategy.partnership_id, status=QuarterlyReview.Status.SIGNED_OFF
            ).values_list("quarter_id", flat=True)
        ),
        "as_at": as_at,
        "overdue": deliverable.is_overdue(as_at),
        "can_edit": deliverable.can_edit(user),
    }


def review_progress(partnership, quarter) -> dict:
    """Where a partnership's review of the open quarter stands, for its officers' home page."""
    strategy = strategy_for_quarter(partnership, quarter)
    live = live_deliverables(strategy, quarter)
    total = live.count()
    updated = live.filter(updates__quarter=quarter).count()
    review = get_review(partnership, quarter)
    return {
        "quarter": quarter,
        "review": review,
        "returned": review.latest_return(),
        "total": total,
        "updated": updated,
        "percent": round(updated * 100 / total) if total else 100,
    }
