"""Comparing a pass's figures with the database and, for an import, writing them.

``compare_and_write`` sets each figure staged by the pass (``staging``, ``totals``) against the stored
cell it would fill, in SQL: new, changed or unchanged, and far outside its area's history or not
(medians in SQL on PostgreSQL, streamed a group at a time through Python on SQLite); only counts and a
few hundred figures for the preview come back into Python. Given a batch, it also writes the new and
changed figures through ``ValueWriter`` (INSERT ... SELECT and UPDATE ... FROM the staging tables), with
what each changed cell held before (``ImportChange``, for rollback).

It writes inside the transaction ``measures.services`` opens for the import and opens none of its
own: that module holds the all-or-nothing rule.
"""

import datetime
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from measures.importing.mapping import Mapper
from measures.importing.period_labels import period_label
from measures.importing.readers import ImportFileError
from measures.importing.staging import SCALE, Staging, hash_joins, unscaled
from measures.importing.validate import MAX_VALUE, NOT_STORED, PassResult
from measures.models import ImportChange, MeasureValue, Period

WRITE_BATCH = 20_000  # SQLite: values staged per executemany
FOUR_PLACES = Decimal("0.0001")
COPY_BATCH = 50_000  # PostgreSQL: values staged per COPY
STREAM_ROWS = 10_000  # rows fetched at a time from a query over the staged figures
VALUE_COLUMNS = ["measure_id", "area_id", "period_id", "value", "source", "batch_id", "updated_at"]
CHANGE_COLUMNS = [
    "batch_id",
    "measure_id",
    "area_id",
    "period_id",
    "previous_value",
    "previous_source",
    "previous_batch_id",
]


FIGURES_SHOWN = 300  # figures listed in a preview (flagged ones first), old -> new and the period before
FLAGGED_SHOWN = 200
CHANGES_SHOWN = 50  # changed figures listed old -> new
OUTLIER_RATIO = 5
OUTLIER_Z = 8
OUTLIER_HISTORY = 4
OUTLIER_RULE = (
    f"A new or changed figure is flagged when its area has at least {OUTLIER_HISTORY} other figures of the "
    f"same kind (months, quarters or years) for the measure, stored or in this file, and it is more than "
    f"{OUTLIER_RATIO} times their median or less than a {OUTLIER_RATIO}th of it, or its robust z-score "
    f"(0.6745 × distance from the median ÷ the median absolute deviation) is above {OUTLIER_Z}. A "
    f"changed figure is also flagged when it is more than {OUTLIER_RATIO} times, or less than a "
    f"{OUTLIER_RATIO}th of, the figure stored for the same period (a revision is rarely that large: part "
    f"of the crimes, another force's file or rates read as counts more often are)."
)
FLAGGED_REFUSAL = (
    "{n} figure{s} {are} far outside the area's own history, or far from the figure stored for the same "
    "period (see the flagged figures). Check them "
    "against the file; if they are right, confirm them (tick “These figures are right” in the browser, "
    "or add --yes on the command line). Nothing was written."
)

# The figures stored changed between the preview and the import (another import, a rollback): the
# preview's figures are not what would be written.
STALE_PREVIEW = (
    "The stored figures, or the mapping, have changed since this preview (another import, a rollback or a "
    "new mapping since): it showed {} new and {} changed figures, and importing now would write {} new and "
    "{} changed, or other values. Nothing was written: upload the file again to see what it would change."
)
INCOMPLETE_REFUSAL = (
    "{} Check that this is the whole table; if those figures are what you want, confirm them (tick "
    "“These figures are right” in the browser, or add --yes on the command line). Nothing was written."
)


@dataclass
class Outcome:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    table: list = field(default_factory=list)  # per measure and area: new/changed/unchanged
    changes: list = field(default_factory=list)  # a sample of changed values (old -> new)
    figures: list = field(default_factory=list)  # a sample of figures: old -> new, and the period before
    flagged: list = field(default_factory=list)  # figures far outside their area's history
    flagged_count: int = 0
    # What would be written, in a few numbers: how many new and changed figures, and sums over their cells,
    # values and stored values. A preview is written only if its fingerprint still holds.
    fingerprint: list = field(default_factory=list)
    # The end of the earliest period the import would write a figure for (new or changed), or None.
    earliest_written: datetime.date | None = None


