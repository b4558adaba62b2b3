"""A file's values staged in the database while it is read, so that memory stays flat whatever its size.

A pass writes each value it reads (its row, line, area, period and value) into a temporary table, a
chunk at a time (executemany on SQLite, COPY on PostgreSQL), and keeps nothing of it in Python.
Adding lines up into measures and finding rows given twice (``totals``), comparing with the stored
figures, judging them against their history and writing them (``writing``) are SQL over these tables;
only what a preview shows (counts, and samples of a few hundred figures) comes back into Python.

Temporary tables belong to one database connection and no other connection sees them, so two imports
running at once (the page and the task worker) each have their own. ``Staging`` creates them when a
preview or an import starts and drops them when it ends, whether it succeeded, failed or raised.

Values are staged as whole numbers of ten-thousandths (figures are stored with four decimal places),
so that sums are exact on SQLite too, which has no decimal type.
"""

import io
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings
from django.db import DatabaseError, connection

SCALE = 10_000  # values are staged as ten-thousandths
TEMP_MEMORY_MB = 256  # memory the temporary tables may use (IMPORT_TEMP_MEMORY_MB)
SORT_MEMORY_MB = 64  # memory each sort or hash of an import's statements may use (IMPORT_SORT_MEMORY_MB)
NULL = "\\N"  # COPY's text format
PREFIX = "import_stage_"
TABLES = {
    # One row per value read: (spreadsheet row, line, area id, period index, value or NULL if suppressed).
    "rows": "row_no INTEGER NOT NULL, line INTEGER NOT NULL, area BIGINT NOT NULL, period INTEGER NOT NULL, "
    "value BIGINT",
    # Each line met: ``dupkey`` says which rows give the same thing twice, ``bit`` which rows are the same
    # line of a measure (a measure is stored only when every one of its lines the file reports is there).
    "lines": "line INTEGER NOT NULL, dupkey INTEGER NOT NULL, bit INTEGER NOT NULL, label TEXT NOT NULL",
    # The measures each line goes into; ``direct``: the line names the measure itself (our template);
    # ``wanted``: how many lines (bits) of the measure the file reports anywhere.
    "line_measures": "line INTEGER NOT NULL, measure BIGINT NOT NULL, direct SMALLINT NOT NULL, "
    "wanted INTEGER NOT NULL",
    # The file's periods; ``pkey`` is the period's id, or minus (index + 1) for one not stored yet.
    "periods": "idx INTEGER NOT NULL, kind VARCHAR(10) NOT NULL, p_start DATE NOT NULL, p_end DATE NOT NULL, "
    "period_id BIGINT, pkey BIGINT NOT NULL",
    # The figures the file gives (lines added up; NULL while a partial sum is being listed), the first row
    # and the number of rows with a value each was made from, how many of its lines are there (present)
    # against how many the file reports (wanted), how many rows name the measure itself, and (``entries``)
    # how many rows it was made from, when that finds rows given twice.
    "figures": "measure BIGINT NOT NULL, area BIGINT NOT NULL, period INTEGER NOT NULL, value BIGINT, "
    "first_row INTEGER NOT NULL, n_rows INTEGER NOT NULL, present INTEGER NOT NULL, wanted INTEGER, "
    "direct_rows INTEGER NOT NULL, entries INTEGER NOT NULL",
    # The figures set against the database: status 0 new, 1 changed, 2 unchanged; ``old`` the stored value
    # (ten-thousandths), and the stored cell as it is (value, source, batch), for the rollback's record.
    "compared": "measure BIGINT NOT NULL, area BIGINT NOT NULL, period INTEGER NOT NULL, "
    "pkey BIGINT NOT NULL, period_id BIGINT, value BIGINT NOT NULL, old BIGINT, status SMALLINT NOT NULL, "
    "first_row INTEGER NOT NULL, n_rows INTEGER NOT NULL, "
    "old_value NUMERIC(14, 4), old_source VARCHAR(200), old_batch BIGINT",
    # Per measure, area and kind of period: how many figures, their median and median absolute deviation.
    "stats": "measure BIGINT NOT NULL, area BIGINT NOT NULL, kind VARCHAR(10) NOT NULL, n INTEGER NOT NULL, "
    "med DOUBLE PRECISION, mad DOUBLE PRECISION",
    # Keys looked up for the preview's sample of figures (the period before each).
    "wanted": "n INTEGER NOT NULL, measure BIGINT NOT NULL, area BIGINT NOT NULL, kind VARCHAR(10) NOT NULL, "
    "p_start DATE NOT NULL, p_end DATE NOT NULL",
}


