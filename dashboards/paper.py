"""The committee paper: the seed's shape, generated from the data for a chosen quarter.

Summary bullets; per priority its context, its deliverables with RAG and commentary and its
measures of success with baseline, latest and direction of travel; the exceptions; and what
changed since the previous quarter's paper.
"""

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from dashboards import dashboard
from measures.figures import FigureTable, baselines_for
from measures.models import Measure
from measures.trend import IMPROVING, NO_CHANGE, WORSENING
from reviews import clock
from reviews.models import DeliverableUpdate, ReportingQuarter
from reviews.services import previous_quarter
from strategies.models import Deliverable, HorizonItem, Objective, Priority


def build_paper(filters: dashboard.Filters) -> dict:
    strategies = dashboard.strategies_for(filters)
    quarter = ReportingQuarter.objects.filter(period=filters.quarter).select_related("period").first()
    before = previous_quarter(quarter) if quarter else None
    framework_ids = {s.framework_id for s in strategies.values()}
    priorities = list(Priority.objects.filter(framework__in=framework_ids))
    objectives = (
        Objective.objects.filter(strategy__in=strategies.values())
        .select_related("strategy__partnership")
        .prefetch_related(
            Prefetch("deliverables", queryset=Deliverable.objects.select_related("owner").order_by("pk")),
            Prefetch(
                "deliverables__updates",
                queryset=DeliverableUpdate.objects.filter(quarter__in=[q for q in (quarter, before) if q]),
                to_attr="paper_updates",
            ),
        )
        .order_by("strategy__partnership__name", "order", "pk")
    )
    by_priority = defaultdict(list)
    changes = []
    rag_totals = defaultdict(int)
    for objective in objectives:
        rows = []
        for d in objective.deliverables.all():
            now = next((u for u in d.paper_updates if quarter and u.quarter_id == quarter.pk), None)
            then = next((u for u in d.paper_updates if before and u.quarter_id == before.pk), None)
            if now is None and d.status in Deliverable.CLOSED_STATUSES and then is None:
                continue  # closed before this quarter
            rows.append({"deliverable": d, "update": now})
            rag_totals[now.rag if now else "none"] += 1
            if now and then and now.rag != then.rag:
                changes.append(
                    {"deliverable": d, "partnership": objective.strategy.partnership, "from": then, "to": now}
                )
            elif now and then is None and before is not None:
                changes.append(
                    {"deliverable": d, "partnership": objective.strategy.partnership, "from": None, "to": now}
                )
        by_priority[objective.priority_id].append({"objective": objective, "rows": rows})

    measures = list(Measure.objects.prefetch_related("priorities").order_by("order", "name"))
    partnerships = filters.selected_partnerships
    table = FigureTable(partnerships, measures, periods=filters.quarters)
    baselines = baselines_for(partnerships, measures)
    measure_rows = []
    direction_changes = []
    for measure in measures:
        for p in partnerships:
            baseline = baselines.get((p.pk, measure.pk))
            summary = table.summary(p, measure, baseline, until=filters.quarter)
            series = [
                float(v) if v is not None else None
                for period, v in table.series(p, measure)
                if filters.quarter is None or period.end <= filters.quarter.end
            ]
            row = dashboard.MeasureRow(measure, p, summary)
            row.series = series
            measure_rows.append(row)
            if before is not None:
                earlier = table.summary(p, measure, baseline, until=before.period)
                if earlier.trend.verdict != summary.trend.verdict:
                    direction_changes.append({"row": row, "from": earlier.trend, "to": summary.trend})

    exceptions = dashboard.exceptions(filters, strategies)
    sections = []
    for priority in priorities:
        sections.append(
            {
                "priority": priority,
                "objectives": by_priority.get(priority.pk, []),
                "measure_rows": [r for r in measure_rows if priority in r.measure.priorities.all()],
            }
        )
    directions = dashboard.direction_counts(measure_rows)
    horizon = list(HorizonItem.objects.current().for_register())
    return {
        "horizon": horizon,
        "filters": filters,
        "quarter": quarter,
        "previous": before,
        "strategies": strategies,
        "sections": sections,
        "exceptions": exceptions,
        "changes": changes,
        "direction_changes": direction_changes,
        "summary": summary_bullets(filters, strategies, rag_totals, directions, exceptions, priorities),
        "direction_rule": dashboard.DIRECTION_RULE,
        "overdue_rule": clock.OVERDUE_RULE,
        "final_rule": clock.FINAL_RULE,
        "sources": sorted(table.sources),
    }


def summary_bullets(filters, strategies, rag_totals, directions, exceptions, priorities) -> list[str]:
    names = sorted({s.partnership.label for s in strategies.values()})
    spans = sorted({s.span_label for s in strategies.values()})
    total = sum(rag_totals.values())
    bullets = []
    if names:
        bullets.append(
            f"This paper covers {len(names)} partnership{'s' if len(names) != 1 else ''} "
            f"({', '.join(names)}) "
            f"and their {', '.join(spans)} strategies, "
            f"which follow {len(priorities)} overarching priorit{'ies' if len(priorities) != 1 else 'y'}."
        )
    if total:
        bullets.append(
            f"Of {total} deliverables, {rag_totals['green']} are green, {rag_totals['amber']} amber, "
            f"{rag_totals['red']} red and {rag_totals['complete']} complete"
            + (
                f"; {rag_totals['none']} had no update for {filters.quarter.label}."
                if rag_totals["none"]
                else "."
            )
        )
    bullets.append(
        f"Measures of success: {directions[IMPROVING]} improving, {directions[WORSENING]} worsening and "
        f"{directions[NO_CHANGE]} showing no significant change, judged on the quarterly figures against "
        "process limits rather than on single quarters."
    )
    bullets.append(
        f"{len(exceptions)} deliverable{'s' if len(exceptions) != 1 else ''} "
        f"{'are' if len(exceptions) != 1 else 'is'} red, amber or overdue and "
        f"{'are' if len(exceptions) != 1 else 'is'} listed under Exceptions."
    )
    return bullets


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint may read our own static files (the paper's stylesheet) from disk, and nothing else:
    no network, no other files."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"})

    def fetch(self, url, headers=None):
        path = urlparse(url).path
        prefix = "/" + settings.STATIC_URL.lstrip("/")
        if path.startswith(prefix):
            found = finders.find(path[len(prefix) :])
            if found:
                return super().fetch(Path(found).as_uri(), headers)
        raise ValueError(f"The paper does not load {url}")


def paper_pdf(html: str, *, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher()).write_pdf()
