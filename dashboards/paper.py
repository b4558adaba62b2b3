"""The committee paper: the seed's shape, generated from the data for a chosen quarter.

Summary bullets; per priority its context, its deliverables with RAG and commentary and its
measures of success with baseline, latest and direction of travel; the exceptions; and what
changed since the previous quarter's paper.
"""

import hashlib
import logging
import tempfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfWriter
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from dashboards import dashboard
from dashboards.models import Paper
from measures.figures import FigureTable, baselines_for
from measures.models import ImportBatch, Measure
from measures.trend import IMPROVING, NO_CHANGE, NOT_ENOUGH, WORSENING
from partnerships.models import AuditEvent
from reviews import clock
from reviews.models import DeliverableUpdate, ReportingQuarter
from reviews.services import previous_quarter
from strategies.models import Deliverable, HorizonItem, Objective, Priority

logger = logging.getLogger(__name__)


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
        "summary": summary_bullets(
            filters, strategies, rag_totals, directions, exceptions, priorities, _stale(filters, measure_rows)
        ),
        "direction_rule": dashboard.DIRECTION_RULE,
        "overdue_rule": clock.OVERDUE_RULE,
        "final_rule": clock.FINAL_RULE,
        "sources": sorted(table.sources_until(filters.quarter)),
        # The whole paper; a part of a large one has only some of these (paper_parts).
        "front": True,
        "back": True,
        "part_label": "",
    }


def _stale(filters, rows) -> int:
    """Measures judged (improving, worsening or no change) on a quarter before the paper's: their latest
    figures are older, so the paper says how many, and its table names each one's quarter."""
    if filters.quarter is None:
        return 0
    return sum(
        1
        for row in rows
        if row.summary.trend.verdict != NOT_ENOUGH
        and row.summary.latest_period is not None
        and row.summary.latest_period.end < filters.quarter.end
    )


def summary_bullets(
    filters, strategies, rag_totals, directions, exceptions, priorities, stale=0
) -> list[str]:
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
        + (
            f" {stale} of these {'are' if stale != 1 else 'is'} judged on a quarter before "
            f"{filters.quarter.label}, the latest with figures: the table names each one's latest quarter."
            if stale
            else ""
        )
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


# --- The paper as a file: typeset once per version of its data -----------------------------------------

PAPER_LAYOUT_VERSION = "3"  # change when the paper's layout changes, so older files are not reused


def paper_fingerprint(filters: dashboard.Filters) -> str:
    """What a paper's PDF depends on: the filters it was asked with, and the data as it stands, read from
    the latest entry in the audit trail (every change to plans, reviews, measures and imports makes one)
    and the latest import applied or rolled back (the figures themselves are written in bulk)."""
    latest = AuditEvent.objects.aggregate(last=Max("pk"))["last"]
    imports = ImportBatch.objects.aggregate(
        last=Max("pk"), applied=Max("applied_at"), undone=Max("rolled_back_at")
    )
    parts = [PAPER_LAYOUT_VERSION, filters.query(), str(latest), *(str(v) for v in imports.values())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def paper_file_name(filters: dashboard.Filters) -> str:
    label = filters.quarter.slug if filters.quarter else "latest"
    scope = f"-{filters.partnership.slug}" if filters.partnership else ""
    return f"community-safety-paper-{label}{scope}.pdf"


def paper_request(*, filters: dashboard.Filters, user, base_url: str) -> Paper:
    """The paper's PDF for these filters: the one already typeset for the same data, or a new one, typeset
    now for a county (a few partnerships) or by the worker for anything larger."""
    fingerprint = paper_fingerprint(filters)
    paper, created = Paper.objects.get_or_create(
        fingerprint=fingerprint,
        defaults={
            "query": filters.query(),
            "title": f"Committee paper, {filters.quarter.label if filters.quarter else 'latest'}",
            "file_name": paper_file_name(filters),
            "partnerships": len(filters.selected_partnerships),
            "requested_by": user,
        },
    )
    if paper.status == Paper.Status.FAILED:
        Paper.objects.filter(pk=paper.pk).update(status=Paper.Status.WAITING, progress=0, note="")
        paper.refresh_from_db()
        created = True
    if not created:
        return paper
    if paper.partnerships <= settings.PAPER_INLINE_PARTNERSHIPS:
        paper_build(paper=paper, filters=filters, base_url=base_url)
    else:
        from dashboards.tasks import build_paper  # the task module imports this one

        transaction.on_commit(lambda: build_paper.enqueue(paper.pk, base_url))
    return paper


def paper_build(*, paper: Paper, filters: dashboard.Filters, base_url: str) -> Paper:
    """Typeset the paper a few partnerships at a time (each part its own WeasyPrint document, so memory
    stays bounded), join the parts with pypdf and keep the file."""
    Paper.objects.filter(pk=paper.pk).update(
        status=Paper.Status.BUILDING, progress=1, note="Gathering the figures"
    )
    try:
        context = build_paper(filters)
        parts = list(paper_parts(context, settings.PAPER_PART_PARTNERSHIPS))
        writer = PdfWriter()
        with tempfile.TemporaryDirectory() as folder:
            for number, part in enumerate(parts, start=1):
                html = render_to_string("dashboards/paper.html", {**context, **part, "pdf": True})
                path = Path(folder) / f"part-{number}.pdf"
                path.write_bytes(paper_pdf(html, base_url=base_url))
                writer.append(str(path))
                Paper.objects.filter(pk=paper.pk).update(
                    progress=max(2, int(95 * number / len(parts))),
                    note=f"Typeset part {number} of {len(parts)}",
                )
            output = Path(folder) / "paper.pdf"
            with output.open("wb") as stream:
                writer.write(stream)
            writer.close()
            with output.open("rb") as stream:
                paper.file.save(paper.file_name, File(stream), save=False)
        Paper.objects.filter(pk=paper.pk).update(
            file=paper.file.name, status=Paper.Status.READY, progress=100, note="", finished_at=timezone.now()
        )
    except Exception as error:  # the person waiting is told; the worker's log has the detail
        logger.exception("The paper %s could not be typeset", paper.pk)
        Paper.objects.filter(pk=paper.pk).update(
            status=Paper.Status.FAILED,
            note=f"The paper could not be typeset ({type(error).__name__}).",
            finished_at=timezone.now(),
        )
    paper.refresh_from_db()
    return paper


def paper_parts(context: dict, size: int):
    """The paper in parts of ``size`` partnerships: the first part opens with the summary, each part
    carries its partnerships' deliverables and measures under every priority, and the last part closes
    with the exceptions, the changes and the horizon. A county's paper is a single part."""
    partnerships = context["filters"].selected_partnerships
    groups = [partnerships[i : i + size] for i in range(0, len(partnerships), size)] or [[]]
    for index, group in enumerate(groups):
        ids = {p.pk for p in group}
        sections = [
            {
                **section,
                "objectives": [
                    o for o in section["objectives"] if o["objective"].strategy.partnership_id in ids
                ],
                "measure_rows": [r for r in section["measure_rows"] if r.partnership.pk in ids],
            }
            for section in context["sections"]
        ]
        yield {
            "sections": sections,
            "front": index == 0,
            "back": index == len(groups) - 1,
            "part_label": f"Part {index + 1} of {len(groups)}" if len(groups) > 1 else "",
        }
