"""Import benchmark (issue 13): rows per second and peak memory of the importer at national scale.

The matrix (the default): for each size (180,000, 360,000 and 720,000 long rows: 150, 300 and 600 areas
x 60 quarters x 20 offence lines), each format (long CSV and XLSX) and each step:

- preview and import of the file into an empty table (a first import);
- re-preview and re-import with the table holding every figure minus one (every value changed);

each step in a fresh Python process whose database is prepared by another process first, so that the
step's peak memory (ru_maxrss, the process's high-water mark: Django, the connection and the baseline
included; plus the peak of the process that reads a big XLSX sheet, ``measures.importing.sheet_process``)
is its own. Beside them, the raw floors for the same rows: executemany (SQLite) or COPY
(PostgreSQL) into a plain table with no index or constraint, and an upsert into the values table
(executemany on SQLite; execute_values and COPY + INSERT ... SELECT on PostgreSQL). Each line gives the
wall-clock seconds and rows/s, the CPU seconds and rows per CPU second (on PostgreSQL, this process's
and its server backend's, read from /proc, since the server does most of the work), the peak RSS and
the load average when the step started: on a machine shared with other work, wall-clock figures say as
much about the others as about the importer.

Files are written once under /tmp/csp-import-bench-<areas>/ (BENCH_DIR overrides): the CSV as the
csv module writes it, the XLSX as Excel writes one (shared strings, the sheet's dimension first).

Usage, from the project root (SQLite: a scratch database in /tmp; PostgreSQL: DATABASE_ENGINE=postgresql
and DATABASE_* set, or ``bash bench/with-private-postgres.sh python bench/import_bench.py``):

    python bench/import_bench.py [--sizes 180000,360000] [--formats CSV] [--steps preview,import]
    python bench/import_bench.py --layouts   # every layout (long, wide, street) at BENCH_AREAS areas

``make bench-import`` runs the matrix on SQLite, then on a private PostgreSQL 15 cluster (port 55433,
created and dropped by bench/with-private-postgres.sh); BENCH_ARGS passes options to both.
"""

import argparse
import csv
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
POSTGRES = os.getenv("DATABASE_ENGINE", "sqlite") == "postgresql"
if not POSTGRES:
    os.environ.setdefault("DATABASE_NAME", "/tmp/csp-import-bench.sqlite3")

AREAS, QUARTERS, LINES = int(os.getenv("BENCH_AREAS", "300")), 60, 20
PER_AREA = QUARTERS * LINES
OUT = Path(os.getenv("BENCH_DIR", f"/tmp/csp-import-bench-{AREAS}"))
FIRST_YEAR = 2009
ROW_BY_ROW_SAMPLE = 5_000
SIZES = "180000,360000,720000"
STEPS = {
    "preview": "preview, first import",
    "import": "import, first import",
    "repreview": "preview, every value changed",
    "reimport": "import, every value changed",
}
# Issue 13's targets.
TARGET_ROWS_PER_SECOND = 30_000 if POSTGRES else 40_000
TARGET_PREVIEW_SECONDS, TARGET_PREVIEW_ROWS = 10, 720_000
TARGET_RSS_MB, TARGET_RSS_RATIO = 300, 1.3


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


# --- the files ------------------------------------------------------------------------------------


def generate(layouts=False):
    """The files, once: the long table as CSV and XLSX; with ``layouts``, wide (CSV, XLSX) and street."""
    OUT.mkdir(parents=True, exist_ok=True)
    files = {"long CSV": OUT / "national-long.csv", "long XLSX": OUT / "national-long.xlsx"}
    long_header = ["area_code", "area_name", "period", "value", "offence"]
    if not files["long CSV"].exists():
        write_csv(
            files["long CSV"],
            long_header,
            (
                [area_code(i), area_name(i), quarter_label(q), value(i, j, q), line_name(j)]
                for i in range(AREAS)
                for q in range(QUARTERS)
                for j in range(LINES)
            ),
        )
    if not files["long XLSX"].exists():
        write_xlsx(files["long XLSX"], files["long CSV"])
    if not layouts:
        return files
    files |= {
        "wide CSV": OUT / "national-wide.csv",
        "wide XLSX": OUT / "national-wide.xlsx",
        "street CSV": OUT / "national-street.csv",
    }
    wide_header = ["Area code", "Community Safety Partnership name", "Period", *map(line_name, range(LINES))]
    if not files["wide CSV"].exists():
        rows = (
            [area_code(i), area_name(i), quarter_label(q), *(value(i, j, q) for j in range(LINES))]
            for i in range(AREAS)
            for q in range(QUARTERS)
        )
        write_csv(files["wide CSV"], wide_header, rows)
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


