"""Partnership figures made from area values, in a fixed number of queries.

Police files report *areas*; a partnership's figure for a period combines the
values of the areas it covered at the end of that period: added up for counts,
averaged by population for rates and percentages. Before a partnership existed
(a merged partnership before its merger date) its figure is made from the areas
it was formed with, so its series joins up with its predecessors' figures; so is
a partnership's between two spells (standing alone again after a pilot merger):
from the areas it covered next.

A figure is missing, never partial: when any covered area has no value the
partnership has no figure for that period.
"""

import copy
import datetime
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef

from measures.importing.layouts import TEMPLATE_COLUMNS
from measures.models import BASELINE_YEAR, Baseline, Measure, MeasureValue, Period, Target
from measures.periods import financial_year_bounds, financial_year_label
from measures.trend import Trend, xmr
from partnerships.models import AreaCode, AreaPopulation, PartnershipArea

FOUR_QUARTERS = 4
PER = Decimal(1000)


@dataclass(frozen=True)
class Change:
    amount: Decimal
    percent: Decimal | None
    verdict: str  # "better", "worse", "same"

    @property
    def label(self) -> str:
        return {"better": "Better than baseline", "worse": "Worse than baseline", "same": "Same as baseline"}[
            self.verdict
        ]


@dataclass
class MeasureSummary:
    """One measure for one partnership: baseline, latest quarter, latest four quarters, the same
    quarter a year earlier, and the direction of travel on the quarterly series."""

    measure: Measure
    baseline: Baseline | None
    latest_period: Period | None
    latest_value: Decimal | None
    year_label: str
    year_value: Decimal | None
    change: Change | None
    year_ago_period: Period | None = None
    year_ago_value: Decimal | None = None
    trend: Trend | None = None
    missing: list[Period] = field(default_factory=list)
    series: list = field(default_factory=list)  # (period, value) judged for the trend; signals index it
    since_break: bool = False  # the trend is judged only on quarters after the measure's series break
    break_index: int | None = None  # where in ``series`` the quarters since the break start
    baseline_before_break: bool = False  # the baseline was counted under the old rules
    # None set, so the baseline is the baseline year's four quarters on record (``FigureTable.summary``).
    baseline_from_figures: bool = False
    # The baseline year's quarters on record add up to another figure than the baseline set (a revised
    # release): that figure, to show beside it. None when they agree, or are not all on record.
    baseline_on_record: Decimal | None = None

    def formatted(self, value):
        return self.measure.format_value(value)

    @property
    def baseline_note(self) -> str:
        """What every page, download and the paper say beside the baseline: made from the figures, or
        apart from them now (empty otherwise). The one wording of it."""
        if self.baseline_from_figures:
            return "None set: the 2010/11 quarters on record"
        if self.baseline_on_record is not None:
            return f"The 2010/11 quarters on record now add up to {self.formatted(self.baseline_on_record)}"
        return ""

    @property
    def year_ago_change(self) -> Decimal | None:
        if self.latest_value is None or self.year_ago_value is None:
            return None
        return self.latest_value - self.year_ago_value


def compare(measure: Measure, baseline: Decimal, latest: Decimal) -> Change:
    """Latest twelve months against the baseline year, judged by the measure's desired direction."""
    amount = latest - baseline
    percent = (amount / baseline * 100).quantize(Decimal("0.1")) if baseline else None
    if amount == 0:
        verdict = "same"
    elif (amount > 0) == measure.higher_is_better:
        verdict = "better"
    else:
        verdict = "worse"
    return Change(amount=amount, percent=percent, verdict=verdict)


