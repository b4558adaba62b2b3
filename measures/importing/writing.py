"""Comparing a pass's figures with the database and, for an import, writing them.

``compare_and_write`` counts each figure as new, changed or unchanged; given a batch, it also writes
the new and changed ones through ``ValueWriter`` (bulk upserts on SQLite, COPY on PostgreSQL), with
what each changed cell held before (``ImportChange``, for rollback).

It writes inside the transaction ``measures.services`` opens for the import and opens none of its
own: that module holds the all-or-nothing rule.
"""

import datetime
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from measures.importing.mapping import Mapper
from measures.importing.period_labels import period_label
from measures.importing.readers import ImportFileError
from measures.importing.validate import PassResult
from measures.models import ImportChange, MeasureValue, Period

WRITE_BATCH = 2_000
FOUR_PLACES = Decimal("0.0001")
MAX_VALUE = Decimal("9999999999")  # DecimalField(max_digits=14, decimal_places=4)
COPY_BATCH = 50_000  # PostgreSQL: rows per COPY
STAGING = "import_figures"  # the temporary table figures are COPYed into
UPSERT_COLUMNS = ["measure_id", "area_id", "period_id", "value", "source", "batch_id", "updated_at"]
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
OUTLIER_RATIO = 5
OUTLIER_Z = 8
OUTLIER_HISTORY = 4
OUTLIER_RULE = (
    f"A new or changed figure is flagged when its area has at least {OUTLIER_HISTORY} other figures of the "
    f"same kind (months, quarters or years) for the measure, stored or in this file, and it is more than "
    f"{OUTLIER_RATIO} times their median or less than a {OUTLIER_RATIO}th of it, or its robust z-score "
    f"(0.6745 × distance from the median ÷ the median absolute deviation) is above {OUTLIER_Z}."
)
FLAGGED_REFUSAL = (
    "{n} figure{s} {are} far outside the area's own history (see the flagged figures). Check them "
    "against the file; if they are right, confirm them (tick “These figures are right” in the browser, "
    "or add --yes on the command line). Nothing was written."
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


class History:
    """One measure's figures for the areas in a file: those stored, with the file's own in their place.

    ``stats[area, kind]`` is ``spread_of`` those figures, worked out once per area and kind, so each
    figure is judged in constant time.
    """

    def __init__(self, measure: int, keys: list, result: PassResult, index_of: dict):
        areas = {a for _, a, _ in keys}
        self.values = {}
        self.existing = {}  # (area, period id) -> (value, source, batch id): what a figure would change
        groups = defaultdict(list)
        sums, periods = result.sums, result.periods
        # One query for both: the cells the file would change, and the areas' history.
        for area, period_id, kind, start, end, value, source, batch in MeasureValue.objects.filter(
            measure_id=measure, area_id__in=areas
        ).values_list(
            "area_id",
            "period_id",
            "period__kind",
            "period__start",
            "period__end",
            "value",
            "source",
            "batch_id",
        ):
            key = (kind, start, end)
            self.values[area, key] = value
            self.existing[area, period_id] = (value, source, batch)
            if (measure, area, index_of.get(key, -1)) not in sums:
                groups[area, kind].append(value)
        for key in keys:
            groups[key[1], periods[key[2]][0]].append(sums[key])
        self.stats = {group: spread_of(figures) for group, figures in groups.items()}


def compare_and_write(
    result: PassResult, mapper: Mapper, *, batch=None, source: str = "", confirmed: bool = False
) -> Outcome:
    """Compare the pass's figures with the database; with a batch, write them too.

    Each figure is also set against the period before it (in the file, else in the database) and
    against its area's own history (``outlier``). With a batch, flagged figures are written only when
    ``confirmed``; otherwise ImportFileError, and the caller's transaction writes nothing.
    The writes go in the caller's transaction (``measures.services._all_or_nothing``).
    """
    write = batch is not None
    outcome = Outcome()
    period_ids = {}
    missing = []
    for index, key in enumerate(result.periods):
        if key in mapper.periods:
            period_ids[index] = mapper.periods[key]
        else:
            missing.append((index, key))
    if write and missing:
        for index, (kind, start, end) in missing:
            period, _ = Period.objects.get_or_create(kind=kind, start=start, end=end)
            period_ids[index] = period.pk
    index_of = {key: index for index, key in enumerate(result.periods)}
    labels = [period_label(key) for key in result.periods]
    before_keys = [previous_period(key) for key in result.periods]
    by_measure = defaultdict(list)
    for key in result.sums:
        by_measure[key[0]].append(key)
    counts = defaultdict(lambda: [0, 0, 0])
    writer = ValueWriter(batch, source) if write else None
    shown = []
    for m in sorted(by_measure, key=lambda pk: (mapper.measures[pk].order, mapper.measures[pk].name)):
        keys = by_measure[m]
        history = History(m, keys, result, index_of)
        existing = history.existing
        name = mapper.measures[m].name
        for key in keys:
            _, area, p = key
            value = Decimal(result.sums[key]).quantize(FOUR_PLACES)
            period_id = period_ids.get(p)
            old = existing.get((area, period_id)) if period_id is not None else None
            tally = counts[m, area]
            unchanged = old is not None and old[0] == value
            why = "" if unchanged else outlier(value, history.stats[area, result.periods[p][0]])
            if why:
                outcome.flagged_count += 1
            if (why and len(outcome.flagged) < FLAGGED_SHOWN) or len(shown) < FIGURES_SHOWN:
                before_key = before_keys[p]
                before = result.sums.get((m, area, index_of.get(before_key, -1)))
                if before is None:
                    before = history.values.get((area, before_key))
                figure = {
                    "measure": name,
                    "area": mapper.area_names[area],
                    "partnership": mapper.partnership_names.get(area, ""),
                    "period": labels[p],
                    "old": _num(old[0]) if old is not None else "",
                    "new": _num(value),
                    "status": "new" if old is None else ("unchanged" if old[0] == value else "changed"),
                    "previous_period": labels[index_of[before_key]]
                    if before_key in index_of
                    else period_label(before_key),
                    "previous": _num(before) if before is not None else "",
                    "change": _change(before, value),
                    "flag": why,
                }
                if why and len(outcome.flagged) < FLAGGED_SHOWN:
                    outcome.flagged.append(figure)
                if len(shown) < FIGURES_SHOWN:
                    shown.append(figure)
            if old is None:
                tally[0] += 1
            elif old[0] == value:
                tally[2] += 1
                continue
            else:
                tally[1] += 1
                if len(outcome.changes) < 50:
                    outcome.changes.append(
                        {
                            "measure": name,
                            "area": mapper.area_names[area],
                            "period": labels[p],
                            "old": str(old[0].normalize()),
                            "new": str(value.normalize()),
                        }
                    )
            if writer is None:
                continue
            if abs(value) > MAX_VALUE:
                raise ImportFileError(f"{value} is too large to store")
            writer.add(m, area, period_id, value, old)
    if write and outcome.flagged_count and not confirmed:
        n = outcome.flagged_count
        raise ImportFileError(
            FLAGGED_REFUSAL.format(n=n, s="s" if n != 1 else "", are="are" if n != 1 else "is")
        )
    if writer is not None:
        writer.close()
    outcome.figures = sorted(shown, key=lambda f: not f["flag"])
    for (m, area), (new, changed, unchanged) in counts.items():
        outcome.new += new
        outcome.changed += changed
        outcome.unchanged += unchanged
        outcome.table.append(
            {
                "measure": mapper.measures[m].name,
                "area": mapper.area_names[area],
                "partnership": mapper.partnership_names.get(area, ""),
                "new": new,
                "changed": changed,
                "unchanged": unchanged,
            }
        )
    return outcome


def _change(before, value) -> str:
    if before is None:
        return ""
    before = Decimal(before)
    if before == 0:
        return "" if value == 0 else "up from 0"
    return f"{(value - before) / before * 100:+.0f}%"


def db_datetime(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def flush(to_write: list, previous: list):
    """Upsert value tuples (UPSERT_COLUMNS) and insert the previous values of changed cells.

    Values go in with one ``INSERT ... ON CONFLICT DO UPDATE`` statement run over many rows
    (executemany on SQLite, execute_values on PostgreSQL), not ``bulk_create(update_conflicts=True)``:
    the ORM prepares every field of every row in Python and, on SQLite, splits the insert into
    statements of 142 rows (999 parameters), which made the import 3x slower (see bench/).
    """
    if to_write:
        _upsert(to_write)
        to_write.clear()
    if previous:
        # Tuples (CHANGE_COLUMNS) through one executemany: bulk_create prepared an ImportChange per
        # changed figure in Python, which made a re-import where every value changed twice as slow.
        table = qn(ImportChange._meta.db_table)
        placeholders = ", ".join(["%s"] * len(CHANGE_COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in CHANGE_COLUMNS)}) VALUES ({placeholders})",
                previous,
            )
        previous.clear()


