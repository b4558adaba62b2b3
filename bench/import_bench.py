"""Import benchmark: a national-scale file in each layout, previewed and imported end to end.

300 areas x 60 quarters x 20 offence lines = 360,000 rows (values), written to /tmp once, then:

- preview (read, check, map, compare with the database; writes nothing) and import (the same, then
  bulk upserts in one transaction) of each file, each in a fresh Python process so that its peak
  memory (ru_maxrss, minus the same process's resident size before the file is opened) is its own;
- django-import-export's default row-by-row Resource import of the first 5,000 long rows (timed
  for real on that subset, not extrapolated);
- the floor: a raw executemany (SQLite) / execute_values (PostgreSQL) upsert of the 360,000 values.

BENCH_AREAS=150 builds half-size files (180,000 rows) in their own folder, to compare peak memory
with the full-size ones; BENCH_ONLY=long times only the files whose name contains "long".

``--matrix`` (issue 13) prints, in one run, the table the issue asks for: at each of BENCH_ROWS
(default 180000,360000,720000) rows, rows per second and peak process memory (RSS, baseline
included) for preview and import of the long CSV and XLSX, for a first import (empty table) and a
re-import where every value changed (the table holds the file's figures minus one), beside the raw
floor (executemany on SQLite; COPY + INSERT ... SELECT on PostgreSQL) of the same rows. BENCH_FORMATS
(default "CSV,XLSX") narrows the formats. Flagged figures are confirmed (``--yes``): the bench's
synthetic figures swing more than five-fold within an area.

Usage (from the project root): ``python bench/import_bench.py`` on SQLite (a scratch database in
/tmp), or with DATABASE_ENGINE=postgresql and DATABASE_* set for PostgreSQL. ``make bench-import``
runs both, starting a private PostgreSQL cluster on port 55433 and dropping it afterwards.
"""

import csv
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if os.getenv("DATABASE_ENGINE", "sqlite") != "postgresql":
    os.environ.setdefault("DATABASE_NAME", "/tmp/csp-import-bench.sqlite3")

# BENCH_AREAS=150 builds and times half-size files (in their own folder), to show how memory scales.
AREAS, QUARTERS, LINES = int(os.getenv("BENCH_AREAS", "300")), 60, 20
OUT = Path(os.getenv("BENCH_DIR", "/tmp/csp-import-bench" + ("" if AREAS == 300 else f"-{AREAS}")))
ONLY = os.getenv("BENCH_ONLY", "")  # e.g. "long" times only the files whose name contains it
FIRST_YEAR = 2009
ROW_BY_ROW_SAMPLE = 5_000


def area_name(i):
    return f"Bench district {i:03d}"


def area_code(i):
    return f"E07{900000 + i:06d}"


def line_name(j):
    return f"Bench offence {j:02d}"


def quarter_label(q):
    year, quarter = FIRST_YEAR + q // 4, q % 4 + 1
    return f"{year}/{(year + 1) % 100:02d} Q{quarter}"


def month_label(q):
    return f"{2000 + q // 12}-{q % 12 + 1:02d}"


def value(i, j, q):
    return (i * 7 + j * 13 + q * 3) % 500 + 1


