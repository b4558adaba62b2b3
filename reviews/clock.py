"""One reporting clock. Every page, download, paper, reminder and home page asks here:

- which partnerships report on a quarter: those covering an area on its last day (so a merger or split
  acts from its date on, and the past shows the partnerships as they were);
- where each partnership's review of a quarter stands, and whether the quarter is **final** (every one of
  those partnerships has signed off) or **provisional**;
- the **reporting quarter** pages show by default: the latest final quarter (failing that, the latest
  quarter that has opened), and the **reporting date**: its last day, never after today;
- what **overdue** means (``OVERDUE_RULE``), and the one list of overdue deliverables for a quarter.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery

from measures import figures
from partnerships.models import Partnership, PartnershipArea
from reviews.models import DeliverableUpdate, QuarterlyReview, ReportingQuarter
from strategies.models import Deliverable, Strategy, is_overdue

OVERDUE_RULE = (
    "Overdue means a deliverable that is not complete or dropped (as recorded for the quarter) whose due "
    "date is before the reporting date, the last day of the quarter reported on. Something due on that "
    "day is not overdue yet."
)
FINAL_RULE = (
    "A quarter is final once every partnership reporting on it has signed off its review; until then its "
    "figures and ratings are provisional."
)
NOT_STARTED = "not_started"
NOT_REPORTING = "not_reporting"
STATE_LABELS = {
    NOT_STARTED: "Not started",
    **dict(QuarterlyReview.Status.choices),
    NOT_REPORTING: "Not a partnership then",
}


def reporting_partnerships(period, partnerships=None):
    """The partnerships reporting on a quarter (covering an area on its last day), by name, each with
    ``review_status``: its review's status for the quarter, or None (one query)."""
    qs = (
        Partnership.objects.active(period.end)
        .annotate(
            review_status=Subquery(
                QuarterlyReview.objects.filter(partnership=OuterRef("pk"), quarter__period=period).values(
                    "status"
                )[:1]
            )
        )
        .order_by("name")
    )
    if partnerships is not None:
        qs = qs.filter(pk__in=[p.pk for p in partnerships])
    return list(qs)


def partnerships_on(day: datetime.date, partnerships=None) -> list[Partnership]:
    """The partnerships covering an area on the day, by name."""
    qs = Partnership.objects.active(day).order_by("name")
    if partnerships is not None:
        qs = qs.filter(pk__in=[p.pk for p in partnerships])
    return list(qs)


def reports_on(partnership: Partnership, quarter: ReportingQuarter) -> bool:
    """Does the partnership report on the quarter (cover an area on its last day)?"""
    return PartnershipArea.objects.filter(partnership=partnership).covering(quarter.period.end).exists()


def final_annotation(prefix: str = ""):
    """An expression for a queryset of periods (``prefix=""``) or of reporting quarters
    (``prefix="period__"``): true when at least one partnership reports on the quarter and every one of
    them has signed off its review. The same rule as ``QuarterState.is_final``, in SQL."""
    end, period = OuterRef(f"{prefix}end"), OuterRef(f"{prefix}pk" if not prefix else "period_id")
    covering = PartnershipArea.objects.filter(start__lte=end).filter(Q(end__isnull=True) | Q(end__gte=end))
    signed = QuarterlyReview.objects.filter(
        partnership=OuterRef("partnership"),
        quarter__period=OuterRef(period),
        status=QuarterlyReview.Status.SIGNED_OFF,
    )
    unsigned = covering.filter(~Exists(signed))
    return Exists(covering) & ~Exists(unsigned)


@dataclass
class QuarterState:
    """Where every reporting partnership's review of one quarter stands."""

    quarter: ReportingQuarter
    partnerships: list[Partnership] = field(default_factory=list)
    statuses: dict[int, str] = field(default_factory=dict)  # partnership id -> review status

    @cached_property
    def reporting_ids(self) -> set[int]:
        return {p.pk for p in self.partnerships}

    def state_of(self, partnership) -> str:
        if partnership.pk not in self.reporting_ids:
            return NOT_REPORTING
        return self.statuses.get(partnership.pk) or NOT_STARTED

    def label_of(self, partnership) -> str:
        return STATE_LABELS[self.state_of(partnership)]

    @cached_property
    def signed_off(self) -> int:
        return sum(1 for p in self.partnerships if self.state_of(p) == QuarterlyReview.Status.SIGNED_OFF)

    @property
    def is_final(self) -> bool:
        return bool(self.partnerships) and self.signed_off == len(self.partnerships)

    @cached_property
    def rows(self) -> list[dict]:
        return [
            {
                "partnership": p,
                "state": self.state_of(p),
                "label": self.label_of(p),
                "locked": self.state_of(p) == QuarterlyReview.Status.SIGNED_OFF,
            }
            for p in self.partnerships
        ]

    def rows_for(self, partnerships) -> list[dict]:
        """The rows of the given partnerships only (a page of a national overview)."""
        wanted = {p.pk for p in partnerships}
        return [row for row in self.rows if row["partnership"].pk in wanted]


