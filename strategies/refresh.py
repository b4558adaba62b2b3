"""The annual refresh: 2011-14 becomes 2012-15, carrying forward what is still open.

A preview shows, per partnership, what carries forward (objectives under their new priorities,
open deliverables with their latest status, the measures with their baselines and targets) and
what stays behind (completed and dropped deliverables, objectives under retired priorities).
Confirming creates the new draft strategies in one transaction; running it again creates nothing
twice. The old strategy is left exactly as it was: carried-forward objectives and deliverables are
new rows that point back to the ones they continue (``carried_from``), so the old strategy's
quarterly reviews and history stay whole and the new deliverable's page can show both.
Adopting the new strategy supersedes the old one, which becomes read-only.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch

from measures.models import Baseline, Target
from partnerships.models import Notification
from partnerships.notifications import admins, members, notify
from strategies.models import (
    Deliverable,
    Framework,
    Objective,
    Priority,
    Strategy,
    StrategyRefresh,
)


def default_mapping(old: Framework, new: Framework) -> dict[int, int | None]:
    """Old priority -> new priority: itself when the framework stays, else the same number, else none."""
    if old.pk == new.pk:
        return {p.pk: p.pk for p in old.priorities.all()}
    by_number = {p.number: p.pk for p in new.priorities.all()}
    return {p.pk: by_number.get(p.number) for p in old.priorities.all()}


@dataclass
class PartnershipPlan:
    partnership: object
    source: Strategy | None
    existing: Strategy | None  # a strategy for the new span already exists: nothing will be created
    carried_objectives: list = field(default_factory=list)  # (objective, new priority)
    carried_deliverables: list = field(default_factory=list)  # (deliverable, latest update or None)
    left_behind: list = field(default_factory=list)  # (deliverable or objective, reason)
    baselines: int = 0
    targets: int = 0

    @property
    def creates(self) -> bool:
        return self.source is not None and self.existing is None


def source_strategy(partnership, first_year: int) -> Strategy | None:
    """The strategy being refreshed: the partnership's latest adopted one that starts before the year."""
    return (
        Strategy.objects.filter(
            partnership=partnership, status=Strategy.Status.ADOPTED, first_year__lt=first_year
        )
        .order_by("-first_year")
        .first()
    )


def refresh_preview(
    *, partnerships, first_year: int, framework: Framework, mapping: dict
) -> list[PartnershipPlan]:
    """Per partnership, what carries forward and what stays behind, in a fixed number of queries however
    many partnerships, objectives and deliverables (each step reads every partnership at once)."""
    partnerships = list(partnerships)
    ids = [p.pk for p in partnerships]
    new_priorities = {p.pk: p for p in framework.priorities.all()}
    sources = {}
    adopted = Strategy.objects.filter(
        partnership__in=ids, status=Strategy.Status.ADOPTED, first_year__lt=first_year
    ).order_by("partnership_id", "-first_year")
    for strategy in adopted:  # the latest adopted one before the year (as source_strategy)
        sources.setdefault(strategy.partnership_id, strategy)
    existing = {}
    for strategy in Strategy.objects.filter(partnership__in=ids, first_year=first_year).order_by("pk"):
        existing.setdefault(strategy.partnership_id, strategy)
    # Each deliverable's quarterly updates (the reviews app's model, reached through the relation so
    # that this layer does not import the one above it), newest first.
    update_model = Deliverable._meta.get_field("updates").related_model
    latest = update_model.objects.order_by("-quarter__period__end").select_related("quarter__period")
    objectives_of = {}
    objectives = (
        Objective.objects.filter(strategy__in=[s.pk for s in sources.values()])
        .select_related("priority")
        .order_by("strategy_id", "priority__number", "order", "pk")
        .prefetch_related(
            Prefetch(
                "deliverables",
                queryset=Deliverable.objects.order_by("pk").prefetch_related(
                    Prefetch("updates", queryset=latest, to_attr="latest_updates")
                ),
            )
        )
    )
    for objective in objectives:
        objectives_of.setdefault(objective.strategy_id, []).append(objective)
    baselines = dict(
        Baseline.objects.filter(partnership__in=ids)
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values_list("partnership_id", "n")
    )
    targets = dict(
        Target.objects.filter(partnership__in=ids, period__end__gte=_start(first_year))
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values_list("partnership_id", "n")
    )
    plans = []
    for partnership in partnerships:
        source = sources.get(partnership.pk)
        plan = PartnershipPlan(partnership=partnership, source=source, existing=existing.get(partnership.pk))
        plans.append(plan)
        if source is None:
            continue
        for objective in objectives_of.get(source.pk, []):
            new_priority = new_priorities.get(mapping.get(objective.priority_id))
            open_ones = [d for d in objective.deliverables.all() if not d.is_closed]
            for d in objective.deliverables.all():
                if d.is_closed:
                    plan.left_behind.append(
                        (d, f"{d.get_status_display()}: stays in the {source.span_label} record")
                    )
            if new_priority is None:
                plan.left_behind.append((objective, f"its priority “{objective.priority}” is retired"))
                for d in open_ones:
                    plan.left_behind.append((d, "its objective's priority is retired"))
                continue
            plan.carried_objectives.append((objective, new_priority))
            for d in open_ones:
                plan.carried_deliverables.append((d, d.latest_updates[0] if d.latest_updates else None))
        plan.baselines = baselines.get(partnership.pk, 0)
        plan.targets = targets.get(partnership.pk, 0)
    return plans


