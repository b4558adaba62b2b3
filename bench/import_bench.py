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
    if Area.objects.filter(name=area_name(0)).exists():
        return
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
    """Run in a child process: preview or import one file; print JSON with the timing and memory."""
    import django

    django.setup()
    from measures.models import ImportBatch
    from measures.services import import_file

    # Every run starts from an empty table: the preview then finds 360,000 new values, as the import writes.
    clear_values()
    ImportBatch.objects.all().delete()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    batch = import_file(path=path, dry_run=(phase == "preview"))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert batch.error_count == 0, batch.summary["errors"][:3]
    assert batch.new_count == AREAS * QUARTERS * LINES or path.name.startswith("national-street"), (
        batch.new_count
    )
    grown = (peak - before) / 1024
    print(json.dumps({"seconds": seconds, "values": batch.summary["values_read"], "peak_mb": grown,
                      "rss_mb": peak / 1024, "new": batch.new_count}))  # fmt: skip


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


def raw_floor(copy=False):
    """The floor: one upsert of the 360,000 values, no reading, checking or mapping.

    executemany (SQLite) or execute_values (PostgreSQL); with ``copy`` (PostgreSQL), COPY into a
    temporary table and one INSERT ... SELECT, as the importer writes there.
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
        (measures[f"bench-{j}"], areas[area_name(i)], periods[q], value(i, j, q), "bench", now)
        for i in range(AREAS)
        for q in range(QUARTERS)
        for j in range(LINES)
    ]
    sql = (
        "INSERT INTO measures_measurevalue (measure_id, area_id, period_id, value, source, updated_at) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (measure_id, area_id, period_id) "
        "DO UPDATE SET value = excluded.value, source = excluded.source, updated_at = excluded.updated_at"
    )
    start = time.perf_counter()
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
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "values": len(rows)}))


def child(*args):
    output = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, env=os.environ
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
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
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
