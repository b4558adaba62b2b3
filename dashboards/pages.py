"""Page builders for the dashboards: the county overview, priority, partnership, horizon and home pages.

Each returns the page's context, including ``tables``: table name -> (columns, rows callable), which the
page shows and ``export_or_render`` downloads as CSV or XLSX.
"""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.urls import reverse

from dashboards import dashboard, judgements
from measures.figures import STORED_COLUMNS, stored_rows
from measures.models import Measure
from partnerships.models import Membership, Merger, Partnership, User
from reviews import clock
from reviews.models import DeliverableUpdate, QuarterlyReview, ReportingQuarter
from reviews.pages import review_progress
from reviews.services import ROLLUP_RULE, rollup
from strategies.models import Deliverable, HorizonItem, Strategy
from strategies.overview import current_strategies


def overview_context(filters: dashboard.Filters) -> dict:
    """The county overview for the chosen quarter (the latest reported by default)."""
    strategies = dashboard.strategies_for(filters)

    def cell_url(partnership, priority, quarter):
        query = filters.query(partnership=partnership.slug)
        return f"{reverse('dashboards:priority', args=[priority.pk])}?{query}"

    grid = dashboard.rag_grid(filters, strategies, cell_url)
    exceptions = dashboard.exceptions(filters, strategies)
    measure_rows, sources = dashboard.measure_rows(filters)
    matrix = judgements.measure_matrix(measure_rows, filters.selected_partnerships, filters.query())
    return {
        "filters": filters,
        "grid": grid,
        "exceptions": exceptions,
        "measure_rows": measure_rows,
        "directions": dashboard.direction_counts(measure_rows),
        "matrix": matrix,
        "headline": judgements.headline(matrix),
        "overdue_count": sum(1 for e in exceptions if e["overdue"]),
        "direction_rule": dashboard.DIRECTION_RULE,
        "overdue_rule": clock.OVERDUE_RULE,
        "final_rule": clock.FINAL_RULE,
        "sources": sources,
        "tables": {
            "grid": (dashboard.GRID_COLUMNS, lambda: dashboard.grid_table(grid)),
            "exceptions": (dashboard.EXCEPTION_COLUMNS, lambda: dashboard.exceptions_table(exceptions)),
            "measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows)),
        },
    }


def figures_context(filters: dashboard.Filters) -> dict:
    """Every measure's figures for the chosen quarter, a page of partnerships at a time: the overview's
    matrix as numbers (its table and download), on a page of its own so the overview stays a picture."""
    measure_rows, sources = dashboard.measure_rows(filters)
    return {
        "filters": filters,
        "measure_rows": measure_rows,
        "direction_rule": dashboard.DIRECTION_RULE,
        "final_rule": clock.FINAL_RULE,
        "sources": sources,
        "tables": {"measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows))},
    }


PRIORITY_DELIVERABLE_COLUMNS = [
    ("partnership", "Partnership"),
    ("objective", "Objective"),
    ("deliverable", "Deliverable"),
    ("lead_agency", "Lead agency"),
    ("owner", "Owner"),
    ("due_date", "Due"),
    ("status", "Status"),
    ("rag", "RAG"),
    ("progress", "Progress %"),
    ("commentary", "Commentary"),
]


def _deliverable_row(d, update) -> dict:
    objective = d.objective
    return {
        "partnership": objective.strategy.partnership.name,
        "objective": objective.title,
        "deliverable": d.title,
        "lead_agency": d.lead_agency,
        "owner": str(d.owner or ""),
        "due_date": d.due_date,
        "status": update.get_status_display() if update else d.get_status_display(),
        "rag": update.get_rag_display() if update else "No update",
        "progress": update.progress if update else None,
        "commentary": update.commentary if update else "",
    }


def priority_context(priority, filters: dashboard.Filters) -> dict:
    """One priority across partnerships: its context, each partnership's objectives and deliverables
    with their RAG and commentary for the quarter, the exceptions, and its measures (15 queries)."""
    strategies = {
        pid: s
        for pid, s in dashboard.strategies_for(filters).items()
        if s.framework_id == priority.framework_id
    }
    quarter = dashboard.reporting_quarter(filters)
    deliverables = (
        Deliverable.objects.filter(objective__strategy__in=strategies.values(), objective__priority=priority)
        .select_related("objective__strategy__partnership", "objective__priority", "owner")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=DeliverableUpdate.objects.filter(quarter=quarter),
                to_attr="quarter_updates",
            )
        )
        .order_by("objective__strategy__partnership__name", "objective__order", "objective_id", "pk")
    )
    by_partnership, deliverable_rows, pairs = {}, [], []
    for d in deliverables:
        objective = d.objective
        update = d.quarter_updates[0] if d.quarter_updates else None
        pairs.append((d, update))
        entry = by_partnership.setdefault(
            objective.strategy.partnership_id,
            {"partnership": objective.strategy.partnership, "objectives": {}},
        )
        item = entry["objectives"].setdefault(objective.pk, {"objective": objective, "rows": []})
        item["rows"].append({"deliverable": d, "update": update})
        deliverable_rows.append(_deliverable_row(d, update))
    sections = []
    for entry in by_partnership.values():
        objectives = list(entry["objectives"].values())
        for item in objectives:
            item["rollup"] = rollup([r["update"] for r in item["rows"]])
        sections.append({"partnership": entry["partnership"], "objectives": objectives})
    exceptions = dashboard.exception_rows(pairs, filters.as_at) if filters.quarter else []
    measure_rows, sources = dashboard.measure_rows(filters, priority.measures.order_by("order", "name"))
    return {
        "priority": priority,
        "filters": filters,
        "partnership_sections": sections,
        "exceptions": exceptions,
        "measure_rows": measure_rows,
        "direction_rule": dashboard.DIRECTION_RULE,
        "rollup_rule": ROLLUP_RULE,
        "sources": sources,
        "reporting_quarter": quarter,
        "tables": {
            "deliverables": (PRIORITY_DELIVERABLE_COLUMNS, lambda: deliverable_rows),
            "exceptions": (dashboard.EXCEPTION_COLUMNS, lambda: dashboard.exceptions_table(exceptions)),
            "measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows)),
        },
    }


