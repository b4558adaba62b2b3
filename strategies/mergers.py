"""Mergers and splits: partnerships change shape from a date on, and the past stays as recorded.

A merger makes a new partnership from predecessors on a date: it takes their areas from that
date, their open deliverables and their memberships; its baselines add up theirs where the measure
is additive. A pilot merger can end: from a date the partnerships split again, each open deliverable
going to the predecessor chosen for it.

Open work is *carried*, never moved: the new home gets a new deliverable that points back to the old
one (``carried_from``, as the annual refresh does), so the old partnership's strategy, reviews,
updates, evidence and sign-offs stay exactly as they were recorded, and the deliverable's page shows
its earlier updates from its new home. Drafts in flight (a refresh's draft strategy not yet adopted)
are carried the same way and then removed from the partnership that no longer exists. Figures are
kept per area, so dashboards show the partnerships as they were in each quarter (see reviews.clock
and measures.figures).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from measures import periods
from measures.models import BASELINE_YEAR, Baseline, Measure, Period
from partnerships.models import Membership, Merger, Partnership, PartnershipArea
from strategies.models import Deliverable, Objective, Priority, Strategy

DAY = datetime.timedelta(days=1)


def _current_strategy(partnership, on: datetime.date):

    return (
        Strategy.objects.filter(partnership=partnership, status=Strategy.Status.ADOPTED)
        .covering_year(periods.financial_year_of(on))
        .order_by("-first_year")
        .first()
    )


def carry(deliverable: Deliverable, target: Strategy, *, user, reason: str, objectives: dict) -> Deliverable:
    """A new deliverable in ``target`` continuing ``deliverable`` (which stays as recorded), under an
    objective of the same title and priority number (made once per old objective: ``objectives``)."""
    old = deliverable.objective
    if old.pk not in objectives:
        priority = Priority.objects.filter(framework=target.framework_id, number=old.priority.number).first()
        if priority is None:
            raise ValidationError(f"{target} has no priority {old.priority.number} for “{old.title}”.")
        objectives[old.pk], _ = Objective.objects.get_or_create(
            strategy=target,
            priority=priority,
            title=old.title,
            defaults={"order": old.order, "carried_from": old},
        )
    objective = objectives[old.pk]
    copy = Deliverable(
        objective=objective,
        title=deliverable.title,
        description=deliverable.description,
        lead_agency=deliverable.lead_agency,
        owner_id=deliverable.owner_id,
        due_date=deliverable.due_date,
        theme=deliverable.theme
        if deliverable.theme_id and deliverable.theme.priority_id == objective.priority_id
        else None,
        status=deliverable.status,
        closure_note=deliverable.closure_note,
        carried_from=deliverable,
    )
    copy._history_user = user
    copy._change_reason = reason
    copy.save()
    return copy


def _carry_open_deliverables(*, source, target, user, reason: str) -> int:
    """Carry a strategy's open deliverables into another strategy; the source keeps them as recorded."""
    objectives = {}
    carried = 0
    for deliverable in Deliverable.objects.filter(objective__strategy=source).select_related(
        "objective__priority", "theme"
    ):
        if deliverable.is_closed:
            continue
        carry(deliverable, target, user=user, reason=reason, objectives=objectives)
        carried += 1
    return carried


def _carry_drafts(drafts, partnership_for, *, user, reason: str) -> list[Strategy]:
    """Carry each draft strategy's deliverables into drafts of the same span for the partnership
    ``partnership_for(deliverable)`` names, then remove the old drafts (nothing in a draft was adopted,
    reviewed or signed off; its history is kept)."""
    made = {}
    for draft in drafts:
        objectives = defaultdict(dict)
        for deliverable in Deliverable.objects.filter(objective__strategy=draft).select_related(
            "objective__priority", "theme"
        ):
            partnership = partnership_for(deliverable)
            key = (partnership.pk, draft.first_year)
            if key not in made:
                made[key], _ = Strategy.objects.get_or_create(
                    partnership=partnership,
                    first_year=draft.first_year,
                    defaults={
                        "framework": draft.framework,
                        "status": Strategy.Status.DRAFT,
                        "summary": draft.summary,
                    },
                )
            carry(deliverable, made[key], user=user, reason=reason, objectives=objectives[key])
        draft._history_user = user
        draft._change_reason = reason
        draft.delete()
    return list(made.values())


