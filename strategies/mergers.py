"""Mergers and splits: partnerships change shape without losing a figure or a deliverable.

A merger makes a new partnership from predecessors on a date: it takes their areas from that
date, their open deliverables (moved, so their history and quarterly updates go with them) and
their memberships; its baselines add up theirs where the measure is additive. Figures are kept
per area, so dashboards show the predecessors before the date and the merged partnership after
it, and the merged partnership's series joins up across the date (see measures.figures).

A pilot merger can end: from a date the partnerships split again, each open deliverable going to
the predecessor chosen for it.
"""

import datetime
from collections import defaultdict
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


def _move_open_deliverables(*, source, target, user, reason: str) -> int:
    """Move a strategy's open deliverables under matching objectives of another strategy."""

    by_number = {p.number: p for p in Priority.objects.filter(framework=target.framework_id)}
    objectives = {}
    moved = 0
    for deliverable in Deliverable.objects.filter(objective__strategy=source).select_related(
        "objective__priority"
    ):
        if deliverable.is_closed:
            continue
        old = deliverable.objective
        if old.pk not in objectives:
            priority = by_number.get(old.priority.number)
            if priority is None:
                raise ValidationError(f"{target} has no priority {old.priority.number} for “{old.title}”.")
            objectives[old.pk], _ = Objective.objects.get_or_create(
                strategy=target,
                priority=priority,
                title=old.title,
                defaults={"order": old.order, "carried_from": old},
            )
        deliverable.objective = objectives[old.pk]
        if deliverable.theme_id and deliverable.theme.priority_id != deliverable.objective.priority_id:
            deliverable.theme = None
        deliverable._history_user = user
        deliverable._change_reason = reason
        deliverable.save()
        moved += 1
    return moved


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
            _move_open_deliverables(
                source=source, target=strategy, user=user, reason=f"Moved to {successor} on the merger"
            )
            source.status = Strategy.Status.SUPERSEDED
            source._history_user = user
            source._change_reason = f"Merged into {successor}"
            source.save()

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
    missing = [d.title for d in open_deliverables if assignments.get(d.pk) not in predecessors]
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
        for deliverable in open_deliverables:
            target = targets[assignments[deliverable.pk]]
            _move_one(deliverable, target, user, f"Returned to {target.partnership} when the pilot ended")
        strategy.status = Strategy.Status.SUPERSEDED
        strategy._history_user = user
        strategy._change_reason = "The pilot merger ended"
        strategy.save()

    # People: the merged partnership's people keep access to every former partnership; admins tidy up.
    for membership in Membership.objects.filter(partnership=successor):
        for predecessor in predecessors.values():
            Membership.objects.get_or_create(
                user_id=membership.user_id, partnership=predecessor, defaults={"role": membership.role}
            )
    return merger


def _move_one(deliverable, target, user, reason):

    old = deliverable.objective
    priority = Priority.objects.filter(framework=target.framework_id, number=old.priority.number).first()
    objective, _ = Objective.objects.get_or_create(
        strategy=target,
        priority=priority,
        title=old.title,
        defaults={"order": old.order, "carried_from": old},
    )
    deliverable.objective = objective
    deliverable._history_user = user
    deliverable._change_reason = reason
    deliverable.save()


def open_deliverables(partnership):
    """The open deliverables of a partnership's adopted strategy: what a split hands back."""
    strategy = Strategy.objects.filter(partnership=partnership, status=Strategy.Status.ADOPTED).first()
    if strategy is None:
        return Deliverable.objects.none()
    return Deliverable.objects.filter(objective__strategy=strategy).exclude(
        status__in=Deliverable.CLOSED_STATUSES
    )