def column_letters(i):
    letters = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {
    "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
    '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
    f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET_TYPE}.sharedStrings+xml"/></Types>',
}


def write_xlsx(path, source):
    """An XLSX of a CSV's rows, as Excel writes one: text in the shared strings table, whole numbers as
    numbers, and the sheet's size (``<dimension>``) at its top. Streamed: the CSV is read twice (once for
    the size), never held."""
    with open(source, newline="") as f:
        rows, width = 0, 0
        for row in csv.reader(f):
            rows, width = rows + 1, max(width, len(row))
    strings = {}
    size = f"A1:{column_letters(width - 1)}{rows}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{XML}<worksheet xmlns="{MAIN}"><dimension ref="{size}"/><sheetData>'.encode())
            with open(source, newline="") as f:
                for n, row in enumerate(csv.reader(f), start=1):
                    cells = []
                    for j, text in enumerate(row):
                        ref = f"{column_letters(j)}{n}"
                        if n > 1 and text.isdigit():
                            cells.append(f'<c r="{ref}"><v>{text}</v></c>')
                        else:
                            index = strings.setdefault(text, len(strings))
                            cells.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                    sheet.write(f'<row r="{n}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'{XML}<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )
        for name, text in PARTS.items():
            archive.writestr(name, XML + text)


# --- the database -----------------------------------------------------------------------------------


def setup_database():
    """A fresh schema with the areas and 20 measures, one offence line each."""
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
    """Delete the bench's values and batches, with plain SQL (no objects in memory)."""
    from django.db import connection

    from measures.models import ImportBatch, ImportChange, Measure, MeasureValue

    bench = list(Measure.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    values = MeasureValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ImportChange._meta.db_table}")
        if bench:
            marks = ", ".join(["%s"] * len(bench))
            cursor.execute(f"DELETE FROM {values} WHERE measure_id IN ({marks})", bench)
        cursor.execute(f"UPDATE {values} SET batch_id = NULL WHERE batch_id IS NOT NULL")
        cursor.execute(f"DELETE FROM {ImportBatch._meta.db_table}")


def prepare(state):
    """Run in a child process before a step: the table empty, or holding every figure minus one."""
    import django

    django.setup()
    clear_values()
    if state == "minus-one":
        raw_floor("upsert", delta=-1, quiet=True)
    if POSTGRES:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE measures_measurevalue")


def backend_cpu() -> float:
    """PostgreSQL: the CPU seconds of this connection's server process, from /proc (the private cluster
    runs on this machine); 0 elsewhere."""
    if not POSTGRES:
        return 0.0
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> float:
    """This process's CPU seconds and its children's (the process that reads a big XLSX sheet)."""
    usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def measure_one(path, phase):
    """Run in a child process: preview or import one file; print JSON with the timing and memory."""
    import django

    django.setup()
    from django.db import connection

    from measures.services import import_file

    connection.ensure_connection()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    server, cpu, start = backend_cpu(), cpu_seconds(), time.perf_counter()
    batch = import_file(path=path, dry_run=phase.endswith("preview"), confirmed=True)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    server = backend_cpu() - server
    # With the peak of the process that read a big XLSX sheet, if one did (both peaks added: at most
    # what the two held at once).
    peak = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024
    s = batch.summary
    assert batch.error_count == 0, s["errors"][:3]
    expected = AREAS * PER_AREA
    if phase.startswith("re"):
        assert batch.changed_count == expected, (batch.new_count, batch.changed_count)
    elif "long" in path.name:
        assert batch.new_count == expected, batch.new_count
    if s.get("rows_changed") is not None:  # rows read = new or changed + unchanged + skipped
        assert s["rows_read"] == s["rows_changed"] + s["rows_unchanged"] + s["rows_skipped"], s
    print(json.dumps({"seconds": seconds, "cpu": cpu, "server_cpu": server, "values": s["values_read"],
                      "rss_mb": peak, "baseline_mb": baseline, "new": batch.new_count}))  # fmt: skip