def _combined_baseline(
    measure: Measure, baselines: list[Baseline], populations: list[int | None]
) -> Decimal | None:
    if measure.is_additive:
        return sum((b.value for b in baselines), Decimal(0))
    if any(not p for p in populations):
        return None
    total = sum(populations)
    return sum((b.value * p for b, p in zip(baselines, populations, strict=True)), Decimal(0)) / total


@transaction.atomic
def partnerships_merge(
    *,
    predecessors,
    name: str,
    effective_from: datetime.date,
    is_pilot: bool,
    user,
    slug: str = "",
    short_name: str = "",
    note: str = "",
) -> Merger:
    predecessors = list(predecessors)
    if len(predecessors) < 2:
        raise ValidationError("Choose at least two partnerships to merge.")
    day_before = effective_from - DAY
    for p in predecessors:
        if not PartnershipArea.objects.filter(partnership=p).covering(day_before).exists():
            raise ValidationError(
                f"{p} covers no area on {day_before:%d %B %Y}, so it cannot merge from then."
            )
    successor = Partnership.objects.create(name=name, short_name=short_name, slug=slug or slugify(name)[:120])
    merger = Merger.objects.create(
        successor=successor, effective_from=effective_from, is_pilot=is_pilot, note=note
    )
    merger.predecessors.set(predecessors)

    # Areas: the predecessors' end the day before; the merged partnership's start on the day.
    populations = defaultdict(list)
    for row in (
        PartnershipArea.objects.filter(partnership__in=predecessors)
        .covering(day_before)
        .select_related("area")
    ):
        row.end = day_before
        row.save(update_fields=["end"])
        PartnershipArea.objects.create(partnership=successor, area=row.area, start=effective_from)
        populations[row.partnership_id].append(row.area.population)

    # People: everyone moves across; a lead of either predecessor is a lead of the merged partnership.
    for membership in Membership.objects.filter(partnership__in=predecessors).select_related("user"):
        existing = Membership.objects.filter(user=membership.user, partnership=successor).first()
        if existing is None:
            Membership.objects.create(user=membership.user, partnership=successor, role=membership.role)
        elif membership.role == Membership.Role.LEAD and existing.role != Membership.Role.LEAD:
            existing.role = Membership.Role.LEAD
            existing.save(update_fields=["role"])
        membership._history_user = user
        membership.delete()

    # The plan: one strategy for the merged partnership; open deliverables move into it.
    names = " and ".join(p.name for p in predecessors)

    sources = [s for s in (_current_strategy(p, day_before) for p in predecessors) if s is not None]
    if sources:
        first = min(sources, key=lambda s: s.first_year)
        strategy = Strategy.objects.create(
            partnership=successor,
            framework=first.framework,
            first_year=first.first_year,
            status=Strategy.Status.ADOPTED,
            adopted_on=effective_from,
            summary=f"One strategy for {names} from {effective_from:%-d %B %Y}.",
        )
        strategy.wider_objectives.set(first.wider_objectives.all())
        for source in sources:
            _carry_open_deliverables(
                source=source, target=strategy, user=user, reason=f"Carried to {successor} on the merger"
            )
            source.status = Strategy.Status.SUPERSEDED
            source._history_user = user
            source._change_reason = f"Merged into {successor}"
            source.save()

    # Drafts in flight (a refresh not yet adopted): carried into the merged partnership's drafts.
    drafts = Strategy.objects.filter(partnership__in=predecessors, status=Strategy.Status.DRAFT)
    _carry_drafts(drafts, lambda d: successor, user=user, reason=f"Carried to {successor} on the merger")

    # Baselines: added up for counts, averaged by population for rates and percentages.
    by_measure = defaultdict(list)
    for baseline in Baseline.objects.filter(partnership__in=predecessors).select_related("period"):
        by_measure[baseline.measure_id].append(baseline)
    weights = {p.pk: sum(x or 0 for x in populations[p.pk]) or None for p in predecessors}
    for measure in Measure.objects.filter(pk__in=by_measure):
        baselines = by_measure[measure.pk]
        if len(baselines) != len(predecessors):
            continue  # a predecessor has no baseline: a combined one would be partial
        value = _combined_baseline(measure, baselines, [weights[b.partnership_id] for b in baselines])
        if value is None:
            continue
        periods_used = {b.period_id for b in baselines}
        Baseline.objects.create(
            measure=measure,
            partnership=successor,
            period=baselines[0].period
            if len(periods_used) == 1
            else Period.objects.financial_year(BASELINE_YEAR),
            value=value,
            source="Combined from the predecessors' baselines on the merger",
        )
    return merger


