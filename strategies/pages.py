"""Page builders for the strategy pages, beside the querysets they read."""

from django.db.models import Count, Prefetch

from measures.figures import measure_summaries
from measures.models import Measure
from strategies.models import Deliverable, Objective, Priority, Strategy


def strategy_list():
    return (
        Strategy.objects.select_related("partnership", "framework")
        .annotate(deliverable_count=Count("objectives__deliverables"))
        .order_by("-first_year", "partnership__name")
    )


def strategy_context(strategy: Strategy, user) -> dict:
    """Priorities -> the partnership's objectives -> deliverables, with each priority's measures."""
    priorities = list(Priority.objects.filter(framework=strategy.framework_id).prefetch_related("themes"))
    objectives = Objective.objects.filter(strategy=strategy).prefetch_related(
        Prefetch("deliverables", queryset=Deliverable.objects.select_related("owner", "theme"))
    )
    by_priority = {p.pk: [] for p in priorities}
    for objective in objectives:
        by_priority.setdefault(objective.priority_id, []).append(objective)
    measures = list(Measure.objects.prefetch_related("priorities").order_by("order", "name"))
    summaries, sources = measure_summaries(strategy.partnership, measures)
    sections = [
        {
            "priority": priority,
            "objectives": by_priority.get(priority.pk, []),
            "summaries": [s for s in summaries if priority in s.measure.priorities.all()],
        }
        for priority in priorities
    ]
    is_draft = strategy.status == Strategy.Status.DRAFT
    return {
        "strategy": strategy,
        "sections": sections,
        "wider_objectives": strategy.wider_objectives.all(),
        "sources": sources,
        "can_adopt": strategy.can_adopt(user),
        "refreshed_from": (
            Strategy.objects.filter(objectives__carried_into__strategy=strategy).distinct().first()
            if is_draft
            else None
        ),
        "can_edit": strategy.can_edit(user),
    }