def generate():
    """The files, once: long and wide as CSV and XLSX, street as CSV (data.police.uk only publishes CSV)."""
    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "long CSV": OUT / "national-long.csv",
        "long XLSX": OUT / "national-long.xlsx",
        "wide CSV": OUT / "national-wide.csv",
        "wide XLSX": OUT / "national-wide.xlsx",
        "street CSV": OUT / "national-street.csv",
    }
    long_rows = (
        [area_code(i), area_name(i), quarter_label(q), value(i, j, q), line_name(j)]
        for i in range(AREAS)
        for q in range(QUARTERS)
        for j in range(LINES)
    )
    wide_rows = (
        [area_code(i), area_name(i), quarter_label(q), *(value(i, j, q) for j in range(LINES))]
        for i in range(AREAS)
        for q in range(QUARTERS)
    )
    long_header = ["area_code", "area_name", "period", "value", "offence"]
    wide_header = ["Area code", "Community Safety Partnership name", "Period", *map(line_name, range(LINES))]
    if not files["long CSV"].exists():
        write_csv(files["long CSV"], long_header, long_rows)
    if os.getenv("BENCH_LONG_ONLY"):  # the matrix times the long files only
        if not files["long XLSX"].exists():
            write_xlsx(files["long XLSX"], files["long CSV"])
        return {k: v for k, v in files.items() if k.startswith("long")}
    if not files["wide CSV"].exists():
        write_csv(files["wide CSV"], wide_header, wide_rows)
    if not files["long XLSX"].exists():
        write_xlsx(files["long XLSX"], files["long CSV"])
    if not files["wide XLSX"].exists():
        write_xlsx(files["wide XLSX"], files["wide CSV"])
    if not files["street CSV"].exists():
        header = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                  "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]  # fmt: skip
        rows = (
            [f"{i:03d}{j:02d}{q:02d}", month_label(q), "Bench Police", "Bench Police", "-1.0", "51.0",
             "On or near Bench Street", f"E01{i:06d}", f"{area_name(i)} 001A", line_name(j), "", ""]
            for i in range(AREAS)
            for q in range(QUARTERS)
            for j in range(LINES)
        )  # fmt: skip
        write_csv(files["street CSV"], header, rows)
    return files


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path, source):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    with open(source, newline="") as f:
        for n, row in enumerate(csv.reader(f)):
            sheet.append([int(c) if n and c.isdigit() else c for c in row])
    book.save(path)


def setup_database():
    """A fresh schema with the 300 areas and 20 measures, one offence line each."""
    import django

    django.setup()
    from django.core.management import call_command

    from measures.models import ImportBatch, Measure, MeasureComponent, MeasureValue
    from partnerships.models import Area, AreaCode

    call_command("migrate", verbosity=0)
    MeasureValue.objects.all().delete()
    ImportBatch.objects.all().delete()
    if Area.objects.filter(name=area_name(AREAS - 1)).exists():
        return
    if Area.objects.filter(name=area_name(0)).exists():  # set up for fewer areas: start again
        Measure.objects.filter(slug__startswith="bench-").delete()
        Area.objects.filter(name__startswith="Bench district").delete()
    areas = Area.objects.bulk_create(Area(name=area_name(i), slug=f"bench-{i}") for i in range(AREAS))
    AreaCode.objects.bulk_create(AreaCode(area=a, code=area_code(i)) for i, a in enumerate(areas))
    measures = Measure.objects.bulk_create(
        Measure(name=f"Bench measure {j:02d}", slug=f"bench-{j}", order=1000 + j) for j in range(LINES)
    )
    MeasureComponent.objects.bulk_create(
        MeasureComponent(measure=m, label=line_name(j)) for j, m in enumerate(measures)
    )


def clear_values():
    """Delete the bench's values. By measure id: with a join on the measure's slug, PostgreSQL's
    DELETE ... WHERE id IN (SELECT ...) took minutes on 360,000 rows."""
    from measures.models import Measure, MeasureValue

    bench = list(Measure.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    MeasureValue.objects.filter(measure_id__in=bench).delete()


def measure_one(path, phase):
    """Run in a child process: preview or import one file; print JSON with the timing and memory.

    ``phase``: "preview" or "import" on an empty table; "reimport" (and "repreview") with the table
    already holding every figure minus one, so that every value changes.
    """
    import django

    django.setup()
    from measures.models import ImportBatch
    from measures.services import import_file

    # Every run starts from an empty table: the preview then finds 360,000 new values, as the import writes.
    clear_values()
    ImportBatch.objects.all().delete()
    if phase in ("reimport", "repreview"):
        raw_floor(delta=-1, quiet=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = cpu_seconds()
    start = time.perf_counter()
    batch = import_file(path=path, dry_run=phase.endswith("preview"), confirmed=True)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert batch.error_count == 0, batch.summary["errors"][:3]
    expected = AREAS * QUARTERS * LINES
    if phase in ("reimport", "repreview"):
        assert batch.changed_count == expected, (batch.new_count, batch.changed_count)
    else:
        assert batch.new_count == expected or path.name.startswith("national-street"), batch.new_count
    grown = (peak - before) / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "values": batch.summary["values_read"],
                      "peak_mb": grown, "rss_mb": peak / 1024, "new": batch.new_count}))  # fmt: skip