def table(name: str) -> str:
    return PREFIX + name


def scaled(value) -> int:
    """A value (int or Decimal) as a whole number of ten-thousandths, rounded as Decimal.quantize rounds."""
    if isinstance(value, int):
        return value * SCALE
    return int((value * SCALE).to_integral_value(ROUND_HALF_EVEN))


def unscaled(value) -> Decimal | None:
    """A staged value back as a Decimal with four places (``Decimal("12.5000")``)."""
    if value is None:
        return None
    return Decimal(int(value)).scaleb(-4)


def _room_for_temporary_tables(cursor):
    """PostgreSQL: memory for the temporary tables, so that 720,000 staged rows are added up and
    compared in memory rather than through the temporary files the default (8 MB) leads to: a national
    preview 10 % faster. Taken only before a connection's first temporary table (PostgreSQL refuses it
    later, and the connection keeps what it has), allocated as the tables grow, up to
    ``IMPORT_TEMP_MEMORY_MB`` (256). SQLite is left as it is: a larger cache for its temporary tables
    made the same preview twice as slow."""
    if connection.vendor != "postgresql":
        return
    cursor.execute("SELECT pg_my_temp_schema() = 0")
    if cursor.fetchone()[0]:
        megabytes = int(getattr(settings, "IMPORT_TEMP_MEMORY_MB", TEMP_MEMORY_MB))
        cursor.execute(f"SET temp_buffers = '{megabytes}MB'")


def _room_for_sorting(cursor):
    """PostgreSQL: memory for sorting and hashing the staged figures (``IMPORT_SORT_MEMORY_MB``, 64, for
    each sort or hash while the import runs; the server's default, 4 MB, is left for the rest). With
    4 MB, ordering a national file's new cells for the values table's index went through a temporary
    file (12 MB at 180,000 rows): 0.38 s of sorting rather than 0.1."""
    if connection.vendor == "postgresql":
        megabytes = int(getattr(settings, "IMPORT_SORT_MEMORY_MB", SORT_MEMORY_MB))
        cursor.execute(f"SET work_mem = '{megabytes}MB'")


def _sorting_as_before():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")