class FigureTable:
    """Figures of some partnerships for some measures over every period of the given kinds on record
    (financial quarters unless told otherwise).

    Three queries, whatever the number of partnerships, measures or periods:
    coverage (with area populations), the periods, and the values; a fourth, the areas' mid-year
    populations, only when a measure is shown per 1,000 residents.
    """

    def __init__(self, partnerships, measures, kinds=(Period.Kind.QUARTER,), periods=None):
        self.partnerships = list(partnerships)
        self.measures = list(measures)
        coverage = PartnershipArea.objects.filter(partnership__in=self.partnerships).select_related("area")
        self.coverage = defaultdict(list)
        for row in coverage:
            self.coverage[row.partnership_id].append(row)
        area_ids = {row.area_id for rows in self.coverage.values() for row in rows}
        # The caller may already hold the periods (the dashboards' quarter list): no need to ask again.
        if periods is None:
            periods = Period.objects.filter(kind__in=kinds).order_by("end", "start")
        self.periods = sorted(periods, key=lambda p: (p.end, p.start))
        # Looked up many times per page, so worked out once.
        self._index = {p.pk: i for i, p in enumerate(self.periods)}
        self._fy = {p.pk: p.financial_year for p in self.periods}
        self._span_index = {(p.kind, p.start, p.end): i for i, p in enumerate(self.periods)}
        self.values = {}
        self._areas = {}  # (partnership, period) -> coverage rows: the same for every measure
        self._series = {}
        # Where the figures came from, to say so beside them: (measure id, area id) -> {source: the end
        # of the earliest period it gave a figure for}, so that a page as at a quarter names only the
        # sources of figures up to it (a later release is not a source of an earlier quarter's paper).
        self._sources = defaultdict(dict)
        for m, a, p, v, source, end in MeasureValue.objects.filter(
            measure__in=self.measures, area_id__in=area_ids, period__kind__in=kinds
        ).values_list("measure_id", "area_id", "period_id", "value", "source", "period__end"):
            self.values[m, a, p] = v
            given = self._sources[m, a]
            source = source or "source not recorded"
            if end < given.get(source, datetime.date.max):
                given[source] = end
        self.populations = {}  # area id -> {mid-year: population}
        if any(m.show_per_1000 for m in self.measures):
            self.populations = AreaPopulation.objects.by_area_and_year(area_ids)

    @property
    def sources(self) -> set[str]:
        """Where every figure read came from."""
        return self.sources_until(None)

    def sources_until(self, until: Period | None) -> set[str]:
        """Where the figures of periods ending by the end of ``until`` came from (every one without)."""
        return set().union(*(_given_by(given, until) for given in self._sources.values()))

    def sources_for(self, partnership, measure: Measure, until: Period | None = None) -> frozenset[str]:
        """Where the partnership's figures for the measure came from (its areas over time), up to the end
        of ``until``."""
        rows = self.coverage.get(partnership.pk, [])
        return frozenset().union(
            *(_given_by(self._sources.get((measure.pk, row.area_id), {}), until) for row in rows)
        )

    def latest(
        self, partnership, measure: Measure, kind: str, until: Period | None = None
    ) -> tuple[Period | None, Decimal | None]:
        """The most recent period of one kind with a figure for the partnership, and the figure; with
        ``until``, the most recent ending by the end of it (a page as at a past quarter shows nothing
        later, so that it reads the same when later figures arrive)."""
        for period in reversed(self.periods):
            if period.kind == kind and (until is None or period.end <= until.end):
                value = self.value(partnership, measure, period)
                if value is not None:
                    return period, value
        return None, None

    def areas_for(self, partnership, period: Period) -> list:
        key = (partnership.pk, period.pk)
        cached = self._areas.get(key)
        if cached is None:
            cached = self._areas[key] = self._areas_for(partnership, period)
        return cached

    def _areas_for(self, partnership, period: Period) -> list:
        rows = self.coverage.get(partnership.pk, [])
        covering = [row for row in rows if row.covers(period.end)]
        if covering or not rows:
            return covering
        # Before the partnership was formed, or between two spells of it (a pilot merger that ended, the
        # partnership standing alone again): the areas it covered next, so that its series joins up, and
        # its district's figures of those years are not shown as missing. After its last spell: none.
        next_start = min((row.start for row in rows if row.start > period.end), default=None)
        if next_start is not None:
            return [row for row in rows if row.start == next_start]
        return []

    def population(self, area, year: int) -> int | None:
        """The area's mid-year population for the year: the nearest earlier estimate on record, else the
        area's own population figure."""
        years = self.populations.get(area.pk, {})
        earlier = [y for y in years if y <= year]
        return years[max(earlier)] if earlier else area.population

    def per_1000(self, partnership, period: Period, count: Decimal | None) -> Decimal | None:
        """A count over the areas the partnership covered in the period as a rate per 1,000 residents.

        The population is the mid-year estimate of the financial year's first year (2011/12 and each of
        its quarters: mid-2011), as the ONS's crime rates use; missing when any area has none.
        """
        rows = self.areas_for(partnership, period)
        if count is None or not rows:
            return None
        year = self._fy.get(period.pk) or period.financial_year
        populations = [self.population(row.area, year) for row in rows]
        if not all(populations):
            return None
        return count * PER / sum(populations)

    def target_as_shown(self, partnership, measure: Measure, target: Target | None) -> Target | None:
        """A partnership's target in the unit its figures are shown in: for a measure shown per 1,000
        residents, the count aimed at over the residents of the areas it covers in the target's period
        (None without their populations), as its baseline is. Set as a count beside rates, a target of
        3,342 read "3342.00 per 1,000" and its assurance judged the rates against it."""
        if target is None or not measure.show_per_1000:
            return target
        shown = copy.copy(target)
        shown.value = self.per_1000(partnership, target.period, target.value)
        return shown if shown.value is not None else None

    def value(self, partnership, measure: Measure, period: Period) -> Decimal | None:
        count = self._value(partnership, measure, period)
        if measure.show_per_1000:
            return self.per_1000(partnership, period, count)
        return count

    def _value(self, partnership, measure: Measure, period: Period) -> Decimal | None:
        rows = self.areas_for(partnership, period)
        if not rows:
            return None
        if len(rows) == 1:  # the usual case: one district, its own figure
            return self.values.get((measure.pk, rows[0].area_id, period.pk))
        parts = []
        for row in rows:
            value = self.values.get((measure.pk, row.area_id, period.pk))
            if value is None:
                return None
            parts.append((value, row.area.population))
        if measure.is_additive:
            return sum((v for v, _ in parts), Decimal(0))
        if len(parts) == 1:
            return parts[0][0]
        if any(not population for _, population in parts):
            return None
        total = sum(population for _, population in parts)
        return sum((v * population for v, population in parts), Decimal(0)) / total

    def series(self, partnership, measure: Measure) -> list[tuple[Period, Decimal | None]]:
        key = (partnership.id, measure.id)
        cached = self._series.get(key)
        if cached is None:
            rows = self.coverage.get(partnership.id, [])
            if len(rows) == 1 and not measure.show_per_1000:  # one district all along: its figures, quickly
                area, end, values, m = rows[0].area_id, rows[0].end, self.values, measure.id
                cached = [
                    (p, values.get((m, area, p.id)) if end is None or p.end <= end else None)
                    for p in self.periods
                ]
            else:
                cached = [(p, self.value(partnership, measure, p)) for p in self.periods]
            self._series[key] = cached
        return cached

    def summary(
        self,
        partnership,
        measure: Measure,
        baseline: Baseline | None,
        until: Period | None = None,
        target: float | None = None,
    ) -> MeasureSummary:
        """The measure for the partnership as at the end of ``until`` (the latest quarter by default).

        ``target``: a quarterly figure the direction of travel assures against (``Trend.assurance``)."""
        series = self.series(partnership, measure)
        if baseline is not None and measure.show_per_1000:  # the baseline year's count, as a rate too
            baseline = copy.copy(baseline)
            baseline.value = self.per_1000(partnership, baseline.period, baseline.value)
            if baseline.value is None:
                baseline = None
        if until is not None:  # the periods are in date order, so "up to the end of until" is a prefix
            cut = next((i for i, (p, _) in enumerate(series) if p.end > until.end), len(series))
            series = series[:cut]
        fy = self._fy
        baseline, from_figures, on_record = self._baseline_against_record(
            partnership, measure, baseline, series
        )
        known = [(p, v) for p, v in series if v is not None and fy[p.id] > BASELINE_YEAR]
        latest_period, latest_value = known[-1] if known else (None, None)
        year_value, year_label = None, ""
        year_ago_period = year_ago_value = None
        if latest_period is not None:
            index = self._index[latest_period.id]
            window = series[max(0, index - FOUR_QUARTERS + 1) : index + 1]
            if len(window) == FOUR_QUARTERS and all(v is not None for _, v in window):
                year_value = sum((v for _, v in window), Decimal(0))
                if not measure.is_additive:
                    year_value /= FOUR_QUARTERS
                year_label = f"12 months to end of {latest_period.label}"
            earlier = self._span_index.get(latest_period.same_period_a_year_earlier())
            if earlier is not None and earlier < len(series):
                year_ago_period, year_ago_value = series[earlier]
        change = None
        if baseline is not None and year_value is not None:
            change = compare(measure, baseline.value, year_value)
        # Direction of travel on the whole quarterly series up to the latest figure.
        first = next((i for i, (_, v) in enumerate(series) if v is not None), None)
        last = self._index[latest_period.id] + 1 if latest_period is not None else len(series)
        judged = series[first:last] if first is not None else []
        baseline_count = sum(1 for p, _ in judged if fy[p.id] <= BASELINE_YEAR)
        # Across a series break the figures mean something else: the quarters since the break are a group
        # of their own (limits of their own), and the direction of travel is theirs.
        since_break = bool(measure.break_on and judged and judged[0][0].start < measure.break_on)
        break_index = None
        if since_break:
            break_index = next(
                (i for i, (p, _) in enumerate(judged) if p.start >= measure.break_on), len(judged)
            )
        if latest_period is None:
            # Only the baseline year has figures: nothing current to judge. (Judged anyway, the last
            # baseline quarter's signal read as today's direction of travel, years later.)
            year = financial_year_label(BASELINE_YEAR)
            trend = Trend(reason=f"No quarter after the baseline year {year} has a figure.")
        else:
            trend = xmr(
                [v for _, v in judged],
                higher_is_better=measure.higher_is_better,
                baseline_count=baseline_count,
                break_index=break_index,
                target=target,
            )
        if since_break and latest_period is not None:
            trend.reason = (
                f"Judged only on quarters since the series break on {measure.break_on:%-d %B %Y} "
                f"({measure.break_note}). {trend.reason}"
            )
        baseline_before_break = bool(
            measure.break_on and baseline is not None and baseline.period.end < measure.break_on
        )
        missing = [p for p, v in judged if v is None]
        return MeasureSummary(
            measure,
            baseline,
            latest_period,
            latest_value,
            year_label,
            year_value,
            change,
            year_ago_period=year_ago_period,
            year_ago_value=year_ago_value,
            trend=trend,
            missing=missing,
            series=judged,
            since_break=since_break,
            break_index=break_index,
            baseline_before_break=baseline_before_break,
            baseline_from_figures=from_figures,
            baseline_on_record=on_record,
        )

    def _baseline_against_record(self, partnership, measure: Measure, baseline: Baseline | None, series):
        """(the baseline, whether it is made from the figures, the figure on record where it differs).

        The baseline year's four quarters on record, added up (averaged for a rate), are the partnership's
        baseline when none is set: imported 2010/11 figures gave no baseline at all. When one is set (the
        strategy's figure, kept as the pages' baseline), a different figure on record is returned to show
        beside it: a revised release changed it, and the baseline does not follow without a word."""
        fy, kind = self._fy, Period.Kind.QUARTER
        year = [v for p, v in series if p.kind == kind and fy[p.id] == BASELINE_YEAR]
        if len(year) != FOUR_QUARTERS or any(v is None for v in year):
            return baseline, False, None
        on_record = sum(year, Decimal(0))
        if not measure.is_additive:
            on_record /= FOUR_QUARTERS
        if baseline is None:
            start, end = financial_year_bounds(BASELINE_YEAR)
            period = Period(kind=Period.Kind.YEAR, start=start, end=end)
            period.label = period.make_label()
            made = Baseline(measure=measure, partnership=partnership, period=period, value=on_record)
            made.source = f"the {period.label} quarters on record"
            return made, True, None
        same_year = (
            baseline.period.kind == Period.Kind.YEAR
            and baseline.period.start == financial_year_bounds(BASELINE_YEAR)[0]
        )
        # Only a count's quarters add up to its year: a rate's or percentage's year is worked out from the
        # year's totals, which the mean of its quarters is not, so the two differ without any revision.
        differs = measure.format_value(baseline.value) != measure.format_value(on_record)
        if same_year and measure.is_additive and differs:
            return baseline, False, on_record
        return baseline, False, None


