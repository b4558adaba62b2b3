"""The scrutiny dashboards: filters that live in the URL, and the tables every dashboard page shows.

Each builder runs a fixed number of queries whatever the number of partnerships, deliverables or
figures, and returns plain rows that the page, the CSV/XLSX exports and the committee paper share.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery, Value

from measures import periods
from measures.figures import (
    FigureTable,
    MeasureSummary,
    baselines_for,
    quarterly_target,
    summaries,
    targets_for,
)
from measures.models import ImportBatch, Measure, MeasureValue, Period, Target
from measures.trend import IMPROVING, NO_CHANGE, NOT_ENOUGH, RULE_TEXT, WORSENING
from partnerships.models import Partnership, PartnershipArea
from reviews import clock
from reviews.models import DeliverableUpdate, ReportingQuarter, ReviewEvent
from strategies.models import Deliverable, Priority, Strategy, is_overdue

RAGS = [value for value, _ in DeliverableUpdate.Rag.choices]
QUARTER_SLUG = r"^(\d{4})-(\d{2})-q([1-4])$"


def quarter_slug(period: Period) -> str:
    """2011/12 Q3 -> "2011-12-q3", for URLs people can read and send."""
    return period.slug


class FilterForm(forms.Form):
    """The dashboard filters as they arrive in the query string. Every value is bounded; a value that is
    not valid is ignored (the page falls back to its default) rather than failing."""

    quarter = forms.RegexField(regex=QUARTER_SLUG, required=False)
    strategy = forms.IntegerField(min_value=1990, max_value=2100, required=False)
    partnership = forms.SlugField(max_length=120, required=False)
    page = forms.IntegerField(min_value=1, max_value=1_000_000, required=False)

    def value(self, name):
        """The field's cleaned value, or None when it was missing or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()
        return None if name in self.errors else self.cleaned_data.get(name)

    def quarter_start(self):
        slug = self.value("quarter")
        if not slug:
            return None
        year, _, quarter = re.match(QUARTER_SLUG, slug).groups()
        if not 1990 <= int(year) <= 2100:
            return None
        return periods.quarter_bounds(int(year), int(quarter))[0]


@dataclass
class Filters:
    """What a dashboard shows: a quarter, optionally one strategy span and one partnership, and which page
    of partnerships (large deployments have hundreds; Django's Paginator pages them)."""

    quarter: Period | None
    quarters: list[Period]
    strategy_year: int | None
    strategy_years: list[int]
    partnership: Partnership | None
    partnerships: list[Partnership]
    page: int = 1
    page_size: int | None = None  # None: every partnership on one page (exports, the paper)
    # Asked for by the address (``?quarter=``), not the default: a page as at a past quarter, which reads
    # the same forever. The default page is the current view, and may mark figures newer than its quarter.
    quarter_given: bool = True

    def params(self, **changes) -> dict:
        values = {
            "quarter": quarter_slug(self.quarter) if self.quarter else None,
            "strategy": self.strategy_year,
            "partnership": self.partnership.slug if self.partnership else None,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))

    @property
    def query_without_page(self) -> str:
        return self.query(page=None)

    @cached_property
    def page_obj(self) -> Page:
        """The page of partnerships shown: one partnership, a page of them, or all (page_size None)."""
        shown = [self.partnership] if self.partnership else self.partnerships
        per_page = self.page_size if self.page_size and not self.partnership else max(len(shown), 1)
        return Paginator(shown, per_page).get_page(self.page)

    @property
    def selected_partnerships(self) -> list[Partnership]:
        return list(self.page_obj.object_list)

    @property
    def page_count(self) -> int:
        return self.page_obj.paginator.num_pages

    @property
    def page_range(self) -> tuple[int, int]:
        return self.page_obj.start_index(), self.page_obj.end_index()

    @property
    def as_at(self) -> datetime.date | None:
        """The reporting date of the quarter shown (its last day, never after today)."""
        return min(self.quarter.end, datetime.date.today()) if self.quarter else None

    @cached_property
    def state(self) -> "clock.QuarterState | None":
        """Where each reporting partnership's review of the quarter stands, and whether it is final."""
        quarter = reporting_quarter(self)
        return clock.state_from(quarter, self.partnerships) if quarter else None

    @cached_property
    def revisions(self) -> "Revisions | None":
        """Figures of periods up to a final quarter that imports wrote after the quarter was signed off,
        for the areas of the partnerships shown (1 query, only for a final quarter)."""
        return revisions_since_final(self.quarter, self.selected_partnerships)

    @property
    def state_rows(self) -> list[dict]:
        """The review states of the partnerships shown (all of them on a county's page and in papers)."""
        return self.state.rows_for(self.selected_partnerships) if self.state else []

    @property
    def strategy_label(self) -> str:
        return periods.strategy_span_label(self.strategy_year) if self.strategy_year else ""