@transaction.atomic
def merger_end(*, merger: Merger, ended_on: datetime.date, assignments: dict[int, int], user) -> Merger:
    """End a pilot merger: from ``ended_on`` the predecessors stand alone again, each taking back its
    areas and the open deliverables assigned to it (every open deliverable must be assigned)."""

    merger = Merger.objects.select_for_update().get(pk=merger.pk)
    if not merger.is_pilot:
        raise ValidationError(
            "Only a pilot merger can end; split a permanent one by forming new partnerships."
        )
    if merger.ended_on:
        raise ValidationError(f"This merger already ended on {merger.ended_on:%d %B %Y}.")
    if ended_on <= merger.effective_from:
        raise ValidationError("A merger must end after the date it took effect.")
    predecessors = {p.pk: p for p in merger.predecessors.all()}
    successor = merger.successor
    day_before = ended_on - DAY
    strategy = _current_strategy(successor, day_before)
    open_deliverables = (
        list(
            Deliverable.objects.filter(objective__strategy=strategy).exclude(
                status__in=Deliverable.CLOSED_STATUSES
            )
        )
        if strategy
        else []
    )
    open_ids = {d.pk for d in open_deliverables}
    draft_only = [
        d
        for d in Deliverable.objects.filter(
            objective__strategy__partnership=successor, objective__strategy__status=Strategy.Status.DRAFT
        )
        if d.carried_from_id not in open_ids
    ]
    missing = [
        d.title for d in [*open_deliverables, *draft_only] if assignments.get(d.pk) not in predecessors
    ]
    if missing:
        raise ValidationError(f"Choose a partnership for every open deliverable: {', '.join(missing[:5])}.")

    merger.ended_on = ended_on
    merger._history_user = user
    merger.save()
    # Areas go back to the predecessor that had them before the merger.
    before = merger.effective_from - DAY
    for row in PartnershipArea.objects.filter(partnership=successor).covering(day_before):
        row.end = day_before
        row.save(update_fields=["end"])
    for row in PartnershipArea.objects.filter(partnership__in=predecessors.values()).covering(before):
        PartnershipArea.objects.create(partnership_id=row.partnership_id, area_id=row.area_id, start=ended_on)

    # The plan: each predecessor gets a strategy again and takes the deliverables assigned to it.
    if strategy is not None:
        targets = {}
        for pk, predecessor in predecessors.items():
            targets[pk] = Strategy.objects.create(
                partnership=predecessor,
                framework=strategy.framework,
                first_year=strategy.first_year,
                status=Strategy.Status.ADOPTED,
                adopted_on=ended_on,
                summary=f"Strategy again after the {successor} pilot ended on {ended_on:%d %B %Y}.",
            )
        objectives = defaultdict(dict)
        for deliverable in open_deliverables:
            pk = assignments[deliverable.pk]
            reason = f"Carried to {targets[pk].partnership} when the pilot ended"
            carry(deliverable, targets[pk], user=user, reason=reason, objectives=objectives[pk])
        strategy.status = Strategy.Status.SUPERSEDED
        strategy._history_user = user
        strategy._change_reason = "The pilot merger ended"
        strategy.save()

    # Drafts in flight: each deliverable goes where its open original went (or as assigned).
    def partnership_for(deliverable):
        pk = assignments.get(deliverable.carried_from_id) or assignments.get(deliverable.pk)
        return predecessors[pk]

    drafts = list(Strategy.objects.filter(partnership=successor, status=Strategy.Status.DRAFT))
    _carry_drafts(drafts, partnership_for, user=user, reason="Carried back when the pilot ended")

    # People: the merged partnership's people keep access to every former partnership; admins tidy up.
    for membership in Membership.objects.filter(partnership=successor):
        for predecessor in predecessors.values():
            Membership.objects.get_or_create(
                user_id=membership.user_id, partnership=predecessor, defaults={"role": membership.role}
            )
    return merger