HORIZON_COLUMNS = [
    ("title", "Title"),
    ("kind", "Kind"),
    ("body", "Issued by"),
    ("when", "Expected"),
    ("status", "Status"),
    ("impact", "Expected impact"),
    ("impact_note", "How it affects community safety"),
    ("priorities", "Priorities"),
    ("partnerships", "Partnerships"),
]


def horizon_rows(items) -> list[dict]:
    return [
        {
            "title": i.title,
            "kind": i.get_kind_display(),
            "body": i.body,
            "when": i.when,
            "status": i.get_status_display(),
            "impact": i.get_impact_display(),
            "impact_note": i.impact_note,
            "priorities": ", ".join(str(p.number) for p in i.priorities.all()),
            "partnerships": ", ".join(p.label for p in i.partnerships.all()) or "All",
        }
        for i in items
    ]


def how_we_judge_context() -> dict:
    """Every rule a dashboard applies, stated once, with the icons' legend."""
    return {
        "direction_rule": dashboard.DIRECTION_RULE,
        "overdue_rule": clock.OVERDUE_RULE,
        "final_rule": clock.FINAL_RULE,
        "rollup_rule": ROLLUP_RULE,
        "variations": [v for v in judgements.VARIATION_TEXT.items()],
        "assurances": [a for a in judgements.ASSURANCE_TEXT.items() if a[0]],
    }


def horizon_context(user) -> dict:
    """The horizon-scanning register: strategies, laws, guidance and tools ahead for community safety."""
    items = list(HorizonItem.objects.for_register())
    return {
        "items": items,
        "can_edit": user.is_admin,
        "filters": dashboard.Filters(None, [], None, [], None, []),
        "tables": {"register": (HORIZON_COLUMNS, lambda: horizon_rows(items))},
    }


def partnership_list_context(today: datetime.date) -> dict:
    active = list(Partnership.objects.active(today).for_list())
    former = list(Partnership.objects.former(today).for_list())
    strategies = current_strategies(active)
    for partnership in active:
        partnership.current_strategy = strategies.get(partnership.pk)
        partnership.areas_today = [row.area.name for row in partnership.coverage.all() if row.covers(today)]
    return {"active": active, "former": former, "today": today}