@dataclass(frozen=True)
class Revisions:
    """What changed in the figures of a signed-off quarter after it was signed off: the quarter is final
    and its pages show the figures as they stand now, so they say so, with when and by which import."""

    final_at: datetime.datetime
    count: int
    batches: list  # [{"pk", "file_name", "applied_at", "n"}], oldest first


def revisions_since_final(quarter: Period | None, partnerships) -> Revisions | None:
    """The figures for periods ending by ``quarter``'s end, for the partnerships' areas, that an import
    applied after the quarter became final (its last sign-off) wrote, new or changed. A rolled-back
    import no longer holds its cells, so nothing is said of it.

    One query on the imports (a small table): those applied since the sign-off that may have written a
    figure for a period up to the quarter (``summary.earliest_written``; older imports, which do not
    say, are looked at). Only when there are some, a second counts their figures."""
    if quarter is None or not getattr(quarter, "is_final", False):
        return None
    final_at = Subquery(
        ReviewEvent.objects.filter(review__quarter__period=quarter, action=ReviewEvent.Action.SIGNED_OFF)
        .order_by("-at")
        .values("at")[:1]
    )
    candidates = {
        pk: at
        for pk, at in ImportBatch.objects.annotate(final_at=final_at)
        .filter(status=ImportBatch.Status.APPLIED, applied_at__gt=F("final_at"))
        .filter(
            Q(summary__earliest_written__isnull=True)
            | Q(
                summary__earliest_written__gte="1000-01-01",
                summary__earliest_written__lte=quarter.end.isoformat(),
            )
        )
        .values_list("pk", "final_at")
    }
    if not candidates:
        return None
    areas = PartnershipArea.objects.filter(partnership__in=list(partnerships)).values("area_id")
    batches = list(
        MeasureValue.objects.filter(
            period__end__lte=quarter.end, area_id__in=areas, batch_id__in=list(candidates)
        )
        .values("batch_id", "batch__file_name", "batch__applied_at")
        .annotate(n=Count("pk"))
        .order_by("batch__applied_at", "batch_id")
    )
    if not batches:
        return None
    return Revisions(
        final_at=next(iter(candidates.values())),
        count=sum(b["n"] for b in batches),
        batches=[
            {
                "pk": b["batch_id"],
                "file_name": b["batch__file_name"],
                "applied_at": b["batch__applied_at"],
                "n": b["n"],
            }  # fmt: skip
            for b in batches
        ],
    )


def read_filters(request, *, partnership: Partnership | None = None, paginate: bool = True) -> Filters:
    """The dashboard filters from the query string; anything unknown falls back to the default (3 queries).

    Each quarter on offer carries its reporting quarter (``reporting_quarter_id``) and whether any
    partnership has reported on it (``reported``), so the pages need not look them up again.
    """
    form = FilterForm(request.GET)
    quarters = list(
        Period.objects.quarters()
        .annotate(
            reporting_quarter_id=Subquery(
                ReportingQuarter.objects.filter(period=OuterRef("pk")).values("pk")[:1]
            ),
            reported=Exists(DeliverableUpdate.objects.filter(quarter__period=OuterRef("pk"))),
            has_figures=Exists(MeasureValue.objects.filter(period=OuterRef("pk"))),
            opened=Exists(
                ReportingQuarter.objects.filter(period=OuterRef("pk")).exclude(
                    status=ReportingQuarter.Status.SCHEDULED
                )
            ),
            is_final=clock.final_annotation(),
        )
        .filter(Q(reporting_quarter_id__isnull=False) | Q(has_figures=True))
        .order_by("end")
    )
    start = form.quarter_start()
    chosen = next((q for q in quarters if q.start == start), None) if start else None
    if chosen is None:
        chosen = default_quarter(quarters)
    # The partnerships that reported on the quarter: as they were then, whatever has happened since.
    on = chosen.end if chosen else datetime.date.today()
    if partnership is not None:  # a partnership's own page: no partnership or strategy choices to offer
        partnerships, years = [partnership], []
    else:
        partnerships = clock.reporting_partnerships(chosen) if chosen else clock.partnerships_on(on)
        slug = form.value("partnership")
        partnership = next((p for p in partnerships if p.slug == slug), None)
        if partnership is None and slug:
            # Asked for by name, though it did not report on this quarter (formed later, or merged away):
            # show it, with what it covered then.
            partnership = Partnership.objects.filter(slug=slug).first()
            if partnership is not None:
                partnerships = sorted([*partnerships, partnership], key=lambda p: p.name)
        years = sorted(
            set(Strategy.objects.values_list("first_year", flat=True).distinct().order_by()), reverse=True
        )
    year = form.value("strategy")
    # Downloads and the paper cover every partnership; pages show them a page at a time.
    page_size = settings.DASHBOARD_PAGE_SIZE if paginate and "export" not in request.GET else None
    filters = Filters(
        quarter=chosen,
        quarters=quarters,
        strategy_year=year if year in years else None,
        strategy_years=years,
        partnership=partnership,
        partnerships=partnerships,
        page=form.value("page") or 1,
        page_size=page_size,
        quarter_given=start is not None and chosen is not None and chosen.start == start,
    )
    filters.page = filters.page_obj.number  # past the last page: the last one
    return filters