@contextmanager
def hash_joins():
    """PostgreSQL: hash joins only, for the statements inside (no nested loop, no merge join).

    Tables just written (a staging table, a batch's cells) are not yet in the planner's statistics,
    which takes hundreds of thousands of rows for a few, and joins them row by row: for 720,000 rows,
    seconds (a stored history) or hours (a rollback). ANALYZE would tell it, but costs seconds itself.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_nestloop = off")
        cursor.execute("SET enable_mergejoin = off")
    done = False
    try:
        yield
        done = True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_nestloop")
                cursor.execute("RESET enable_mergejoin")
        except DatabaseError:
            if done:  # otherwise the transaction the error broke takes the settings with it
                raise


class Staging:
    """The temporary tables of one preview or import, on the default connection.

    ``add(row, line, area, period, value)`` stages one value (``value`` already ``scaled``, or None);
    rows go to the database every ``chunk`` values and at ``flush``. Use as a context manager: the
    tables are created on entry and dropped on exit.
    """

    def __init__(self, chunk: int = 20_000):
        self.chunk = max(int(chunk), 1)
        self.buffer = []
        self.staged = 0
        self.copying = connection.vendor == "postgresql" and hasattr(_raw_cursor_class(), "copy_expert")

    # --- lifetime ------------------------------------------------------------------------------------
    def __enter__(self):
        self.drop()  # a table left by a connection that died half-way (the worker reuses connections)
        with connection.cursor() as cursor:
            _room_for_temporary_tables(cursor)
            _room_for_sorting(cursor)
            for name, columns in TABLES.items():
                cursor.execute(f"CREATE TEMPORARY TABLE {table(name)} ({columns})")
        return self

    def __exit__(self, kind, error, traceback):
        try:
            self.drop()
            _sorting_as_before()
        except DatabaseError:
            if kind is None:
                raise
            # The transaction the error broke is rolled back by its owner, and temporary tables created
            # in it with it; the original error is the one to report.

    def drop(self):
        self.buffer.clear()
        with connection.cursor() as cursor:
            for name in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table(name)}")

    # --- staging rows --------------------------------------------------------------------------------
    def add(self, row_no: int, line: int, area: int, period: int, value):
        self.buffer.append((row_no, line, area, period, value))
        if len(self.buffer) >= self.chunk:
            self.flush()

    def flush(self):
        """Send the buffered rows to the database, in one transaction of their own when none is open."""
        if not self.buffer:
            return
        rows = self.buffer[:]
        self.buffer.clear()  # the same list: a pass appends to it directly
        self.staged += len(rows)
        if self.copying:
            text = "".join(f"{r}\t{li}\t{a}\t{p}\t{NULL if v is None else v}\n" for r, li, a, p, v in rows)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {table('rows')} FROM STDIN", io.StringIO(text))
            return
        with _chunk_transaction(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table('rows')} VALUES (%s, %s, %s, %s, %s)", rows)

    def insert(self, name: str, rows: list):
        """Rows into one of the small tables (lines, periods, ...)."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values  # one statement per page, not per row

                execute_values(cursor.cursor, f"INSERT INTO {table(name)} VALUES %s", rows, page_size=5_000)
                return
            placeholders = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table(name)} VALUES ({placeholders})", rows)

    def analyse(self, *names):
        """PostgreSQL: give the planner the staged tables' sizes (autovacuum never analyses temporary
        tables, and without it the planner takes 720,000 rows for a few hundred)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for name in names:
                    cursor.execute(f"ANALYZE {table(name)}")

    # --- SQL over the tables -------------------------------------------------------------------------
    def execute(self, sql: str, params=None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(_named(sql), params)
            return cursor.rowcount

    def fetchall(self, sql: str, params=None) -> list:
        with connection.cursor() as cursor:
            cursor.execute(_named(sql), params)
            return cursor.fetchall()

    def stream(self, sql: str, params=None, size: int = 10_000):
        """A query's rows a chunk at a time (from a server-side cursor on PostgreSQL; SQLite steps
        through its rows as they are fetched): memory holds one chunk, not the result."""
        with connection.chunked_cursor() as cursor:
            cursor.execute(_named(sql), params)
            while chunk := cursor.fetchmany(size):
                yield chunk

    def fetchone(self, sql: str, params=None):
        with connection.cursor() as cursor:
            cursor.execute(_named(sql), params)
            return cursor.fetchone()


def _named(sql: str) -> str:
    """``{rows}``, ``{figures}``, ... in ``sql`` become the staging tables' names; ``{values}``,
    ``{periods_table}``, ``{measures_table}`` the app's tables, quoted; ``{end}`` and ``{order}`` the
    quoted column names (both are SQL keywords)."""
    from measures.models import Measure, MeasureValue, Period

    qn = connection.ops.quote_name
    return sql.format(
        **{name: table(name) for name in TABLES},
        values=qn(MeasureValue._meta.db_table),
        periods_table=qn(Period._meta.db_table),
        measures_table=qn(Measure._meta.db_table),
        end=qn("end"),
        start=qn("start"),
        order=qn("order"),
    )


def _raw_cursor_class():
    with connection.cursor() as cursor:
        return type(cursor.cursor)


class _chunk_transaction:
    """SQLite, outside any transaction: one transaction per chunk of staged rows.

    Without it every row is a transaction of its own (three times slower). A plain (deferred) BEGIN:
    the rows go to a temporary table only, so the main database is not locked for writing and officers
    saving their reviews meanwhile are not kept waiting. Inside a transaction (an import's, or a test's),
    the rows simply join it.
    """

    def __enter__(self):
        self.began = connection.vendor == "sqlite" and not connection.in_atomic_block
        if self.began:
            connection.ensure_connection()
            connection.connection.execute("BEGIN")

    def __exit__(self, kind, error, traceback):
        if self.began:
            connection.connection.execute("COMMIT" if kind is None else "ROLLBACK")


def staged_tables() -> list[str]:
    """The staging tables that exist on this connection now (for tests: none once an import is over)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE %s",
                           [PREFIX + "%"])  # fmt: skip
        else:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relpersistence = 't' AND relname LIKE %s "
                "AND pg_table_is_visible(oid)",
                [PREFIX + "%"],
            )
        return sorted(name for (name,) in cursor.fetchall())