def cpu_seconds() -> float:
    """This process's CPU time: on a machine shared with other work, wall time says more about them."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def row_by_row():
    """django-import-export's Resource import of the first 5,000 long rows, as its docs show it."""
    import django
    import tablib

    django.setup()
    from measures.models import Period
    from measures.resources import MeasureValueResource

    clear_values()
    dataset = tablib.Dataset(headers=["measure", "area", "period", "value", "source"])
    labels = set()
    for i in range(AREAS):
        for q in range(QUARTERS):
            for j in range(LINES):
                if len(dataset) < ROW_BY_ROW_SAMPLE:
                    labels.add(q)
                    dataset.append([f"bench-{j}", area_name(i), quarter_label(q), value(i, j, q), "bench"])
    for q in labels:
        year, quarter = FIRST_YEAR + q // 4, q % 4 + 1
        Period.objects.financial_quarter(year, quarter)
    start = time.perf_counter()
    result = MeasureValueResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - start
    assert not result.has_errors() and not result.has_validation_errors()
    print(json.dumps({"seconds": seconds, "values": len(dataset)}))


def raw_floor(copy=False, delta=0, quiet=False):
    """The floor: one upsert of the 360,000 values, no reading, checking or mapping.

    executemany (SQLite) or execute_values (PostgreSQL); with ``copy`` (PostgreSQL), COPY into a
    temporary table and one INSERT ... SELECT, as the importer writes there. ``delta`` is added to
    every value (the matrix stores the figures minus one before a re-import).
    """
    import django

    django.setup()
    from django.db import connection, transaction

    from measures.models import Measure, Period
    from partnerships.models import Area

    clear_values()
    areas = dict(Area.objects.filter(name__startswith="Bench").values_list("name", "pk"))
    measures = dict(Measure.objects.filter(slug__startswith="bench-").values_list("slug", "pk"))
    periods = [Period.objects.financial_quarter(FIRST_YEAR + q // 4, q % 4 + 1).pk for q in range(QUARTERS)]
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        (measures[f"bench-{j}"], areas[area_name(i)], periods[q], value(i, j, q) + delta, "bench", now)
        for i in range(AREAS)
        for q in range(QUARTERS)
        for j in range(LINES)
    ]
    sql = (
        "INSERT INTO measures_measurevalue (measure_id, area_id, period_id, value, source, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (measure_id, area_id, period_id) "
        "DO UPDATE SET value = excluded.value, source = excluded.source, updated_at = excluded.updated_at"
    )
    start, cpu = time.perf_counter(), cpu_seconds()
    with transaction.atomic(), connection.cursor() as cursor:
        if copy:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_figures (measure_id bigint, area_id bigint, period_id bigint, "
                "value numeric(14, 4)) ON COMMIT DROP"
            )
            buffer = io.StringIO("".join(f"{m}\t{a}\t{p}\t{v}\n" for m, a, p, v, _, _ in rows))
            cursor.cursor.copy_expert("COPY bench_figures FROM STDIN", buffer)
            cursor.execute(
                sql.replace("VALUES (%s, %s, %s, %s, %s, %s)", "SELECT *, 'bench', %s FROM bench_figures"),
                [now],
            )
        elif connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, sql.replace("VALUES (%s, %s, %s, %s, %s, %s)", "VALUES %s"), rows,
                           page_size=5000)  # fmt: skip
        else:
            cursor.executemany(sql, rows)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    if not quiet:
        print(json.dumps({"seconds": seconds, "cpu": cpu, "values": len(rows)}))