def floor_rows(delta=0):
    """The rows an import of the long file writes, with the columns it writes: the batch mark included
    (a batch of the floor's own), which every write of an import sets."""
    from measures.models import ImportBatch, Measure, Period
    from partnerships.models import Area

    batch = ImportBatch.objects.create(file_name="bench floor", checksum="bench floor").pk

    areas = dict(Area.objects.filter(name__startswith="Bench").values_list("name", "pk"))
    measures = dict(Measure.objects.filter(slug__startswith="bench-").values_list("slug", "pk"))
    periods = [Period.objects.financial_quarter(FIRST_YEAR + q // 4, q % 4 + 1).pk for q in range(QUARTERS)]
    now = datetime.datetime.now(datetime.UTC)
    return [
        (measures[f"bench-{j}"], areas[area_name(i)], periods[q], value(i, j, q) + delta, "bench", batch, now)
        for i in range(AREAS)
        for q in range(QUARTERS)
        for j in range(LINES)
    ]


ROW = "(%s, %s, %s, %s, %s, %s, %s)"  # a floor row's placeholders: floor_rows' seven columns


def raw_floor(kind, delta=0, quiet=False):
    """The floors: the same rows written with no reading, checking or mapping, in one transaction.

    ``plain``: executemany (SQLite) or COPY (PostgreSQL) into a table with no index or constraint;
    ``upsert``: an upsert into the values table, executemany (SQLite) or execute_values (PostgreSQL);
    ``copy``: PostgreSQL, COPY into a temporary table and one INSERT ... SELECT upsert into the values table.
    ``upsert-changed``, ``copy-changed``: the same upserts into a table that holds every figure minus
    one (``prepare("minus-one")`` first), so that every value changes: a re-import's floor.
    ``delta`` is added to every value (to store the figures minus one before a re-import).
    """
    import django

    django.setup()
    from django.db import connection, transaction

    changed = kind.endswith("-changed")
    kind = kind.removesuffix("-changed")
    if kind != "plain" and not changed:
        clear_values()
    rows = floor_rows(delta)
    sql = (
        "INSERT INTO measures_measurevalue (measure_id, area_id, period_id, value, source, batch_id, "
        f"updated_at) VALUES {ROW} ON CONFLICT (measure_id, area_id, period_id) "
        "DO UPDATE SET value = excluded.value, source = excluded.source, batch_id = excluded.batch_id, "
        "updated_at = excluded.updated_at"
    )
    if kind == "plain":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_plain")
            cursor.execute("CREATE TABLE bench_plain (measure_id bigint, area_id bigint, period_id bigint, "
                           "value numeric(14, 4), source varchar(200), batch_id bigint, "
                           "updated_at timestamp)")  # fmt: skip
    server, start, cpu = backend_cpu(), time.perf_counter(), cpu_seconds()
    with transaction.atomic(), connection.cursor() as cursor:
        if kind == "plain" and POSTGRES:
            text = "".join(f"{m}\t{a}\t{p}\t{v}\t{s}\t{b}\t{t.isoformat()}\n" for m, a, p, v, s, b, t in rows)
            cursor.cursor.copy_expert("COPY bench_plain FROM STDIN", io.StringIO(text))
        elif kind == "plain":
            cursor.executemany(f"INSERT INTO bench_plain VALUES {ROW}", rows)
        elif kind == "copy":
            cursor.execute("CREATE TEMPORARY TABLE bench_figures (measure_id bigint, area_id bigint, "
                           "period_id bigint, value numeric(14, 4)) ON COMMIT DROP")  # fmt: skip
            text = "".join(f"{m}\t{a}\t{p}\t{v}\n" for m, a, p, v, _, _, _ in rows)
            cursor.cursor.copy_expert("COPY bench_figures FROM STDIN", io.StringIO(text))
            batch, now = rows[0][5:]
            cursor.execute(
                sql.replace(f"VALUES {ROW}", "SELECT *, 'bench', %s, %s FROM bench_figures"),
                [batch, now],
            )
        elif POSTGRES:
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, sql.replace(f"VALUES {ROW}", "VALUES %s"), rows,
                           page_size=5000)  # fmt: skip
        else:
            cursor.executemany(sql, rows)
    seconds, cpu, server = time.perf_counter() - start, cpu_seconds() - cpu, backend_cpu() - server
    if kind == "plain":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_plain")
    if not quiet:
        print(json.dumps({"seconds": seconds, "cpu": cpu, "server_cpu": server, "values": len(rows)}))


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
        Period.objects.financial_quarter(FIRST_YEAR + q // 4, q % 4 + 1)
    start = time.perf_counter()
    result = MeasureValueResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - start
    assert not result.has_errors() and not result.has_validation_errors()
    print(json.dumps({"seconds": seconds, "values": len(dataset)}))


# --- running it -------------------------------------------------------------------------------------


def child(env, *args):
    output = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, env=env
    )
    if output.returncode:
        raise SystemExit(f"bench step {args} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def line(what, rows, r, load, rss=True):
    cpu = r["cpu"] + r.get("server_cpu", 0)
    peak = f"{r['rss_mb']:.0f}" if rss else ""
    return (
        f"| {what} | {rows:,} | {r['seconds']:.1f} | {r['values'] / r['seconds']:,.0f} | {cpu:.1f} | "
        f"{r['values'] / max(cpu, 1e-9):,.0f} | {peak} | {load:.1f} |"
    )


def matrix(sizes, formats, steps):
    engine = "PostgreSQL" if POSTGRES else "SQLite"
    cpu_note = (
        "the step's process and its children + its PostgreSQL backend"
        if POSTGRES
        else ("the step's process and its children (a big XLSX sheet's reader)")
    )
    base = dict(os.environ, BENCH_AREAS=str(max(sizes) // PER_AREA))
    child(base, "--setup")
    print(
        f"{engine}, {datetime.datetime.now():%d %b %Y %H:%M}, {os.cpu_count()} CPUs; CPU seconds: {cpu_note}."
    )
    print(f"| {engine} | rows | wall s | rows/s | CPU s | rows per CPU s | peak RSS MB | load |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    found = {}
    for rows in sizes:
        env = dict(os.environ, BENCH_AREAS=str(rows // PER_AREA))
        env.pop("BENCH_DIR", None)
        files = child(env, "--generate")
        for fmt in formats:
            for step in steps:
                child(env, "--prepare", "minus-one" if step.startswith("re") else "empty")
                load = os.getloadavg()[0]
                r = child(env, "--one", files[f"long {fmt}"], step)
                found[rows, fmt, step] = r
                print(line(f"{STEPS[step]}, long {fmt}", rows, r, load), flush=True)
        floors = ["plain", "upsert"] + (["copy"] if POSTGRES else [])
        names = {
            "plain": f"floor: {'COPY' if POSTGRES else 'executemany'} into a plain table",
            "upsert": f"floor: {'execute_values' if POSTGRES else 'executemany'} upsert into the values "
            "table",
            "copy": "floor: COPY + INSERT ... SELECT upsert into the values table",
        }
        if any(step.startswith("re") for step in steps):  # the same upserts, every value changing
            best = "copy" if POSTGRES else "upsert"
            floors.append(f"{best}-changed")
            names[f"{best}-changed"] = f"{names[best]}, every value changed"
        for kind in floors:
            if kind.endswith("-changed"):
                child(env, "--prepare", "minus-one")
            load = os.getloadavg()[0]
            r = found[rows, "floor", kind] = child(env, "--floor", kind)
            print(line(names[kind], rows, r, load, rss=False), flush=True)
    targets(found, sizes, formats)


def targets(found, sizes, formats):
    """Issue 13's targets against what was measured, one line each, each saying met or not met."""

    def rate(r, cpu=False):
        seconds = r["cpu"] + r.get("server_cpu", 0) if cpu else r["seconds"]
        return r["values"] / max(seconds, 1e-9)

    def verdict(ok):
        return "met" if ok else "NOT MET"

    print("\nTargets (wall clock; per CPU second in brackets):")
    for rows in sizes:
        for step in ("import", "reimport"):
            r = found.get((rows, "CSV", step))
            if not r:
                continue
            print(
                f"- CSV {STEPS[step]}, {rows:,} rows: {rate(r):,.0f} rows/s ({rate(r, True):,.0f}), target "
                f"{TARGET_ROWS_PER_SECOND:,}: {verdict(rate(r) >= TARGET_ROWS_PER_SECOND)}"
            )
            kinds = ("plain", "upsert", "copy") if step == "import" else ("upsert-changed", "copy-changed")
            for kind in kinds:
                if (rows, "floor", kind) in found:
                    floor = found[rows, "floor", kind]
                    wall, cpu = rate(r) / rate(floor), rate(r, True) / rate(floor, True)
                    print(f"  {wall:.0%} of the {kind} floor ({cpu:.0%}), target 50%: {verdict(wall >= 0.5)}")
    for fmt in formats:
        for step in ("preview", "repreview"):
            r = found.get((TARGET_PREVIEW_ROWS, fmt, step))
            if r:
                cpu, ok = r["cpu"] + r.get("server_cpu", 0), r["seconds"] <= TARGET_PREVIEW_SECONDS
                print(
                    f"- {STEPS[step]} of {TARGET_PREVIEW_ROWS:,} {fmt} rows: {r['seconds']:.1f} s ({cpu:.1f} "
                    f"CPU s), target {TARGET_PREVIEW_SECONDS} s: {verdict(ok)}"
                )
    for fmt in formats:
        peaks = {}
        for rows in sizes:
            measured = [found[rows, fmt, s]["rss_mb"] for s in STEPS if (rows, fmt, s) in found]
            if measured:
                peaks[rows] = max(measured)
        if peaks:
            low, high = peaks[min(peaks)], peaks[max(peaks)]
            shown = ", ".join(f"{p:.0f} MB at {n:,}" for n, p in peaks.items())
            ok = high < TARGET_RSS_MB and high / low <= TARGET_RSS_RATIO
            print(
                f"- peak RSS, {fmt}: {shown}; target under {TARGET_RSS_MB} MB and within "
                f"{TARGET_RSS_RATIO}x: {high / low:.2f}x, {verdict(ok)}"
            )


def layouts():
    """Every layout at BENCH_AREAS areas: preview and import of each file, row by row, the floors."""
    engine = "PostgreSQL" if POSTGRES else "SQLite"
    files = generate(layouts=True)
    env = dict(os.environ)
    child(env, "--setup")
    print(f"\n{engine}: {AREAS} areas x {QUARTERS} periods x {LINES} lines = {AREAS * PER_AREA:,} values\n")
    print(f"| {engine} | rows | wall s | rows/s | CPU s | rows per CPU s | peak RSS MB | load |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for name, path in files.items():
        for step in ("preview", "import"):
            child(env, "--prepare", "empty")
            load = os.getloadavg()[0]
            r = child(env, "--one", str(path), step)
            print(
                line(f"{step} {name} ({path.stat().st_size / 1e6:.0f} MB)", AREAS * PER_AREA, r, load),
                flush=True,
            )
    r = child(env, "--row-by-row")
    print(f"| django-import-export row by row ({ROW_BY_ROW_SAMPLE:,} rows) | {r['seconds']:.1f} s | "
          f"{r['values'] / r['seconds']:,.0f} rows/s |")  # fmt: skip
    for kind in ["plain", "upsert"] + (["copy"] if POSTGRES else []):
        load = os.getloadavg()[0]
        print(line(f"floor: {kind}", AREAS * PER_AREA, child(env, "--floor", kind), load, rss=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.getenv("BENCH_ROWS", SIZES), help=f"rows, default {SIZES}")
    parser.add_argument("--formats", default=os.getenv("BENCH_FORMATS", "CSV,XLSX"), help="CSV,XLSX")
    parser.add_argument("--steps", default=",".join(STEPS), help=",".join(STEPS))
    parser.add_argument("--layouts", action="store_true", help="every layout at BENCH_AREAS areas instead")
    # The steps' own processes:
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--floor", help=argparse.SUPPRESS)
    parser.add_argument("--row-by-row", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        print(json.dumps({name: str(path) for name, path in generate().items()}))
    elif args.setup:
        setup_database()
        print("{}")
    elif args.prepare:
        prepare(args.prepare)
        print("{}")
    elif args.one:
        measure_one(Path(args.one[0]), args.one[1])
    elif args.floor:
        raw_floor(args.floor)
    elif args.row_by_row:
        row_by_row()
    elif args.layouts:
        layouts()
    else:
        sizes = [int(n) for n in args.sizes.split(",")]
        if any(n % PER_AREA for n in sizes):
            parser.error(
                f"each size must be a multiple of {PER_AREA} (areas x {QUARTERS} quarters x {LINES} lines)"
            )
        steps = args.steps.split(",")
        if set(steps) - set(STEPS):
            parser.error(f"steps are {', '.join(STEPS)}")
        matrix(sizes, [f.upper() for f in args.formats.split(",")], steps)


if __name__ == "__main__":
    main()