def deliverables_to_assign(partnership) -> list[Deliverable]:
    """What ending a pilot hands back, each to a predecessor the admin chooses: the open deliverables of
    the partnership's adopted strategy, and those of its drafts that do not continue one of them."""
    strategy = Strategy.objects.filter(partnership=partnership, status=Strategy.Status.ADOPTED).first()
    open_ones = (
        list(
            Deliverable.objects.filter(objective__strategy=strategy).exclude(
                status__in=Deliverable.CLOSED_STATUSES
            )
        )
        if strategy
        else []
    )
    open_ids = {d.pk for d in open_ones}
    drafts = Deliverable.objects.filter(
        objective__strategy__partnership=partnership, objective__strategy__status=Strategy.Status.DRAFT
    )
    return open_ones + [d for d in drafts if d.carried_from_id not in open_ids]


# --- Previews: what a merger or the end of a pilot will do, before anything is written ----------------


@dataclass
class PartnershipChange:
    """What one partnership will see: what moves to or from it, and what stays as recorded."""

    partnership: Partnership | str
    moves: list[str] = field(default_factory=list)
    stays: list[str] = field(default_factory=list)


def _recorded_reviews(partnership_ids) -> dict[int, list[str]]:
    """Each partnership's quarterly reviews, oldest first, read through the reverse relation's model (the
    reviews app sits above this one, so it is not imported)."""
    reviews = Partnership._meta.get_field("reviews").related_model.objects
    recorded = defaultdict(list)
    for r in (
        reviews.filter(partnership__in=partnership_ids)
        .select_related("quarter__period")
        .order_by("quarter__period__end")
    ):
        recorded[r.partnership_id].append(f"{r.quarter.period.label}: {r.get_status_display().lower()}")
    return recorded


def _quarters_from(day: datetime.date) -> list[str]:
    """Reporting quarters ending on or after the day."""
    return list(
        Period.objects.filter(reporting_quarter__isnull=False, end__gte=day)
        .order_by("end")
        .values_list("label", flat=True)
    )