def partnership_context(partnership: Partnership, filters: dashboard.Filters, user) -> dict:
    """A partnership's page: areas over time, mergers, strategies, people, plan and measures (15 queries)."""
    strategies = list(
        Strategy.objects.for_partnership(partnership)
        .select_related("framework")
        .annotate(
            deliverable_count=Count("objectives__deliverables"),
            **{
                f"n_{value}": Count(
                    "objectives__deliverables", filter=Q(objectives__deliverables__status=value)
                )
                for value in Deliverable.Status.values
            },
        )
    )
    current = next((s for s in strategies if s.status == Strategy.Status.ADOPTED), None)
    memberships = Membership.objects.filter(partnership=partnership).select_related("user").order_by("role")
    mergers = list(
        Merger.objects.filter(Q(successor=partnership) | Q(predecessors=partnership))
        .distinct()
        .select_related("successor")
        .prefetch_related("predecessors")
    )
    merger = next((m for m in mergers if m.successor_id == partnership.pk), None)
    table, measure_rows, sources = dashboard.measure_table(filters)
    # The areas over time: the rows the figure table read for this partnership, with their codes.
    coverage = sorted(table.coverage[partnership.pk], key=lambda row: (row.start, row.area.name))
    prefetch_related_objects([row.area for row in coverage], "codes")
    review_status = QuarterlyReview.objects.filter(partnership=partnership, quarter=OuterRef("pk")).values(
        "status"
    )
    quarters = list(
        ReportingQuarter.objects.latest_first().annotate(review_status=Subquery(review_status[:1]))[:8]
    )
    return {
        "tables": {
            "measures": (dashboard.MEASURE_COLUMNS, lambda: dashboard.measures_table(measure_rows)),
            # Read only when downloaded: the page itself never runs these queries.
            "stored": (STORED_COLUMNS, lambda: stored_rows([partnership])),
        },
        "partnership": partnership,
        "filters": filters,
        "coverage": coverage,
        "strategies": strategies,
        "current": current,
        "status_rows": [
            (value, label, getattr(current, f"n_{value}", 0)) for value, label in Deliverable.Status.choices
        ]
        if current
        else [],
        "memberships": memberships,
        "merger": merger,
        "predecessors": list(merger.predecessors.all()) if merger else [],
        "merged_into": [m for m in mergers if m.successor_id != partnership.pk],
        "measure_rows": measure_rows,
        "direction_rule": dashboard.DIRECTION_RULE,
        "sources": sources,
        "review_rows": [
            (q, QuarterlyReview(status=q.review_status) if q.review_status else None) for q in quarters
        ],
        "can_edit": partnership.can_edit(user),
        "can_view_reviews": partnership.can_view_reviews(user),
        "can_split": merger is not None and merger.can_end(user),
    }


def officer_home_context(user) -> dict:
    """An officer's or lead's home: each of their partnerships' plan, soonest due first, and where this
    quarter's review stands."""
    partnerships = Partnership.objects.filter(pk__in=user.membership_roles).order_by("name")
    strategies = current_strategies(partnerships)
    open_quarter = ReportingQuarter.objects.open().latest_first().first()
    reporting = clock.default_quarter()
    overdue_ids = {d.pk for d, _ in clock.overdue(reporting, partnerships)} if reporting else set()
    plans = []
    for partnership in partnerships:
        strategy = strategies.get(partnership.pk)
        deliverables = (
            Deliverable.objects.filter(objective__strategy=strategy)
            .select_related("objective__priority", "owner")
            .order_by("due_date")
            if strategy
            else Deliverable.objects.none()
        )
        plans.append(
            {
                "partnership": partnership,
                "role": user.membership_roles[partnership.pk],
                "strategy": strategy,
                "deliverables": deliverables,
                "review": review_progress(partnership, open_quarter)
                if open_quarter and clock.reports_on(partnership, open_quarter)
                else None,
            }
        )
    return {
        "plans": plans,
        "as_at": clock.reporting_date(reporting),
        "reporting_quarter": reporting,
        "overdue_ids": overdue_ids,
        "overdue_rule": clock.OVERDUE_RULE,
    }


def admin_todo() -> dict:
    """What needs an administrator's attention, one query per line."""
    active = Partnership.objects.active()
    reporting = clock.default_quarter()
    overdue = clock.overdue(reporting) if reporting else []
    with_adopted = Strategy.objects.adopted().values("partnership")
    return {
        "without_strategy": active.exclude(pk__in=with_adopted).order_by("name"),
        "drafts": Strategy.objects.filter(status=Strategy.Status.DRAFT).select_related("partnership"),
        "without_members": active.annotate(n=Count("memberships")).filter(n=0).order_by("name"),
        "without_lead": active.exclude(memberships__role=Membership.Role.LEAD).order_by("name"),
        "users_without_role": User.objects.filter(
            is_active=True, is_superuser=False, is_scrutiny_member=False, memberships__isnull=True
        ),
        "unowned_count": Deliverable.objects.open().filter(owner__isnull=True).count(),
        "overdue": overdue,
        "overdue_count": len(overdue),
        "as_at": clock.reporting_date(reporting),
        "reporting_quarter": reporting,
        "overdue_rule": clock.OVERDUE_RULE,
        "missing_baselines": Measure.objects.annotate(
            n=Count("baselines", filter=Q(baselines__partnership__in=active))
        )
        .filter(n__lt=active.count())
        .order_by("order", "name"),
        "counts": {
            "partnerships": active.count(),
            "strategies": Strategy.objects.count(),
            "deliverables": Deliverable.objects.count(),
            "measures": Measure.objects.count(),
            "users": User.objects.filter(is_active=True).count(),
        },
    }