def default_quarter(quarters: list[Period], today: datetime.date | None = None) -> Period | None:
    """The reporting clock's default quarter, from the quarters already annotated (see reviews.clock): the
    latest final one; failing that, the latest that has opened; with no reporting quarters, the latest
    quarter with figures."""
    today = today or datetime.date.today()
    past = [p for p in quarters if p.end <= today]
    final = [p for p in past if p.is_final]
    if final:
        return final[-1]
    opened = [p for p in past if p.opened]
    if opened:
        return opened[-1]
    return quarters[-1] if quarters else None


def reporting_quarter(filters: Filters) -> ReportingQuarter | None:
    """The chosen quarter's reporting quarter, without a query (its period is the chosen one)."""
    if filters.quarter is None or filters.quarter.reporting_quarter_id is None:
        return None
    quarter = ReportingQuarter(pk=filters.quarter.reporting_quarter_id, period=filters.quarter)
    return quarter


def strategies_for(filters: Filters) -> dict[int, Strategy]:
    """partnership id -> the strategy to show: the chosen span, or the one the quarter falls in."""
    qs = Strategy.objects.filter(partnership__in=filters.selected_partnerships).select_related("partnership")
    if filters.strategy_year:
        qs = qs.filter(first_year=filters.strategy_year)
    elif filters.quarter:
        qs = qs.covering_year(filters.quarter.financial_year).exclude(status=Strategy.Status.DRAFT)
    result = {}
    for strategy in qs.order_by("partnership_id", "-first_year", "-status"):
        result.setdefault(strategy.partnership_id, strategy)
    return result


# --- Deliverables by RAG ---------------------------------------------------------------------------


@dataclass
class RagCell:
    counts: dict = field(default_factory=dict)  # rag -> n
    no_update: int = 0
    url: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.no_update

    def get(self, rag):
        return self.counts.get(rag, 0)