def merge_preview(*, predecessors, name: str, effective_from: datetime.date) -> list[PartnershipChange]:
    """Each predecessor's areas, open work, drafts and people go to the merged partnership from the date;
    its recorded reviews, closed work and figures stay as they are. Seven queries, however many
    partnerships are merged: each kind of thing is read for all of them at once."""
    predecessors = list(predecessors)
    day_before = effective_from - DAY
    ids = [p.pk for p in predecessors]
    areas = defaultdict(list)
    coverage = PartnershipArea.objects.filter(partnership__in=ids).covering(day_before)
    for row in coverage.select_related("area"):
        areas[row.partnership_id].append(row.area.name)
    sources = {}
    current = (
        Strategy.objects.filter(partnership__in=ids, status=Strategy.Status.ADOPTED)
        .covering_year(periods.financial_year_of(day_before))
        .order_by("partnership_id", "-first_year")
    )
    for strategy in current:
        sources.setdefault(strategy.partnership_id, strategy)
    open_work, closed_count = defaultdict(list), defaultdict(int)
    for d in Deliverable.objects.filter(objective__strategy__in=list(sources.values())).select_related(
        "objective"
    ):
        if d.is_closed:
            closed_count[d.objective.strategy_id] += 1
        else:
            open_work[d.objective.strategy_id].append(d)
    drafts = defaultdict(list)
    for draft in Strategy.objects.filter(partnership__in=ids, status=Strategy.Status.DRAFT):
        drafts[draft.partnership_id].append(draft)
    people = defaultdict(list)
    for membership in Membership.objects.filter(partnership__in=ids).select_related("user"):
        people[membership.partnership_id].append(membership.user)
    reviews = _recorded_reviews(ids)

    merged = PartnershipChange(partnership=name)
    changes = []
    for p in predecessors:
        change = PartnershipChange(partnership=p)
        if areas[p.pk]:
            change.moves.append(f"Areas from {effective_from:%-d %B %Y}: {', '.join(areas[p.pk])}.")
        source = sources.get(p.pk)
        if source is not None:
            open_ones = open_work[source.pk]
            change.moves.append(
                f"{len(open_ones)} open deliverable(s) carried into {name}'s "
                f"strategy (copies that point back; the originals and their updates stay here)."
            )
            closed = closed_count[source.pk]
            change.stays.append(
                f"The {source.span_label} strategy, read-only from the merger, with {closed} completed or "
                "dropped deliverable(s) and every open one as recorded."
            )
            merged.moves.extend(f"{d.title} (from {p.label})" for d in open_ones)
        for draft in drafts[p.pk]:
            change.moves.append(
                f"The draft {draft.span_label} strategy: carried into {name}'s draft, then removed."
            )
        if people[p.pk]:
            names = ", ".join(str(user) for user in people[p.pk])
            change.moves.append(f"People: {names} become members of {name}.")
        change.stays.append(
            "Its quarterly reviews, updates, evidence and sign-offs, exactly as recorded"
            + (f" ({'; '.join(reviews[p.pk])})." if reviews[p.pk] else " (none yet).")
        )
        change.stays.append(
            "Its figures for every quarter before the merger, on every page, export and paper."
        )
        changes.append(change)
    quarters = _quarters_from(effective_from)
    if quarters:
        merged.stays.append(
            f"{name} reports on {', '.join(quarters)}; the predecessors are not asked for these quarters."
        )
    return [*changes, merged]


def split_preview(
    *, merger: Merger, ended_on: datetime.date, assignments: dict[int, int]
) -> list[PartnershipChange]:
    """Each predecessor takes back its areas and the work assigned to it from the date; the pilot's own
    record (its reviews and sign-offs, its strategy) stays as it is."""
    successor = merger.successor
    predecessors = {p.pk: p for p in merger.predecessors.all()}
    changes = {pk: PartnershipChange(partnership=p) for pk, p in predecessors.items()}
    before = merger.effective_from - DAY
    for row in (
        PartnershipArea.objects.filter(partnership__in=predecessors.values())
        .covering(before)
        .select_related("area")
    ):
        changes[row.partnership_id].moves.append(f"Takes back {row.area.name} from {ended_on:%-d %B %Y}.")
    for d in deliverables_to_assign(successor):
        pk = assignments.get(d.pk)
        if pk in changes:
            changes[pk].moves.append(f"Carries on “{d.title}”.")
    quarters = _quarters_from(ended_on)
    for change in changes.values():
        change.stays.append(
            f"Reports from {quarters[0] if quarters else 'the next quarter'}; nothing is asked of it for "
            f"quarters before {ended_on:%-d %B %Y}."
        )
    pilot = PartnershipChange(partnership=successor)
    reviews = _recorded_reviews([successor.pk])[successor.pk]
    pilot.stays.append(
        "Its quarterly reviews, updates, evidence and sign-offs stay exactly as recorded"
        + (f" ({'; '.join(reviews)})." if reviews else ".")
    )
    pilot.stays.append(
        f"Quarters ending before {ended_on:%-d %B %Y} that are still open stay its own to finish "
        "and sign off."
    )
    drafts = list(Strategy.objects.filter(partnership=successor, status=Strategy.Status.DRAFT))
    for draft in drafts:
        pilot.moves.append(
            f"The draft {draft.span_label} strategy: each deliverable carried into the draft of the "
            "partnership chosen for it, then removed."
        )
    return [*changes.values(), pilot]