def _given_by(given: dict, until: Period | None) -> set[str]:
    """The sources of ``given`` ({source: the end of its earliest figure}) with a figure by ``until``."""
    return set(given) if until is None else {source for source, end in given.items() if end <= until.end}


def reporting_date(today: datetime.date | None = None) -> datetime.date:
    """The date pages report "as at": the end of the latest quarter with figures, never after today.

    Police figures arrive after a quarter ends, so plans are judged at the same point as the
    figures beside them (an item due last week is not yet "overdue" in last quarter's report).
    """
    today = today or datetime.date.today()
    latest = (
        Period.objects.quarters()
        .filter(end__lte=today)
        .filter(Exists(MeasureValue.objects.filter(period=OuterRef("pk"))))
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    return latest or today


def baselines_for(partnerships, measures) -> dict[tuple[int, int], Baseline]:
    rows = Baseline.objects.filter(partnership__in=partnerships, measure__in=measures).select_related(
        "period"
    )
    return {(b.partnership_id, b.measure_id): b for b in rows}


def targets_for(partnerships, measures) -> dict[tuple[int, int], Target]:
    """Each partnership's target for each measure: the earliest by date, the one the pages draw and assure
    against (1 query)."""
    found = {}
    rows = Target.objects.filter(partnership__in=partnerships, measure__in=measures).select_related("period")
    for target in rows.order_by("period__end", "pk"):
        found.setdefault((target.partnership_id, target.measure_id), target)
    return found


def quarterly_equivalent(measure: Measure, value: Decimal | None, period: Period | None) -> float | None:
    """A yearly figure set against quarterly figures: a quarter's share of a count, a rate as it is."""
    if value is None:
        return None
    if measure.is_additive and period is not None and period.kind != Period.Kind.QUARTER:
        return float(value) / 4
    return float(value)


def quarterly_target(measure: Measure, target: Target | None) -> float | None:
    return quarterly_equivalent(measure, target.value, target.period) if target else None


def measure_summaries(partnership, measures) -> tuple[list[MeasureSummary], list[str]]:
    """Baseline against latest for each measure, for one partnership, and the figures' sources (4 queries)."""
    measures = list(measures)
    table = FigureTable([partnership], measures)
    baselines = baselines_for([partnership], measures)
    summaries = [table.summary(partnership, m, baselines.get((partnership.pk, m.pk))) for m in measures]
    return summaries, sorted(table.sources)


# --- Judgements kept per version of the figures --------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    """One partnership's measure as the tables and the matrix show it: its summary in brief (no quarter
    by quarter points), its target, and where its figures came from."""

    summary: MeasureSummary
    target: Target | None
    sources: frozenset[str]


class KeptJudgements:
    """Summaries judged once per version of the figures, in this process's memory.

    A judgement reads every quarter of a series, so it costs more as history grows; it changes only when
    the figures do. Entries are keyed by partnership, measure, the quarter judged up to and the quarters
    on record, and all are dropped as soon as a request sees a newer version
    (``Measure.objects.with_figures_version()``). At most ``size`` entries are kept (``KEPT_JUDGEMENTS``,
    10,000: a brief with its baseline and target takes about 3 KB with 120 quarters of history, so about
    30 MB a process at most); the oldest go first.
    """

    def __init__(self, size: int):
        self.size = size
        self.version = None
        self.entries: dict = {}
        self.lock = threading.Lock()

    def get(self, version, key) -> Kept | None:
        with self.lock:
            if version != self.version:
                self.version, self.entries = version, {}
            return self.entries.get(key)

    def put(self, version, key, kept: Kept) -> None:
        with self.lock:
            if version != self.version:
                return  # a newer version arrived meanwhile: this judgement is already out of date
            self.entries[key] = kept
            while len(self.entries) > self.size:
                del self.entries[next(iter(self.entries))]

    def clear(self) -> None:
        with self.lock:
            self.version, self.entries = None, {}


kept_judgements = KeptJudgements(size=getattr(settings, "KEPT_JUDGEMENTS", 10_000))


def summaries(partnerships, measures, *, periods, until: Period | None) -> dict[tuple[int, int], Kept]:
    """(partnership id, measure id) -> ``Kept``: each partnership's measures as at the end of ``until``,
    judged on the quarterly series over ``periods``.

    With the measures read by ``Measure.objects.with_figures_version()``, judgements already made for this
    version of the figures are reused: no query at all when every one is kept. Otherwise the missing ones
    are judged (4 queries: coverage, figures, baselines, targets) and kept.
    """
    measures = list(measures)
    partnerships = list(partnerships)
    version = getattr(measures[0], "figures_version", None) if measures else None
    shape = (until.pk if until else None, hash(tuple(p.pk for p in periods)))
    found, wanted_p, wanted_m = {}, set(), set()
    for p in partnerships:
        for m in measures:
            kept = kept_judgements.get(version, (p.pk, m.pk, shape)) if version is not None else None
            if kept is None:
                wanted_p.add(p.pk)
                wanted_m.add(m.pk)
            else:
                found[p.pk, m.pk] = kept
    if not wanted_p:
        return found
    some_p = [p for p in partnerships if p.pk in wanted_p]
    some_m = [m for m in measures if m.pk in wanted_m]
    table = FigureTable(some_p, some_m, periods=periods)
    baselines = baselines_for(some_p, some_m)
    targets = targets_for(some_p, some_m)
    for p in some_p:
        for m in some_m:
            if (p.pk, m.pk) in found:
                continue
            target = table.target_as_shown(p, m, targets.get((p.pk, m.pk)))
            summary = table.summary(
                p, m, baselines.get((p.pk, m.pk)), until=until, target=quarterly_target(m, target)
            )
            kept = Kept(brief(summary), target, table.sources_for(p, m, until))
            if version is not None:
                kept_judgements.put(version, (p.pk, m.pk, shape), kept)
            found[p.pk, m.pk] = kept
    return found


def brief(summary: MeasureSummary) -> MeasureSummary:
    """The summary without its series and per-quarter points (see ``Trend.brief``)."""
    return replace(summary, series=[], trend=summary.trend.brief() if summary.trend else None)


# The figures exactly as stored, in our import template's columns, so a download can be corrected and
# imported again. Keys are the rows' dict keys; headings are the template's own column names.
STORED_COLUMNS = list(zip(["area", "area_code", "measure", "period", "value"], TEMPLATE_COLUMNS, strict=True))


def stored_rows(partnerships, measures=None) -> list[dict]:
    """One row per area, measure and period on record, for every area the partnerships have covered:
    the raw stored value (a count stays a count even where the measure is shown per 1,000 residents),
    never summed into partnerships. Every kind of period is included, labelled as the importer reads it
    back. Three queries, whatever the size: the areas, their codes and the values."""
    area_ids = set(
        PartnershipArea.objects.filter(partnership__in=list(partnerships)).values_list("area_id", flat=True)
    )
    codes = {}
    for area_id, code in (
        AreaCode.objects.filter(area_id__in=area_ids).order_by("kind", "code").values_list("area_id", "code")
    ):
        codes.setdefault(area_id, code)  # any of an area's codes finds it; the local authority's first
    values = MeasureValue.objects.filter(area_id__in=area_ids)
    if measures is not None:
        values = values.filter(measure__in=list(measures))
    return [
        {
            "area": v.area.name,
            "area_code": codes.get(v.area_id, ""),
            "measure": v.measure.name,
            "period": v.period.label,
            "value": v.value,
        }
        for v in values.as_stored()
    ]