def _start(first_year: int) -> datetime.date:
    return datetime.date(first_year, 4, 1)


@transaction.atomic
def strategy_refresh(
    *, partnerships, first_year: int, framework: Framework, mapping: dict, user
) -> StrategyRefresh:
    """Create the new draft strategies (only where none exists yet for the span), all or nothing."""
    if first_year < framework.first_year:
        raise ValidationError(
            f"The {framework} starts in {framework.first_year}; choose a later framework or year."
        )
    plans = refresh_preview(
        partnerships=partnerships, first_year=first_year, framework=framework, mapping=mapping
    )
    record = StrategyRefresh.objects.create(
        first_year=first_year,
        framework=framework,
        priority_mapping={str(k): v for k, v in mapping.items()},
        created_by=user,
    )
    for plan in plans:
        if not plan.creates:
            continue
        source = plan.source
        strategy = Strategy(
            partnership=plan.partnership,
            framework=framework,
            first_year=first_year,
            status=Strategy.Status.DRAFT,
            summary=source.summary,
        )
        strategy._history_user = user
        strategy._change_reason = f"Refreshed from {source.span_label}"
        strategy.save()
        strategy.wider_objectives.set(source.wider_objectives.all())
        new_objectives = {}
        for objective, priority in plan.carried_objectives:
            copy = Objective(
                strategy=strategy,
                priority=priority,
                title=objective.title,
                order=objective.order,
                carried_from=objective,
            )
            copy._history_user = user
            copy.save()
            new_objectives[objective.pk] = copy
        for deliverable, _ in plan.carried_deliverables:
            copy = Deliverable(
                objective=new_objectives[deliverable.objective_id],
                title=deliverable.title,
                description=deliverable.description,
                lead_agency=deliverable.lead_agency,
                owner_id=deliverable.owner_id,
                due_date=deliverable.due_date,
                theme=deliverable.theme
                if deliverable.theme
                and deliverable.theme.priority_id == new_objectives[deliverable.objective_id].priority_id
                else None,
                status=deliverable.status,
                carried_from=deliverable,
            )
            copy._history_user = user
            copy._change_reason = f"Carried forward from {source.span_label}"
            copy.save()
        record.strategies.add(strategy)
    return record


def adoption_problems(strategy: Strategy, *, eia_waiver_reason: str = "") -> list[str]:
    """What stops a draft being adopted, in plain words (empty when nothing does)."""
    problems = []
    if strategy.status != Strategy.Status.DRAFT:
        problems.append(
            f"The {strategy.span_label} strategy is {strategy.get_status_display().lower()}, not a draft."
        )
    if not strategy.summary.strip():
        problems.append("Write the strategy's summary first.")
    else:
        source = source_strategy(strategy.partnership, strategy.first_year)
        if source is not None and source.summary.strip() == strategy.summary.strip():
            problems.append(f"The summary is still the {source.span_label} strategy's: revise it first.")
    if not strategy.has_eia and not eia_waiver_reason.strip():
        problems.append(
            "Record the equality impact assessment (its date and a note) first, or give the reason for "
            "adopting without one: it is kept with the strategy."
        )
    return problems