def previous_period(key):
    """The period of the same kind just before ``key`` (the year before, for a year or rolling year)."""
    kind, start, end = key
    months = {Period.Kind.MONTH: 1, Period.Kind.QUARTER: 3}.get(kind, 12)
    first = _add_months(start, -months)
    return (kind, first, start - datetime.timedelta(days=1))


def _add_months(day: datetime.date, n: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def spread_of(history: list) -> tuple[int, float, float]:
    """(how many, median, median absolute deviation) of one area's figures of one measure and kind."""
    if not history:
        return (0, 0.0, 0.0)
    history = [float(x) for x in history]
    middle = statistics.median(history)
    return (len(history), middle, statistics.median(abs(x - middle) for x in history))


def revision(value: Decimal, old: Decimal | None) -> str:
    """Why a changed figure is far from the one stored for the same cell (``REVISED`` in SQL), or ""."""
    if old is None or old <= 0:
        return ""
    if value > OUTLIER_RATIO * old or value * OUTLIER_RATIO < old:
        return f"{_num(value)} would replace {_num(old)} stored for the same period"
    return ""


def outlier(value: Decimal, stats: tuple) -> str:
    """Why ``value`` is far outside its area's figures (``spread_of``, which includes it), or ""."""
    n, middle, spread = stats
    if n <= OUTLIER_HISTORY:
        return ""
    value = float(value)
    if middle > 0:
        if value > OUTLIER_RATIO * middle:
            return f"{_num(value)} is {value / middle:.1f} times the area's median ({_num(middle)})"
        if value * OUTLIER_RATIO < middle:
            return f"{_num(value)} is under a {OUTLIER_RATIO}th of the area's median ({_num(middle)})"
    if spread > 0:
        z = 0.6745 * abs(value - middle) / spread
        if z > OUTLIER_Z:
            return (
                f"{_num(value)} has a robust z-score of {z:.1f} against the area's history "
                f"(median {_num(middle)})"
            )
    return ""


def _num(value) -> str:
    value = Decimal(value).quantize(FOUR_PLACES).normalize()
    return f"{value:f}"


def chunk_rows() -> int:
    """Values staged per chunk: executemany on SQLite, COPY on PostgreSQL (read at call time, so that a
    test can make the chunks small)."""
    return COPY_BATCH if connection.vendor == "postgresql" else WRITE_BATCH


NEW, CHANGED, UNCHANGED = 0, 1, 2

# Integer sums that cannot overflow (each term under 10^9, at most a few million figures); a cell by its
# period's place in the file, not its id (a new period has one only once written). Summed per measure
# and area in ``COUNTS``' one pass, then over them.
FINGERPRINT_SUMS = (
    f"SUM(CASE WHEN status <> {UNCHANGED} THEN value % 1000003 ELSE 0 END), "
    f"SUM(CASE WHEN status <> {UNCHANGED} THEN COALESCE(old, 0) % 1000003 ELSE 0 END), "
    f"SUM(CASE WHEN status <> {UNCHANGED} "
    "THEN (value % 1000003) * ((measure * 31 + area * 17 + period) % 1009) ELSE 0 END)"
)
# Per measure and area, in one pass over the compared figures: how many are new, changed and unchanged
# (the preview's table), the rows behind the unchanged ones and behind the others (``_count_rows``), and
# the fingerprint's sums.
COUNTS = (
    f"SELECT measure, area, SUM(CASE WHEN status = {NEW} THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN status = {CHANGED} THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN status = {UNCHANGED} THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN status = {UNCHANGED} THEN n_rows ELSE 0 END), "
    f"SUM(CASE WHEN status <> {UNCHANGED} THEN n_rows ELSE 0 END), "
    f"{FINGERPRINT_SUMS} "
    "FROM {compared} GROUP BY measure, area"
)
# The stored value as staged values are (ten-thousandths), exactly on both databases: SQLite keeps a
# decimal as an integer or a double, and 4 places of a number below 10^10 survive a double.
STORED = "CAST(ROUND({v}.value * 10000) AS BIGINT)"

# Each figure against the stored cell it would fill: new, changed or unchanged.
COMPARE = f"""
INSERT INTO {{compared}} (measure, area, period, pkey, period_id, value, old, status, first_row, n_rows,
                          old_value, old_source, old_batch)
SELECT f.measure, f.area, f.period, p.pkey, p.period_id, f.value, {STORED.format(v="v")},
       CASE WHEN v.value IS NULL THEN {NEW} WHEN {STORED.format(v="v")} = f.value THEN {UNCHANGED}
            ELSE {CHANGED} END,
       f.first_row, f.n_rows, v.value, v.source, v.batch_id
FROM {{figures}} f
JOIN {{periods}} p ON p.idx = f.period
LEFT JOIN {{values}} v ON v.measure_id = f.measure AND v.area_id = f.area AND v.period_id = p.period_id
"""

# Each measure, area and kind of period's figures: the file's, and those stored that the file does not
# replace. ``_judge_history`` reads them grouped, a group at a time, for ``spread_of``.
FILE_HISTORY = """
SELECT c.measure, c.area, p.kind, c.value
FROM {compared} c JOIN {periods} p ON p.idx = c.period
"""
HISTORY = f"""{FILE_HISTORY}
UNION ALL
SELECT v.measure_id, v.area_id, pt.kind, {STORED.format(v="v")}
FROM (SELECT DISTINCT measure, area FROM {{compared}}) pairs
JOIN {{values}} v ON v.measure_id = pairs.measure AND v.area_id = pairs.area
JOIN {{periods_table}} pt ON pt.id = v.period_id
WHERE NOT EXISTS (
    SELECT 1 FROM {{compared}} c2
    WHERE c2.measure = v.measure_id AND c2.area = v.area_id AND c2.pkey = v.period_id
)
"""
# How many figures are stored for the file's measures and areas.
STORED_HERE = """
SELECT COUNT(*) FROM (SELECT DISTINCT measure, area FROM {compared}) pairs
JOIN {values} v ON v.measure_id = pairs.measure AND v.area_id = pairs.area
"""


# PostgreSQL: the same numbers as ``spread_of``, in SQL (twice as fast as streaming 720,000 figures
# through Python). percentile_cont(0.5) is statistics.median: the middle value, or the mean of the two
# middle ones; and exactly, as staged values are whole ten-thousandths, well inside a double's 2^53.
SPREADS = f"""
INSERT INTO {{stats}} (measure, area, kind, n, med, mad)
SELECT measure, area, kind, n, med,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ABS(x - med)) FROM unnest(figures) AS x)
FROM (
    SELECT measure, area, kind, COUNT(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS med,
           array_agg(value) AS figures
    FROM ({{history}}) h
    GROUP BY measure, area, kind
    HAVING COUNT(*) > {OUTLIER_HISTORY}
) g
"""


def _medians_in_sql() -> bool:
    """PostgreSQL works the medians out itself; SQLite has no median, and by window functions (two
    sorts of every figure) it was four times slower than Python."""
    return connection.vendor == "postgresql"


def _judge_history(staging: Staging, outcome: Outcome, kinds: set | frozenset = frozenset()):
    """``stats``: per measure, area and kind of period with more than OUTLIER_HISTORY figures, how many,
    their median and median absolute deviation (``spread_of``, in ten-thousandths).

    On SQLite the figures stream past a group at a time, so memory holds one area's history, not the
    file's, and the medians are worked out in Python; PostgreSQL works them out in SQL (``SPREADS``).

    The stored figures the file does not give again are looked for only when there are some: when every
    figure stored for the file's measures and areas is one the file gives again (a first import, or a
    file sent again whole), counting them says so, and costs less than looking for each.
    """
    (stored,) = staging.fetchone(STORED_HERE)
    history = FILE_HISTORY if stored == outcome.changed + outcome.unchanged else HISTORY
    if _medians_in_sql():
        with hash_joins():  # the planner takes the stored figures for a tenth of what they are
            staging.execute(SPREADS.replace("{history}", history))
        return
    query, params = history + "ORDER BY 1, 2, 3", None
    if history is FILE_HISTORY and len(kinds) == 1:
        # The file's figures alone, of one kind of period: in the order of the compared figures' index,
        # which holds them (no sort of every figure, no look-up of each row).
        query, params = "SELECT measure, area, %s, value FROM {compared} ORDER BY measure, area", [*kinds]
    stats, key, group = [], None, []
    for chunk in staging.stream(query, params, size=STREAM_ROWS):
        for m, area, kind, value in chunk:
            if (m, area, kind) != key:
                if len(group) > OUTLIER_HISTORY:
                    stats.append((*key, *spread_of(group)))
                key, group = (m, area, kind), []
            group.append(value)
        if len(stats) >= STREAM_ROWS:
            staging.insert("stats", stats)
            stats = []
    if len(group) > OUTLIER_HISTORY:
        stats.append((*key, *spread_of(group)))
    staging.insert("stats", stats)


# A changed figure far from the one stored for its cell (``revision``, in SQL; c: compared).
REVISED = (
    f"(c.status = {CHANGED} AND c.old > 0 "
    f"AND (c.value > {OUTLIER_RATIO} * c.old OR c.value * {OUTLIER_RATIO} < c.old))"
)
# A new or changed figure far outside its area's history (``outlier``, in SQL; s: stats, left-joined, so
# NULL where the area has too few figures), or far from the one it replaces (``REVISED``).
FLAGGED = (
    f"c.status <> {UNCHANGED} AND ({REVISED} OR (s.n > {OUTLIER_HISTORY} AND ("
    f"(s.med > 0 AND (c.value > {OUTLIER_RATIO} * s.med OR c.value * {OUTLIER_RATIO} < s.med)) OR "
    f"(s.mad > 0 AND 0.6745 * ABS(c.value - s.med) > {OUTLIER_Z} * s.mad))))"
)
FIGURE_FROM = (
    "FROM {compared} c JOIN {periods} p ON p.idx = c.period "
    "LEFT JOIN {stats} s ON s.measure = c.measure AND s.area = c.area AND s.kind = p.kind "
)
FIGURE_COLUMNS = "SELECT c.measure, c.area, c.period, c.value, c.old, c.status, s.n, s.med, s.mad "
FIGURE_ORDER = " ORDER BY c.first_row, c.area, c.period LIMIT %s"


def compare_and_write(
    result: PassResult,
    mapper: Mapper,
    staging: Staging,
    *,
    batch=None,
    source: str = "",
    confirmed: bool = False,
    one_figure_per_row: bool = True,
    previewed: list | None = None,
) -> Outcome:
    """Compare the staged figures with the database; with a batch, write them too.

    Each figure is also set against the period before it (in the file, else in the database) and
    against its area's own history (``outlier``). With a batch, flagged figures are written only when
    ``confirmed``; otherwise ImportFileError, and the caller's transaction writes nothing.
    The writes go in the caller's transaction (``measures.services._all_or_nothing``).
    Counts each row read as new or changed, unchanged, or (its figures left out) skipped.
    """
    write = batch is not None
    outcome = Outcome()
    if write:
        for index, key in enumerate(result.periods):
            if key not in mapper.periods:
                kind, start, end = key
                period, _ = Period.objects.get_or_create(kind=kind, start=start, end=end)
                mapper.periods[key] = period.pk
                staging.execute(
                    "UPDATE {periods} SET period_id = %s, pkey = %s WHERE idx = %s",
                    [period.pk, period.pk, index],
                )
    staging.execute("DELETE FROM {compared}")
    staging.execute("DELETE FROM {stats}")
    staging.execute(COMPARE)
    if _indexed():
        # With the value, the index holds what ``_judge_history`` streams for a file of one kind of period.
        staging.execute(
            "CREATE INDEX IF NOT EXISTS {compared}_cell ON {compared} (measure, area, pkey, value)"
        )
    staging.analyse("compared")
    outcome.table, totals, row_counts, sums = _counts(staging, mapper)
    outcome.new, outcome.changed, outcome.unchanged = totals
    outcome.fingerprint = [outcome.new, outcome.changed, *sums]
    if outcome.new or outcome.changed:
        written = staging.fetchall(f"SELECT DISTINCT period FROM {{compared}} WHERE status <> {UNCHANGED}")
        outcome.earliest_written = min(result.periods[index][2] for (index,) in written)
        _judge_history(staging, outcome, {key[0] for key in result.periods})
        staging.execute("CREATE INDEX IF NOT EXISTS {stats}_group ON {stats} (measure, area, kind)")
        staging.analyse("stats")
        (outcome.flagged_count,) = staging.fetchone("SELECT COUNT(*) " + FIGURE_FROM + "WHERE " + FLAGGED)
    _count_rows(staging, result, row_counts if one_figure_per_row else None)
    order = list(dict.fromkeys(row["measure_id"] for row in outcome.table))
    shown = _sample(staging, mapper, result, order, "", FIGURES_SHOWN)
    if outcome.flagged_count:
        outcome.flagged = _sample(
            staging, mapper, result, order, " AND " + FLAGGED, FLAGGED_SHOWN, flagged=True
        )
    outcome.figures = sorted(shown, key=lambda f: not f["flag"])
    # The first changed figures are those shown when enough of them are changed (a re-import), or
    # when every figure is shown.
    changed = [f for f in shown if f["status"] == "changed"]
    if outcome.changed and len(changed) < CHANGES_SHOWN and len(shown) == FIGURES_SHOWN:
        changed = _sample(
            staging, mapper, result, order, f" AND c.status = {CHANGED}", CHANGES_SHOWN, before=False
        )
    outcome.changes = [
        {k: f[k] for k in ("measure", "area", "period", "old", "new")} for f in changed[:CHANGES_SHOWN]
    ]
    if not write:
        return outcome
    if previewed is not None and list(previewed) != outcome.fingerprint:
        raise ImportFileError(STALE_PREVIEW.format(*previewed[:2], outcome.new, outcome.changed))
    too_large = staging.fetchone(
        f"SELECT value FROM {{compared}} WHERE status <> {UNCHANGED} AND (value > %s OR value < %s)",
        [int(MAX_VALUE) * SCALE, -int(MAX_VALUE) * SCALE],
    )
    if too_large:
        raise ImportFileError(f"{unscaled(too_large[0]).normalize():f} is too large to store")
    if outcome.flagged_count and not confirmed:
        n = outcome.flagged_count
        raise ImportFileError(
            FLAGGED_REFUSAL.format(n=n, s="s" if n != 1 else "", are="are" if n != 1 else "is")
        )
    if result.incomplete and not confirmed and (outcome.new or outcome.changed):
        raise ImportFileError(INCOMPLETE_REFUSAL.format(" ".join(result.incomplete)))
    ValueWriter(batch, source, staging).close(new=outcome.new, changed=outcome.changed)
    return outcome


def _counts(staging: Staging, mapper: Mapper) -> tuple[list, tuple, dict, list]:
    """Per measure and area: figures new, changed and unchanged (the preview's table); the totals; the
    rows behind the figures, by ``_count_rows``' groups; and the fingerprint's sums."""
    table, totals, row_counts, sums = [], [0, 0, 0], {1: 0, 2: 0}, [0, 0, 0]
    measures, names = mapper.measures, mapper.area_names
    for m, area, new, changed, unchanged, rows_unchanged, rows_other, *fingerprint in sorted(
        staging.fetchall(COUNTS), key=lambda r: (measures[r[0]].order, measures[r[0]].name, names[r[1]], r[1])
    ):
        new, changed, unchanged = int(new), int(changed), int(unchanged)
        totals[0] += new
        totals[1] += changed
        totals[2] += unchanged
        row_counts[1] += int(rows_unchanged or 0)
        row_counts[2] += int(rows_other or 0)
        for i, n in enumerate(fingerprint):
            sums[i] += int(n or 0)
        table.append(
            {
                "measure_id": m,
                "measure": measures[m].name,
                "area": names[area],
                "partnership": mapper.partnership_names.get(area, ""),
                "new": new,
                "changed": changed,
                "unchanged": unchanged,
            }
        )
    return table, tuple(totals), row_counts, sums


def _count_rows(staging: Staging, result: PassResult, row_counts: dict | None):
    """Each row that gave a value, as new or changed (one of its figures is), unchanged (all of its
    figures are), or skipped because none of its figures is stored (a partial sum): then
    rows read = rows new or changed + rows unchanged + rows skipped, each skip with its reason.

    When each row makes at most one figure (a long or street file whose lines go into one measure
    each), the figures' own row counts say it (``row_counts``, from ``_counts``); otherwise (a wide
    file's row makes a figure per column) the rows are grouped.
    """
    if row_counts is None:
        rows = staging.fetchall(
            "SELECT s, COUNT(*) FROM ("
            f"  SELECT r.row_no, MAX(CASE WHEN c.status IS NULL THEN 0 WHEN c.status = {UNCHANGED} THEN 1 "
            "  ELSE 2 END) AS s"
            "  FROM {rows} r JOIN {line_measures} l ON l.line = r.line JOIN {periods} p ON p.idx = r.period"
            "  LEFT JOIN {compared} c ON c.measure = l.measure AND c.area = r.area AND c.pkey = p.pkey"
            "  WHERE r.value IS NOT NULL GROUP BY r.row_no"
            ") x WHERE s > 0 GROUP BY s"
        )
        row_counts = {int(s): int(n or 0) for s, n in rows}
    result.rows_changed, result.rows_unchanged = row_counts.get(2, 0), row_counts.get(1, 0)
    left_out = result.rows_used - result.rows_changed - result.rows_unchanged
    if left_out > 0:
        result.skip(NOT_STORED, n=left_out)
    result.rows_used = result.rows_changed + result.rows_unchanged


def _indexed() -> bool:
    """Whether the compared figures get an index on their cells: SQLite joins by looking rows up in an
    index; PostgreSQL hash-joins (``hash_joins``), and building the index cost it a second at 720,000."""
    return connection.vendor != "postgresql"


def _sample(
    staging, mapper, result, measures: list, where: str, limit: int, *, flagged=False, before=True
) -> list[dict]:
    """The first ``limit`` figures (``where``, SQL over compared c, and stats s when ``flagged``), by
    measure in ``measures``' order, then in the file's order: with the compared table's index, a query
    per measure until there are enough; without it, one scan keeping the first ``limit`` (rather than
    sorting every figure)."""
    if not measures:
        return []
    if not _indexed():
        # One scan: the first figures chosen from compared alone (the flagged need their stats to be
        # chosen), then their stats. Joining every figure to its stats first cost a second at 720,000.
        rank = " ORDER BY array_position(%s, c.measure), c.first_row, c.area, c.period"
        chosen = "SELECT c.* " + (FIGURE_FROM if flagged else "FROM {compared} c ") + "WHERE TRUE" + where
        rows = staging.fetchall(
            FIGURE_COLUMNS + FIGURE_FROM.replace("{compared} c", f"({chosen}{rank} LIMIT %s) c", 1) + rank,
            [list(measures), limit, list(measures)],
        )
        return _figures(staging, mapper, result, rows, before=before)
    rows = []
    for m in measures:
        if len(rows) >= limit:
            break
        rows += staging.fetchall(
            FIGURE_COLUMNS + FIGURE_FROM + "WHERE c.measure = %s" + where + FIGURE_ORDER,
            [m, limit - len(rows)],
        )
    return _figures(staging, mapper, result, rows, before=before)


def _figures(staging, mapper, result, rows, *, before=True) -> list[dict]:
    """Figures for the preview, from FIGURE_COLUMNS rows: old -> new, the period before, the flag."""
    previous = _values_before(staging, result, rows) if before else {}
    figures = []
    for n, (m, area, p, value, old, status, count, med, mad) in enumerate(rows):
        key = result.periods[p]
        before_key = previous_period(key)
        new = unscaled(value)
        was = unscaled(old)
        earlier = unscaled(previous.get(n))
        why = revision(new, was) if status == CHANGED else ""
        if not why and status != UNCHANGED and count is not None:
            why = outlier(new, (int(count), float(med) / SCALE, float(mad or 0) / SCALE))
        figures.append(
            {
                "measure": mapper.measures[m].name,
                "area": mapper.area_names[area],
                "partnership": mapper.partnership_on(area, key[2]),
                "period": period_label(key),
                "old": _num(was) if was is not None else "",
                "new": _num(new),
                "status": ("new", "changed", "unchanged")[status],
                "previous_period": period_label(before_key),
                "previous": _num(earlier) if earlier is not None else "",
                "change": _change(earlier, new),
                "flag": why,
            }
        )
    return figures


def _values_before(staging: Staging, result: PassResult, rows) -> dict:
    """For each figure (by its place in ``rows``): the value of the period before it, from the file if it
    gives one, else stored (staged as ten-thousandths), in two queries."""
    if not rows:
        return {}
    wanted = []
    for n, (m, area, p, *_rest) in enumerate(rows):
        kind, start, end = previous_period(result.periods[p])
        wanted.append((n, m, area, kind, start.isoformat(), end.isoformat()))
    staging.execute("DELETE FROM {wanted}")
    staging.insert("wanted", wanted)
    stored = dict(
        staging.fetchall(
            f"SELECT w.n, {STORED.format(v='v')} FROM {{wanted}} w "
            "JOIN {periods_table} pt ON pt.kind = w.kind AND pt.{start} = w.p_start AND pt.{end} = w.p_end "
            "JOIN {values} v ON v.measure_id = w.measure AND v.area_id = w.area AND v.period_id = pt.id"
        )
    )
    in_file = dict(
        staging.fetchall(
            "SELECT w.n, c.value FROM {wanted} w "
            "JOIN {periods} p ON p.kind = w.kind AND p.p_start = w.p_start AND p.p_end = w.p_end "
            "JOIN {compared} c ON c.measure = w.measure AND c.area = w.area AND c.pkey = p.pkey"
        )
    )
    return stored | in_file


def _change(before, value) -> str:
    if before is None:
        return ""
    before = Decimal(before)
    if before == 0:
        return "" if value == 0 else "up from 0"
    return f"{(value - before) / before * 100:+.0f}%"


def db_datetime(moment):
    return connection.ops.adapt_datetimefield_value(moment)


class ValueWriter:
    """Writes an import's new and changed figures from the staging tables, and what each changed cell
    held before (``ImportChange``, for rollback), with an INSERT ... SELECT for the record, an UPDATE ...
    FROM for the changed cells and an INSERT ... SELECT for the new, on either database: no figure
    passes through Python. ``close`` writes, inside the caller's transaction.
    """

    def __init__(self, batch, source: str, staging: Staging):
        self.batch = batch
        self.source = source
        self.staging = staging
        self.now = db_datetime(timezone.now())

    def close(self, new: int = 1, changed: int = 1):
        """Write; ``new`` and ``changed`` (the comparison's counts) let it skip a statement with nothing
        to do (its scan of the compared figures is not free)."""
        staging, values = self.staging, qn(MeasureValue._meta.db_table)
        changes = qn(ImportChange._meta.db_table)
        value = f"CASE WHEN c.value %% {SCALE} = 0 THEN c.value / {SCALE} ELSE c.value / {SCALE}.0 END"
        if changed:
            # What each changed cell held, before it changes: as the comparison read it, in this
            # transaction, so without looking each cell up again.
            staging.execute(
                f"INSERT INTO {changes} ({', '.join(qn(c) for c in CHANGE_COLUMNS)}) "
                "SELECT %s, c.measure, c.area, c.period_id, c.old_value, c.old_source, c.old_batch "
                f"FROM {{compared}} c WHERE c.status = {CHANGED}",
                [self.batch.pk],
            )
            # The changed cells in place: on SQLite, an UPDATE ... FROM the compared figures costs half
            # what the same rows cost as upserts (each looking its cell up, finding it taken, then
            # updating it); on PostgreSQL about the same.
            staging.execute(
                f"UPDATE {values} SET {qn('value')} = {value}, {qn('source')} = %s, {qn('batch_id')} = %s, "
                f"{qn('updated_at')} = %s FROM {{compared}} c WHERE c.status = {CHANGED} "
                f"AND {values}.{qn('measure_id')} = c.measure AND {values}.{qn('area_id')} = c.area "
                f"AND {values}.{qn('period_id')} = c.period_id",
                [self.source, self.batch.pk, self.now],
            )
        if not new:
            return
        # The new cells. Whole numbers go in as integers and the rest as exact decimals (PostgreSQL) or
        # doubles (SQLite, as a Decimal stored through Django ends up). In the cells' order (pkey is the
        # period's id by now), so the unique index grows in order: in the file's order, a national first
        # import took half as long again on SQLite. A plain INSERT, not an upsert: no other import or
        # rollback can have filled a cell since the comparison (``hold_the_figures``), so a cell taken
        # is a fault, refused by the unique index rather than overwritten without its previous value
        # kept. (The upsert cost a fifth more on PostgreSQL: each cell looked up before it went in.)
        staging.execute(
            f"INSERT INTO {values} ({', '.join(qn(c) for c in VALUE_COLUMNS)}) "
            f"SELECT c.measure, c.area, c.period_id, {value}, %s, %s, %s FROM {{compared}} c "
            f"WHERE c.status = {NEW} ORDER BY c.measure, c.area, c.pkey",
            [self.source, self.batch.pk, self.now],
        )


def hold_the_figures():
    """Inside an import's or a rollback's transaction, before it reads the stored figures: no other
    import or rollback writes figures until it ends, so what it compares is what it writes over.

    PostgreSQL: the values table locked against other writers (SHARE ROW EXCLUSIVE conflicts with
    itself and with INSERT, UPDATE and DELETE; readers, the dashboards, go on). Without it, two imports
    of the same cells at once each took them for new: the second overwrote the first's figures and
    kept no record of them, so rolling it back lost them. SQLite needs nothing: its transactions here
    begin IMMEDIATE (``config.settings``), one writer at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {qn(MeasureValue._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def qn(name: str) -> str:
    return connection.ops.quote_name(name)