class ValueWriter:
    """Writes an import's new and changed figures, and what each changed cell held before.

    Call ``add`` per figure and ``close`` at the end, inside the caller's transaction.
    SQLite: chunks of ``WRITE_BATCH`` rows through ``flush``. PostgreSQL: the figures are streamed
    with COPY into a temporary table (one COPY per ``COPY_BATCH`` rows, from an in-memory buffer) and
    written by one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``; previous values are COPYed straight
    into the ImportChange table (no conflict is possible there). COPY skips the per-row parsing and
    planning of an INSERT: the import's write went from 14 s to a few seconds for 360,000 figures.
    """

    def __init__(self, batch, source: str):
        self.batch = batch
        self.source = source
        self.now = db_datetime(timezone.now())
        self.copying = connection.vendor == "postgresql"
        if self.copying:
            self.figures, self.changes, self.rows = io.StringIO(), io.StringIO(), 0
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {STAGING} (measure_id bigint NOT NULL, area_id bigint NOT NULL, "
                    "period_id bigint NOT NULL, value numeric(14, 4) NOT NULL) ON COMMIT DROP"
                )
        else:
            self.to_write, self.previous = [], []

    def add(self, measure: int, area: int, period: int, value: Decimal, old: tuple | None):
        """One figure to write; ``old`` is (value, source, batch id) of the cell it changes, or None."""
        if not self.copying:
            # A whole number goes in as an int: SQLite stores "4154.0000" (NUMERIC affinity) as the
            # integer 4154 anyway, and the driver's Decimal adapter costs a Python call per figure.
            if value == value.to_integral_value():
                value = int(value)
            self.to_write.append((measure, area, period, value, self.source, self.batch.pk, self.now))
            if old is not None:
                self.previous.append((self.batch.pk, measure, area, period, old[0], old[1], old[2]))
            if len(self.to_write) >= WRITE_BATCH:
                flush(self.to_write, self.previous)
            return
        self.figures.write(f"{measure}\t{area}\t{period}\t{value}\n")
        if old is not None:
            previous_batch = "\\N" if old[2] is None else old[2]
            self.changes.write(
                f"{self.batch.pk}\t{measure}\t{area}\t{period}\t{old[0]}\t{_copy_text(old[1])}\t{previous_batch}\n"
            )
        self.rows += 1
        if self.rows % COPY_BATCH == 0:
            self._copy()

    def _copy(self):
        with connection.cursor() as cursor:
            for buffer, target in (
                (self.figures, STAGING),
                (self.changes, f"{qn(ImportChange._meta.db_table)} ({', '.join(CHANGE_COLUMNS)})"),
            ):
                if buffer.tell():
                    buffer.seek(0)
                    cursor.cursor.copy_expert(f"COPY {target} FROM STDIN", buffer)
                    buffer.seek(0)
                    buffer.truncate()

    def close(self):
        if not self.copying:
            flush(self.to_write, self.previous)
            return
        self._copy()
        table = qn(MeasureValue._meta.db_table)
        columns = ", ".join(qn(c) for c in UPSERT_COLUMNS)
        updates = ", ".join(
            f"{qn(c)} = EXCLUDED.{qn(c)}" for c in ("value", "source", "batch_id", "updated_at")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT measure_id, area_id, period_id, value, %s, %s, %s FROM {STAGING} "
                f"ON CONFLICT (measure_id, area_id, period_id) DO UPDATE SET {updates} "
                f"WHERE {table}.value IS DISTINCT FROM EXCLUDED.value",
                [self.source, self.batch.pk, self.now],
            )
            cursor.execute(f"DROP TABLE {STAGING}")


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _copy_text(text: str) -> str:
    """A string as a field of COPY's text format: backslash, tab and line ends escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _upsert(rows: list):
    qn = connection.ops.quote_name
    table = qn(MeasureValue._meta.db_table)
    columns = ", ".join(qn(c) for c in UPSERT_COLUMNS)
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in ("value", "source", "batch_id", "updated_at"))
    conflict = f"ON CONFLICT ({qn('measure_id')}, {qn('area_id')}, {qn('period_id')}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                f"INSERT INTO {table} ({columns}) VALUES %s {conflict}",
                rows,
                page_size=WRITE_BATCH,
            )
        else:
            placeholders = ", ".join(["%s"] * len(UPSERT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {conflict}", rows)