def rag_grid(filters: Filters, strategies: dict[int, Strategy], url_for_cell) -> dict:
    """Partnerships x priorities: deliverables by RAG in the quarter, and those with no update (2 queries)."""
    quarter = reporting_quarter(filters)
    strategy_ids = [s.pk for s in strategies.values()]
    framework_ids = {s.framework_id for s in strategies.values()}
    priorities = list(Priority.objects.filter(framework__in=framework_ids).order_by("framework_id", "number"))
    # One query: every live deliverable with this quarter's rating (None: not updated), counted.
    live = Deliverable.objects.filter(objective__strategy__in=strategy_ids)
    if quarter is not None:
        this_quarter = DeliverableUpdate.objects.filter(deliverable=OuterRef("pk"), quarter=quarter)
        live = live.annotate(rag=Subquery(this_quarter.values("rag")[:1])).filter(
            ~Q(status__in=Deliverable.CLOSED_STATUSES) | Q(rag__isnull=False)
        )
    else:
        live = live.annotate(rag=Value(None, output_field=CharField())).exclude(
            status__in=Deliverable.CLOSED_STATUSES
        )
    updated = defaultdict(lambda: defaultdict(int))
    totals = defaultdict(int)
    for partnership_id, priority_id, rag, n in (
        live.values_list("objective__strategy__partnership_id", "objective__priority_id", "rag")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        totals[partnership_id, priority_id] += n
        if rag:
            updated[partnership_id, priority_id][rag] += n
    rows = []
    for partnership in filters.selected_partnerships:
        strategy = strategies.get(partnership.pk)
        if strategy is None:
            continue
        cells = []
        for priority in priorities:
            if priority.framework_id != strategy.framework_id:
                continue
            counts = dict(updated[partnership.pk, priority.pk])
            total = totals.get((partnership.pk, priority.pk), 0)
            cell = RagCell(counts=counts, no_update=max(total - sum(counts.values()), 0))
            cell.url = url_for_cell(partnership, priority, quarter)
            cells.append((priority, cell))
        rows.append({"partnership": partnership, "strategy": strategy, "cells": cells})
    shown = {p.pk for row in rows for p, _ in row["cells"]}
    return {
        "priorities": [p for p in priorities if p.pk in shown],
        "rows": rows,
        "reporting_quarter": quarter,
    }


# --- Exceptions -----------------------------------------------------------------------------------


def exceptions(filters: Filters, strategies: dict[int, Strategy], *, priority=None) -> list[dict]:
    """Red and amber deliverables in the quarter, and overdue ones, with their commentary (2 queries)."""
    if filters.quarter is None:
        return []
    quarter = reporting_quarter(filters)
    deliverables = Deliverable.objects.filter(objective__strategy__in=[s.pk for s in strategies.values()])
    if priority is not None:
        deliverables = deliverables.filter(objective__priority=priority)
    updates = {}
    if quarter is not None:
        updates = {
            u.deliverable_id: u
            for u in DeliverableUpdate.objects.filter(quarter=quarter, deliverable__in=deliverables).filter(
                Q(rag__in=DeliverableUpdate.NEEDS_COMMENTARY) | Q(deliverable__due_date__lt=filters.as_at)
            )
        }
    candidates = deliverables.filter(Q(pk__in=list(updates)) | Q(due_date__lt=filters.as_at)).select_related(
        "objective__strategy__partnership", "objective__priority", "owner"
    )
    ordered = candidates.order_by(
        "objective__strategy__partnership__name", "objective__priority__number", "due_date"
    )
    return exception_rows([(d, updates.get(d.pk)) for d in ordered], filters.as_at)


def exception_rows(pairs, as_at) -> list[dict]:
    """From (deliverable, this quarter's update or None): the red, amber and overdue ones (as the reporting
    clock judges overdue, as at the quarter's reporting date), worst first."""
    rows = []
    for d, update in pairs:
        status = update.status if update else d.status
        overdue = is_overdue(d.due_date, status, as_at)
        flagged = update is not None and update.rag in DeliverableUpdate.NEEDS_COMMENTARY
        if not (overdue or flagged):
            continue
        rows.append(
            {
                "deliverable": d,
                "partnership": d.objective.strategy.partnership,
                "priority": d.objective.priority,
                "rag": update.rag if update else "",
                "rag_label": update.get_rag_display() if update else "No update",
                "status_label": update.get_status_display() if update else d.get_status_display(),
                "commentary": update.commentary if update else "",
                "overdue": overdue,
                "due_date": d.due_date,
                "owner": d.owner,
            }
        )
    severity = {"red": 0, "amber": 1}
    rows.sort(key=lambda r: (severity.get(r["rag"], 2), r["partnership"].name))
    return rows


# --- Measures -------------------------------------------------------------------------------------


@dataclass
class MeasureRow:
    measure: Measure
    partnership: Partnership
    summary: MeasureSummary
    target: Target | None = None


def measure_rows(filters: Filters, measures=None) -> tuple[list[MeasureRow], list[str]]:
    """Every measure for every selected partnership as at the chosen quarter, in brief (the summaries
    without their quarter-by-quarter points), and the figures' sources: 1 query for the measures and the
    figures' version, and 4 more only when some judgement has not been made for this version yet (see
    ``measures.figures.summaries``)."""
    measures = measures if measures is not None else Measure.objects.order_by("order", "name")
    measures = list(measures.with_figures_version())
    partnerships = filters.selected_partnerships
    found = summaries(partnerships, measures, periods=filters.quarters, until=filters.quarter)
    rows, sources = [], set()
    for measure in measures:
        for p in partnerships:
            kept = found[p.pk, measure.pk]
            rows.append(MeasureRow(measure, p, kept.summary, kept.target))
            sources |= kept.sources
    return rows, sorted(sources)


def measure_table(filters: Filters, measures=None) -> tuple[FigureTable, list[MeasureRow], list[str]]:
    """``measure_rows`` with the figure table they came from (its coverage serves the partnership page)."""
    measures = list(measures if measures is not None else Measure.objects.order_by("order", "name"))
    partnerships = filters.selected_partnerships
    table = FigureTable(partnerships, measures, periods=filters.quarters)
    baselines = baselines_for(partnerships, measures)
    targets = targets_for(partnerships, measures)
    rows = []
    for measure in measures:
        for p in partnerships:
            target = table.target_as_shown(p, measure, targets.get((p.pk, measure.pk)))
            summary = table.summary(
                p,
                measure,
                baselines.get((p.pk, measure.pk)),
                until=filters.quarter,
                target=quarterly_target(measure, target),
            )
            rows.append(MeasureRow(measure, p, summary, target))
    return table, rows, sorted(table.sources_until(filters.quarter))


def direction_counts(rows: list[MeasureRow]) -> dict[str, int]:
    counts = {IMPROVING: 0, WORSENING: 0, NO_CHANGE: 0, NOT_ENOUGH: 0}
    for row in rows:
        counts[row.summary.trend.verdict] += 1
    return counts


DIRECTION_RULE = RULE_TEXT


# --- Tables as rows, shared by the pages, the downloads and the paper ---------------------------------

GRID_COLUMNS = [
    ("partnership", "Partnership"),
    ("priority", "Priority"),
    ("red", "Red"),
    ("amber", "Amber"),
    ("green", "Green"),
    ("complete", "Complete"),
    ("no_update", "No update"),
    ("total", "Total"),
]
EXCEPTION_COLUMNS = [
    ("partnership", "Partnership"),
    ("priority", "Priority"),
    ("deliverable", "Deliverable"),
    ("owner", "Owner"),
    ("due_date", "Due"),
    ("overdue", "Overdue"),
    ("status", "Status"),
    ("rag", "RAG"),
    ("commentary", "Commentary"),
]
MEASURE_COLUMNS = [
    ("measure", "Measure"),
    ("partnership", "Partnership"),
    ("better_when", "Better when"),
    ("unit", "Unit"),
    ("baseline", "Baseline 2010/11"),
    ("baseline_note", "Baseline note"),
    ("latest_period", "Latest quarter"),
    ("latest_value", "Latest quarter's figure"),
    ("year_value", "Latest 12 months"),
    ("change", "Change against baseline"),
    ("change_percent", "Change against baseline (%)"),
    ("year_ago_period", "Same quarter a year earlier"),
    ("year_ago_value", "Figure a year earlier"),
    ("year_ago_change", "Change on a year earlier"),
    ("direction", "Direction of travel"),
    ("reason", "Why"),
    ("missing", "Quarters with no figures"),
]


def grid_table(grid: dict) -> list[dict]:
    return [
        {
            "partnership": row["partnership"].name,
            "priority": f"{priority.number}. {priority.heading}",
            "red": cell.get("red"),
            "amber": cell.get("amber"),
            "green": cell.get("green"),
            "complete": cell.get("complete"),
            "no_update": cell.no_update,
            "total": cell.total,
        }
        for row in grid["rows"]
        for priority, cell in row["cells"]
    ]


def exceptions_table(rows: list[dict]) -> list[dict]:
    return [
        {
            "partnership": r["partnership"].name,
            "priority": r["priority"].number,
            "deliverable": r["deliverable"].title,
            "owner": str(r["owner"] or ""),
            "due_date": r["due_date"],
            "overdue": "Yes" if r["overdue"] else "No",
            "status": r["status_label"],
            "rag": r["rag_label"],
            "commentary": r["commentary"],
        }
        for r in rows
    ]


def measures_table(rows: list[MeasureRow]) -> list[dict]:
    out = []
    for row in rows:
        s = row.summary
        out.append(
            {
                "measure": row.measure.name,
                "partnership": row.partnership.name,
                "better_when": "Higher" if row.measure.higher_is_better else "Lower",
                "unit": row.measure.display_unit,
                "baseline": s.baseline.value if s.baseline else None,
                "baseline_note": s.baseline_note,
                "latest_period": s.latest_period.label if s.latest_period else "",
                "latest_value": s.latest_value,
                "year_value": s.year_value,
                "change": s.change.amount if s.change else None,
                "change_percent": s.change.percent if s.change else None,
                "year_ago_period": s.year_ago_period.label if s.year_ago_period else "",
                "year_ago_value": s.year_ago_value,
                "year_ago_change": s.year_ago_change,
                "direction": s.trend.label,
                "reason": s.trend.reason,
                "missing": ", ".join(p.label for p in s.missing),
            }
        )
    return out
