"""Read-only pictures across partnerships, each in a fixed number of queries."""

import datetime
from collections import defaultdict

from django.db.models import Count, Q

from measures.figures import FigureTable, baselines_for, reporting_date
from measures.models import Measure
from partnerships.models import Partnership
from strategies.models import Deliverable, Priority, Strategy

ATTENTION_STATUSES = (Deliverable.Status.AT_RISK, Deliverable.Status.OFF_TRACK)


def current_strategies(partnerships) -> dict[int, Strategy]:
    """partnership id -> its current strategy (the latest adopted one), in one query."""
    result = {}
    for strategy in (
        Strategy.objects.current().filter(partnership__in=partnerships).select_related("framework")
    ):
        result.setdefault(strategy.partnership_id, strategy)
    return result


def county_overview(as_at: datetime.date | None = None) -> dict:
    """The county at a glance, as at a date (the reporting date by default): 9 queries."""
    as_at = as_at or reporting_date()
    partnerships = list(Partnership.objects.active().order_by("name"))
    strategies = current_strategies(partnerships)
    strategy_ids = [s.pk for s in strategies.values()]
    framework_ids = {s.framework_id for s in strategies.values()}
    priorities = list(Priority.objects.filter(framework__in=framework_ids).select_related("framework"))

    counts = defaultdict(lambda: defaultdict(int))
    for partnership_id, priority_id, status, n in (
        Deliverable.objects.filter(objective__strategy__in=strategy_ids)
        .values_list("objective__strategy__partnership_id", "objective__priority_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts[(partnership_id, priority_id)][status] += n

    grids = []
    for framework_id in sorted(framework_ids):
        columns = [p for p in priorities if p.framework_id == framework_id]
        rows = []
        for partnership in partnerships:
            strategy = strategies.get(partnership.pk)
            if strategy is None or strategy.framework_id != framework_id:
                continue
            rows.append(
                {
                    "partnership": partnership,
                    "strategy": strategy,
                    "cells": [cell(counts[(partnership.pk, priority.pk)]) for priority in columns],
                }
            )
        grids.append(
            {"framework": columns[0].framework if columns else None, "priorities": columns, "rows": rows}
        )

    attention = (
        Deliverable.objects.filter(objective__strategy__in=strategy_ids)
        .filter(Q(status__in=ATTENTION_STATUSES) | Q(due_date__lt=as_at, status__in=open_statuses()))
        .select_related("objective__strategy__partnership", "objective__priority", "owner")
        .order_by("objective__strategy__partnership__name", "due_date")
    )
    measures = list(Measure.objects.order_by("order", "name"))
    table = FigureTable(partnerships, measures)
    baselines = baselines_for(partnerships, measures)
    measure_rows = [
        {
            "measure": measure,
            "cells": [table.summary(p, measure, baselines.get((p.pk, measure.pk))) for p in partnerships],
        }
        for measure in measures
    ]
    return {
        "partnerships": partnerships,
        "grids": grids,
        "attention": list(attention[:50]),
        "attention_total": attention.count(),
        "measure_rows": measure_rows,
        "sources": sorted(table.sources),
        "as_at": as_at,
    }


def open_statuses():
    return [value for value, _ in Deliverable.Status.choices if value not in Deliverable.CLOSED_STATUSES]


def cell(status_counts: dict) -> dict:
    total = sum(status_counts.values())
    closed = sum(status_counts.get(s, 0) for s in Deliverable.CLOSED_STATUSES)
    return {
        "total": total,
        "on_track": status_counts.get(Deliverable.Status.ON_TRACK, 0),
        "attention": sum(status_counts.get(s, 0) for s in ATTENTION_STATUSES),
        "closed": closed,
        "not_started": status_counts.get(Deliverable.Status.NOT_STARTED, 0),
    }