def adoption_preview(strategy: Strategy) -> dict:
    """What adopting the draft does: it becomes the partnership's strategy; the adopted ones it refreshes
    are superseded (read-only, kept exactly as recorded, with their reviews)."""
    older = list(
        Strategy.objects.filter(
            partnership=strategy.partnership_id,
            status=Strategy.Status.ADOPTED,
            first_year__lt=strategy.first_year,
        ).annotate(deliverable_count=Count("objectives__deliverables"))
    )
    return {
        "superseded": older,
        "deliverables": Deliverable.objects.filter(objective__strategy=strategy).count(),
        "carried": Deliverable.objects.filter(
            objective__strategy=strategy, carried_from__isnull=False
        ).count(),
    }


@transaction.atomic
def strategy_adopt(
    *, strategy: Strategy, user, adopted_on: datetime.date | None = None, eia_waiver_reason: str = ""
) -> Strategy:
    """Adopt a draft: it becomes the partnership's strategy, and the one it refreshes is superseded. Needs
    a summary of its own and the equality impact assessment, or the reason for adopting without one."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    problems = adoption_problems(strategy, eia_waiver_reason=eia_waiver_reason)
    if problems:
        raise ValidationError(problems)
    older = Strategy.objects.filter(
        partnership=strategy.partnership_id,
        status=Strategy.Status.ADOPTED,
        first_year__lt=strategy.first_year,
    )
    older = list(older)
    for old in older:
        old.status = Strategy.Status.SUPERSEDED
        old._history_user = user
        old._change_reason = f"Superseded by {strategy.span_label}"
        old.save()
    strategy.status = Strategy.Status.ADOPTED
    strategy.adopted_on = adopted_on or datetime.date.today()
    if not strategy.has_eia:
        strategy.eia_waiver_reason = eia_waiver_reason.strip()
    strategy._history_user = user
    strategy.full_clean()
    strategy.save()
    notify(
        [*members(strategy.partnership), *admins()],
        Notification.Kind.STRATEGY_ADOPTED,
        f"{strategy.partnership.label}: the {strategy.span_label} strategy is adopted",
        f"{user} adopted the {strategy.span_label} strategy"
        + (f"; the {', '.join(o.span_label for o in older)} strategy is superseded." if older else "."),
        strategy.get_absolute_url(),
    )
    return strategy


def refresh_message(record: StrategyRefresh, asked: int) -> str:
    created = record.strategies.count()
    skipped = asked - created
    note = f" {skipped} already had one, so nothing was created for them." if skipped else ""
    return f"Created {created} draft strateg{'y' if created == 1 else 'ies'}.{note}"


def carried_chain(deliverable: Deliverable) -> list[Deliverable]:
    """The deliverable and the ones it continues, newest first (a few queries: one per refresh)."""
    chain = [deliverable]
    current = deliverable
    while current.carried_from_id and len(chain) < 20:
        current = Deliverable.objects.select_related("objective__strategy").get(pk=current.carried_from_id)
        chain.append(current)
    return chain


def priority_mapping(*, partnerships, framework: Framework, chosen) -> tuple[dict, list[dict]]:
    """Old priority -> new priority (or None: retired) for every priority the partnerships' adopted
    strategies use: as ``chosen`` says (``map_<old pk>`` values), else the default. Also the rows the
    form shows: [{"old": priority, "new": new priority pk or None}]."""
    old_priorities = (
        Priority.objects.filter(
            framework__strategies__partnership__in=partnerships,
            framework__strategies__status=Strategy.Status.ADOPTED,
        )
        .distinct()
        .select_related("framework")
    )
    mapping, rows, defaults = {}, [], {}
    for old in old_priorities:
        if old.framework_id not in defaults:
            defaults[old.framework_id] = default_mapping(old.framework, framework)
        choice = (chosen or {}).get(f"map_{old.pk}")
        if choice is not None:
            mapping[old.pk] = int(choice) if choice.isdigit() else None
        else:
            mapping[old.pk] = defaults[old.framework_id].get(old.pk)
        rows.append({"old": old, "new": mapping[old.pk]})
    return mapping, rows


def priorities_for(framework: Framework):
    return Priority.objects.filter(framework=framework).order_by("number")