def child(*args):
    output = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, env=os.environ
    )
    if output.returncode:
        raise SystemExit(f"bench step {args} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def matrix():
    """The issue-13 table: sizes x CSV/XLSX x preview/import x first/re-import, and the raw floor."""
    engine = "PostgreSQL" if os.getenv("DATABASE_ENGINE") == "postgresql" else "SQLite"
    sizes = [int(n) for n in os.getenv("BENCH_ROWS", "180000,360000,720000").split(",")]
    formats = os.getenv("BENCH_FORMATS", "CSV,XLSX").split(",")
    per_area = QUARTERS * LINES
    env = dict(os.environ, BENCH_AREAS=str(max(sizes) // per_area))
    subprocess.run([sys.executable, __file__, "--setup"], env=env, check=True, capture_output=True)
    lines = []
    header = f"| {engine} | rows | rows/s (wall seconds) | rows per CPU second (CPU seconds) | peak RSS MB |"
    print(header + "\n|---|---|---|---|---|", flush=True)
    for rows in sizes:
        env = dict(os.environ, BENCH_AREAS=str(rows // per_area), BENCH_LONG_ONLY="1")
        env.pop("BENCH_DIR", None)
        gen = subprocess.run(
            [sys.executable, __file__, "--generate"], env=env, capture_output=True, text=True
        )
        files = json.loads(gen.stdout.strip().splitlines()[-1])
        steps = [
            (f"{p} long {fmt}", files[f"long {fmt}"], p) for fmt in formats for p in ("preview", "import")
        ]
        steps += [
            (f"re-import long {fmt}, every value changed", files[f"long {fmt}"], "reimport")
            for fmt in formats
        ]
        for name, path, phase in steps:
            r = child_env(env, "--one", path, phase)
            line = f"| {name} | {rows:,} | {speeds(r)} | {r['rss_mb']:.0f} |"
            print(line, flush=True)
            lines.append(line)
        r = child_env(env, "--raw")
        print(f"| raw executemany / execute_values upsert (floor) | {rows:,} | {speeds(r)} | |", flush=True)
        if engine == "PostgreSQL":
            r = child_env(env, "--raw-copy")
            print(f"| raw COPY + INSERT ... SELECT (floor) | {rows:,} | {speeds(r)} | |", flush=True)


def speeds(r) -> str:
    return (
        f"{r['values'] / r['seconds']:,.0f} ({r['seconds']:.1f}) | "
        f"{r['values'] / max(r['cpu'], 1e-9):,.0f} ({r['cpu']:.1f})"
    )


def child_env(env, *args):
    output = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, env=env
    )
    if output.returncode:
        raise SystemExit(f"bench step {args} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main():
    engine = "PostgreSQL" if os.getenv("DATABASE_ENGINE") == "postgresql" else "SQLite"
    print(f"Generating the files in {OUT} (once) ...", flush=True)
    files = generate()
    child("--setup")
    print(
        f"\n{engine}: {AREAS} areas x {QUARTERS} periods x {LINES} lines = "
        f"{AREAS * QUARTERS * LINES:,} values\n"
    )
    print(f"{'what':<44} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}")
    for name, path in files.items():
        if ONLY and ONLY not in name:
            continue
        for phase in ("preview", "import"):
            r = child("--one", str(path), phase)
            size = f"{path.stat().st_size / 1e6:.0f} MB"
            print(f"{phase + ' ' + name + ' (' + size + ')':<44} {r['seconds']:>8.2f} "
                  f"{r['values'] / r['seconds']:>9,.0f} {r['peak_mb']:>8.0f}", flush=True)  # fmt: skip
    if ONLY:
        return
    r = child("--row-by-row")
    print(
        f"{'django-import-export row by row (5,000 rows)':<44} {r['seconds']:>8.2f} "
        f"{r['values'] / r['seconds']:>9,.0f}"
    )
    r = child("--raw")
    print(
        f"{'raw executemany upsert (the floor)':<44} {r['seconds']:>8.2f} {r['values'] / r['seconds']:>9,.0f}"
    )
    if engine == "PostgreSQL":
        r = child("--raw-copy")
        print(f"{'raw COPY + INSERT ... SELECT (write floor)':<44} {r['seconds']:>8.2f} "
              f"{r['values'] / r['seconds']:>9,.0f}")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--matrix":
        matrix()
    elif len(sys.argv) > 1 and sys.argv[1] == "--generate":
        print(json.dumps({name: str(path) for name, path in generate().items()}))
    elif len(sys.argv) > 1 and sys.argv[1] == "--setup":
        setup_database()
        print("{}")
    elif len(sys.argv) > 1 and sys.argv[1] == "--one":
        measure_one(Path(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--row-by-row":
        row_by_row()
    elif len(sys.argv) > 1 and sys.argv[1] == "--raw":
        raw_floor()
    elif len(sys.argv) > 1 and sys.argv[1] == "--raw-copy":
        raw_floor(copy=True)
    else:
        main()