def state_from(quarter: ReportingQuarter, partnerships) -> QuarterState:
    """A quarter's state from ``reporting_partnerships`` (no query)."""
    return QuarterState(
        quarter=quarter,
        partnerships=list(partnerships),
        statuses={p.pk: p.review_status for p in partnerships if getattr(p, "review_status", None)},
    )


def quarter_states(quarters) -> dict[int, QuarterState]:
    """reporting quarter id -> its state (2 queries, whatever the number of quarters)."""
    quarters = list(quarters)
    if not quarters:
        return {}
    ends = {q.pk: q.period.end for q in quarters}
    coverage = PartnershipArea.objects.filter(
        Q(end__isnull=True) | Q(end__gte=min(ends.values())), start__lte=max(ends.values())
    ).select_related("partnership")
    states = {q.pk: QuarterState(quarter=q) for q in quarters}
    seen = defaultdict(set)
    for row in sorted(coverage, key=lambda r: r.partnership.name):
        for pk, end in ends.items():
            if row.covers(end) and row.partnership_id not in seen[pk]:
                seen[pk].add(row.partnership_id)
                states[pk].partnerships.append(row.partnership)
    for review in QuarterlyReview.objects.filter(quarter__in=quarters):
        states[review.quarter_id].statuses[review.partnership_id] = review.status
    return states


def quarter_state(quarter: ReportingQuarter) -> QuarterState:
    return state_from(quarter, reporting_partnerships(quarter.period))


def default_quarter(today: datetime.date | None = None) -> ReportingQuarter | None:
    """The quarter pages show unless told otherwise: the latest final one; failing that, the latest that
    has opened (provisional). One query."""
    today = today or datetime.date.today()
    quarters = (
        ReportingQuarter.objects.filter(period__end__lte=today)
        .annotate(is_final=final_annotation("period__"))
        .select_related("period")
        .order_by("-period__end")
    )
    opened = None
    for quarter in quarters:
        if quarter.is_final:
            return quarter
        if opened is None and (quarter.status != ReportingQuarter.Status.SCHEDULED or quarter.is_open(today)):
            opened = quarter
    return opened


def reporting_date(
    quarter: ReportingQuarter | None = None, today: datetime.date | None = None
) -> datetime.date:
    """The date pages report "as at": the last day of the quarter shown (the default quarter unless one is
    chosen), never after today; with no reporting quarters, the end of the latest quarter with figures."""
    today = today or datetime.date.today()
    quarter = quarter or default_quarter(today)
    if quarter is None:
        return figures.reporting_date(today)
    return min(quarter.period.end, today)


def reviewed_strategies(quarter: ReportingQuarter, partnerships) -> dict[int, Strategy]:
    """partnership id -> the strategy it reviews in the quarter (adopted, or since superseded)."""
    qs = (
        Strategy.objects.filter(
            partnership__in=partnerships, status__in=[Strategy.Status.ADOPTED, Strategy.Status.SUPERSEDED]
        )
        .covering_year(quarter.period.financial_year)
        .select_related("partnership", "framework")
        .order_by("partnership_id", "-first_year")
    )
    result = {}
    for strategy in qs:
        result.setdefault(strategy.partnership_id, strategy)
    return result


def overdue(
    quarter: ReportingQuarter, partnerships=None
) -> list[tuple[Deliverable, DeliverableUpdate | None]]:
    """The one list of overdue work for a quarter: (deliverable, its update for the quarter or None) for
    every deliverable of the strategies the reporting partnerships review, that ``is_overdue`` as at the
    quarter's reporting date (3 queries)."""
    as_at = reporting_date(quarter)
    reporting = partnerships_on(quarter.period.end, partnerships)
    strategies = reviewed_strategies(quarter, reporting)
    deliverables = (
        Deliverable.objects.filter(objective__strategy__in=strategies.values(), due_date__lt=as_at)
        .select_related("objective__strategy__partnership", "objective__priority", "owner")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=DeliverableUpdate.objects.filter(quarter=quarter),
                to_attr="quarter_updates",
            )
        )
        .order_by("objective__strategy__partnership__name", "due_date", "pk")
    )
    result = []
    for d in deliverables:
        update = d.quarter_updates[0] if d.quarter_updates else None
        if is_overdue(d.due_date, update.status if update else d.status, as_at):
            result.append((d, update))
    return result
