"""Issue 13: a file's values are staged in the database, added up and compared there.

The staging tables are gone once a preview or an import ends, however it ends; what SQL adds up is
what the rules say (checked against the rules worked by hand on a random file); every row read is
counted once: new or changed, unchanged, or skipped with its reason.
"""

import datetime
import io
import random
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse

from measures import services
from measures.importing import writing
from measures.importing.mapping import NOT_OURS
from measures.importing.staging import staged_tables
from measures.importing.validate import IGNORED, NOT_STORED, PARTIAL, SUPPRESSED_REASON
from measures.models import ImportBatch, ImportChange, Measure, MeasureValue, Period
from measures.services import import_file
from tests import factories
from tests.measures.conftest import values, write_csv, write_rows_csv, write_xlsx

HEADER = "area,measure or offence,period,value\n"


def spy_on_staging(monkeypatch) -> list:
    """The staging tables there are while each comparison runs: the test can see they existed."""
    seen = []
    compare = services.compare_and_write

    def compare_and_look(*args, **kwargs):
        seen.append(staged_tables())
        return compare(*args, **kwargs)

    monkeypatch.setattr(services, "compare_and_write", compare_and_look)
    return seen


def test_the_staging_tables_are_dropped_after_a_preview_and_an_import(county, tmp_path, monkeypatch):
    seen = spy_on_staging(monkeypatch)
    path = write_csv(tmp_path, "a.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,5\n")
    import_file(path=path, dry_run=True)
    assert staged_tables() == []
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.APPLIED
    assert staged_tables() == []
    assert len(seen) == 2 and "import_stage_rows" in seen[0] and seen[0] == seen[1]


def test_on_postgresql_an_import_sorts_in_memory_and_leaves_the_connection_as_it_was(
    county, tmp_path, monkeypatch, settings
):
    """A national file's new cells are sorted for the values table's index: in memory, not through a
    temporary file (``IMPORT_SORT_MEMORY_MB``); the connection, which the worker reuses, gets the
    server's own setting back."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite sorts in its own memory")
    settings.IMPORT_SORT_MEMORY_MB = 48

    def work_mem():
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return cursor.fetchone()[0]

    before, seen = work_mem(), []
    compare = services.compare_and_write
    monkeypatch.setattr(
        services, "compare_and_write", lambda *a, **k: seen.append(work_mem()) or compare(*a, **k)
    )
    path = write_csv(tmp_path, "a.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,5\n")
    assert import_file(path=path).status == ImportBatch.Status.APPLIED
    assert seen == ["48MB"] and before != "48MB" and work_mem() == before


def test_the_staging_tables_are_dropped_when_a_file_is_refused(county, tmp_path):
    path = write_csv(tmp_path, "bad.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,five\n")
    assert import_file(path=path).status == ImportBatch.Status.FAILED
    assert staged_tables() == []


def test_the_staging_tables_are_dropped_when_the_write_fails_half_way(county, tmp_path, monkeypatch):
    seen = spy_on_staging(monkeypatch)
    path = write_csv(tmp_path, "a.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,5\n")
    original_close = writing.ValueWriter.close

    def close_then_fail(self, **counts):
        original_close(self, **counts)
        raise OperationalError("the database went away")

    monkeypatch.setattr(writing.ValueWriter, "close", close_then_fail)
    batch = import_file(path=path)  # ends failed, saying so, rather than raising
    assert batch.status == ImportBatch.Status.FAILED
    assert "stopped on a fault in the tracker" in batch.summary["errors"][0]["message"]
    assert seen and seen[0]
    assert staged_tables() == []
    assert not MeasureValue.objects.exists()


def test_a_refused_flagged_import_drops_its_staging_tables_and_writes_nothing(county, tmp_path):
    for q, value in enumerate((100, 110, 95, 105), start=1):
        factories.MeasureValueFactory(
            measure=county.violent,
            area=county.areas["Cherwell"],
            period=Period.objects.financial_quarter(2011, q),
            value=value,
        )
    path = write_csv(tmp_path, "far.csv", HEADER + "Cherwell,Violent crime,2012/13 Q1,1000\n")
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.FAILED and "--yes" in batch.summary["errors"][0]["message"]
    assert staged_tables() == []
    assert MeasureValue.objects.count() == 4


def counts_file(county, tmp_path):
    """Two stored figures, and a file with rows of every kind: new, changed, unchanged and skipped."""
    for q, value in ((1, 50), (4, 40)):
        factories.MeasureValueFactory(
            measure=county.violent,
            area=county.areas["Cherwell"],
            period=Period.objects.financial_quarter(2011, q),
            value=value,
        )
    rows = [
        "Cherwell,Violent crime,2011/12 Q1,50",  # unchanged
        "Cherwell,Violent crime,2011/12 Q4,45",  # changed
        "Cherwell,Violent crime,2011/12 Q2,60",  # new
        "Oxford,Burglary,2011/12 Q1,5",  # new, with the next row: acquisitive crime 11
        "Oxford,Robbery,2011/12 Q1,6",  # new
        "Oxford,Burglary,2011/12 Q2,7",  # skipped: Oxford's robbery for Q2 is missing (a partial sum)
        "Nowhere,Violent crime,2011/12 Q1,1",  # skipped: not one of our areas
        "Cherwell,Drug offences,2011/12 Q1,3",  # skipped: a line no measure uses
        "Cherwell,Violent crime,2011/12 Q3,[x]",  # skipped: suppressed
    ]
    return write_csv(tmp_path, "counts.csv", HEADER + "\n".join(rows) + "\n")


def test_preview_counts_add_up_per_row_each_skip_with_its_reason(county, tmp_path):
    batch = import_file(path=counts_file(county, tmp_path), dry_run=True)
    s = batch.summary
    assert s["rows_read"] == 9
    assert (s["rows_changed"], s["rows_unchanged"], s["rows_skipped"]) == (4, 1, 4)
    assert s["rows_read"] == s["rows_changed"] + s["rows_unchanged"] + s["rows_skipped"]
    assert s["rows_used"] == s["rows_changed"] + s["rows_unchanged"]
    assert {k["reason"]: k["count"] for k in s["skipped"]} == {
        NOT_OURS: 1,
        IGNORED: 1,
        SUPPRESSED_REASON: 1,
        NOT_STORED: 1,
    }
    assert [c["examples"][0][0] for c in s["cells"] if c["reason"] == PARTIAL] == [
        "Acquisitive crime, Oxford, 2011/12 Q2: no Robbery"
    ]
    assert (batch.new_count, batch.changed_count, batch.unchanged_count) == (2, 1, 1)


def test_the_page_and_the_command_line_show_the_same_sum(client, county, tmp_path):
    path = counts_file(county, tmp_path)
    out = io.StringIO()
    call_command("import_performance", str(path), "--dry-run", stdout=out)
    assert "Rows read: 9 = 4 used (new or changed) + 1 unchanged + 4 skipped" in out.getvalue()
    assert f"Skipped rows: {NOT_STORED}: 1" in out.getvalue()
    client.force_login(county.admin)
    with open(path, "rb") as f:
        client.post(reverse("measures:imports"), {"file": f})
    page = client.get(ImportBatch.objects.get().get_absolute_url()).content.decode()
    assert "= 4 used (new or changed) + 1 unchanged + 4 skipped" in page


def test_a_wide_row_is_new_when_one_of_its_figures_is_and_unchanged_when_all_are(county, tmp_path):
    period = Period.objects.rolling_year_to(datetime.date(2024, 12, 31))
    for area, violent, damage in (("Cherwell", 10, 20), ("Oxford", 30, 40)):
        for measure, value in ((county.violent, violent), (county.damage, damage)):
            factories.MeasureValueFactory(
                measure=measure, area=county.areas[area], period=period, value=value
            )
    text = (
        "Year ending December 2024\n\n"
        "Area code,Area name,Violence against the person,Criminal damage and arson\n"
        "E07000177,Cherwell,10,20\nE07000178,Oxford,30,41\nE07000181,West Oxfordshire,5,6\n"
    )
    s = import_file(path=write_csv(tmp_path, "wide.csv", text), dry_run=True).summary
    assert (s["rows_read"], s["rows_changed"], s["rows_unchanged"], s["rows_skipped"]) == (3, 2, 1, 0)


def test_rows_given_twice_are_errors_in_a_long_file(county, tmp_path):
    rows = HEADER + "Cherwell,Violent crime,2011/12 Q1,5\nOxford,Violent crime,2011/12 Q1,6\n"
    rows += "Cherwell,Violent crime,2011/12 Q1,7\n"
    batch = import_file(path=write_csv(tmp_path, "twice.csv", rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"] == [
        {
            "row": 4,
            "cell": "column B (measure or offence)",
            "message": "Another row already gives Violent crime for Cherwell, 2011/12 Q1",
        }
    ]
    assert staged_tables() == [] and not MeasureValue.objects.exists()


def test_rows_given_twice_are_errors_when_each_line_is_a_measure_of_its_own(county, tmp_path):
    """Each line a measure's own: the rows are not grouped unless the pass met a cell twice, which it
    tells by a bit per period for each line and area."""
    rows = "area_code,area_name,period,value,offence\n"
    rows += "E07000177,Cherwell,2011/12 Q1,5,Violence against the person\n"
    rows += "E07000177,Cherwell,2011/12 Q1,9,Criminal damage and arson\n"
    rows += "E07000177,Cherwell,2011/12 Q2,6,Violence against the person\n"
    rows += "E07000177,Cherwell,2011/12 Q1,7,Violence against the person\n"
    batch = import_file(path=write_csv(tmp_path, "twice.csv", rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert [e["row"] for e in batch.summary["errors"]] == [5]
    assert (
        "Another row already gives Violence against the person for Cherwell"
        in batch.summary["errors"][0]["message"]
    )
    assert staged_tables() == [] and not MeasureValue.objects.exists()


def test_rows_given_twice_are_errors_when_lines_add_up_into_a_measure(county, tmp_path):
    # Burglary and Robbery both go into acquisitive crime: the duplicate is found before adding up.
    rows = (
        HEADER + "Oxford,Burglary,2011/12 Q1,5\nOxford,Robbery,2011/12 Q1,6\nOxford,Burglary,2011/12 Q1,5\n"
    )
    batch = import_file(path=write_csv(tmp_path, "twice.csv", rows))
    assert [e["row"] for e in batch.summary["errors"]] == [4]
    assert "Another row already gives Burglary for Oxford" in batch.summary["errors"][0]["message"]


def test_an_area_twice_in_a_wide_table_is_an_error(county, tmp_path):
    text = (
        "Year ending December 2024\n\nArea code,Area name,Violence against the person\n"
        "E07000177,Cherwell,10\nE07000178,Oxford,30\nE07000177,Cherwell,11\n"
    )
    batch = import_file(path=write_csv(tmp_path, "wide.csv", text))
    assert batch.summary["errors"] == [
        {
            "row": 6,
            "cell": "column B (Area name)",
            "message": "Cherwell appears twice for 12 months to Dec 2024",
        }
    ]


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip


def test_many_rows_given_twice_are_all_counted_and_the_first_listed(county, tmp_path):
    once = "".join(f"Cherwell,Violent crime,{month} {year},1\n" for year in (2011, 2012) for month in MONTHS)
    batch = import_file(path=write_csv(tmp_path, "twice.csv", HEADER + once * 12))
    assert batch.error_count == 24 * 11
    assert len(batch.summary["errors"]) == 200
    assert batch.summary["errors"][0]["row"] == 26


def test_a_value_too_large_to_store_is_an_error_with_its_cell(county, tmp_path):
    rows = HEADER + "Cherwell,Violent crime,2011/12 Q1,12345678901\n"
    batch = import_file(path=write_csv(tmp_path, "big.csv", rows), dry_run=True)
    assert batch.summary["errors"][0]["cell"] == "column D (value)"
    assert "too large to store" in batch.summary["errors"][0]["message"]


def test_a_sum_too_large_to_store_is_refused_and_nothing_is_written(county, tmp_path):
    rows = HEADER + "Oxford,Burglary,2011/12 Q1,9000000000\nOxford,Robbery,2011/12 Q1,9000000000\n"
    batch = import_file(path=write_csv(tmp_path, "sum.csv", rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert "18000000000 is too large to store" in batch.summary["errors"][0]["message"]
    assert not MeasureValue.objects.exists()


def test_decimals_are_added_up_exactly_and_compared_exactly(county, tmp_path):
    factories.MeasureValueFactory(
        measure=county.acquisitive,
        area=county.areas["Oxford"],
        period=Period.objects.financial_quarter(2011, 1),
        value=Decimal("0.3"),
    )
    rows = HEADER + "Oxford,Burglary,2011/12 Q1,0.1\nOxford,Robbery,2011/12 Q1,0.2\n"
    rows += "Oxford,Burglary,2011/12 Q2,1.23456\nOxford,Robbery,2011/12 Q2,0\n"
    batch = import_file(path=write_csv(tmp_path, "decimals.csv", rows), confirmed=True)  # part sums
    assert (batch.new_count, batch.changed_count, batch.unchanged_count) == (1, 0, 1)
    assert values(county.acquisitive)["acquisitive-crime", "Oxford", "2011/12 Q2"] == Decimal("1.2346")
    # Sweep 14: rounded without a word before.
    assert batch.summary["notices"][0] == (
        "1 figure has more than four decimal places, and is stored rounded to four (the tracker keeps "
        "four): row 4, 1.23456 is stored as 1.2346."
    )


def test_figures_rounded_to_four_places_are_counted_and_the_first_shown(county, tmp_path):
    rows = HEADER + "Cherwell,Violent crime,2011/12 Q1,0.00004\nOxford,Violent crime,2011/12 Q1,2.00005\n"
    batch = import_file(path=write_csv(tmp_path, "rates.csv", rows), dry_run=True)
    assert (
        "2 figures have more than four decimal places, and are stored rounded to four (the tracker keeps "
        "four): the first, row 2, 0.00004 is stored as 0."
    ) in batch.summary["notices"]
    clean = HEADER + "Cherwell,Violent crime,2011/12 Q1,27.1234\nOxford,Violent crime,2011/12 Q1,3\n"
    batch = import_file(path=write_csv(tmp_path, "clean.csv", clean), dry_run=True)
    assert not any("decimal places" in n for n in batch.summary["notices"])


def test_a_re_import_records_each_changed_cells_previous_value_once(county, tmp_path):
    first = import_file(path=write_csv(tmp_path, "a.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,1.5\n"))
    second = import_file(path=write_csv(tmp_path, "b.csv", HEADER + "Cherwell,Violent crime,2011/12 Q1,2\n"))
    change = ImportChange.objects.get(batch=second)
    assert (change.previous_value, change.previous_batch, change.previous_source) == (
        Decimal("1.5"),
        first,
        MeasureValue.objects.get().source.replace("b.csv", "a.csv"),
    )
    stored = MeasureValue.objects.get()
    assert (stored.value, stored.batch) == (2, second)


def test_an_xlsx_is_streamed_with_its_row_numbers_after_blank_rows(county, tmp_path):
    path = write_xlsx(
        tmp_path,
        "gaps.xlsx",
        {"Data": [[], [], ["area", "measure or offence", "period", "value"], ["Cherwell", "Violent crime",
                  "2011/12 Q1", 3], [], ["Oxford", "Violent crime", "2011/12 Q1", "three"]]},
    )  # fmt: skip
    batch = import_file(path=path)
    assert batch.summary["errors"] == [
        {"row": 6, "cell": "D6", "message": "The value “three” is not a number"}
    ]


def test_an_xlsx_whose_size_is_declared_wrong_is_still_read_whole(county, tmp_path):
    import zipfile

    path = write_xlsx(
        tmp_path,
        "small.xlsx",
        {"Data": [["area", "measure or offence", "period", "value"]]
         + [["Cherwell", "Violent crime", f"2011/12 Q{q}", q] for q in (1, 2, 3, 4)]},
    )  # fmt: skip
    # Some writers declare the sheet as A1 only: the reader must not stop there.
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/"))
    parts[sheet] = re.sub(rb'<dimension ref="A1:D5" ?/>', b'<dimension ref="A1"/>', parts[sheet])
    assert b'<dimension ref="A1"/>' in parts[sheet]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert batch.new_count == 4


# --- the SQL against the rules, on a random file ----------------------------------------------------

VAP = "Violence against the person"
LINES = {
    "Burglary": "acquisitive-crime",
    "Robbery": "acquisitive-crime",
    "Vehicle offences": "acquisitive-crime",
    "Violence against the person": "violent-crime",
    "Criminal damage and arson": "criminal-damage",
    "Violent crime": "violent-crime",  # the measure itself: its figure wins over its lines'
}


def expected_figures(rows) -> dict:
    """The rules of ``measures.importing.totals``, worked in plain Python."""
    reported = {}  # measure -> the lines the file reports
    cells = {}  # (measure, area, period) -> {line: value or None}
    direct = {}
    for area, label, period, value in rows:
        measure = LINES[label]
        if label == "Violent crime":
            direct[measure, area, period] = value
            continue
        reported.setdefault(measure, set()).add(label)
        cells.setdefault((measure, area, period), {})[label] = value
    figures = {}
    for key, lines in cells.items():
        present = {label for label, value in lines.items() if value is not None}
        if present == reported[key[0]]:
            figures[key] = sum(lines.values())
    for key, value in direct.items():
        figures.pop(key, None)
        if value is not None:
            figures[key] = value
    return figures


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_adds_up_and_compares_as_the_rules_say(county, tmp_path, seed):
    chance = random.Random(seed)
    areas = ["Cherwell", "Oxford", "West Oxfordshire", "South Oxfordshire"]
    periods = [f"2011/12 Q{q}" for q in (1, 2, 3, 4)]
    rows = []
    for area in areas:
        for period in periods:
            given = {}
            for label in LINES:
                if chance.random() < 0.7:
                    value = None if chance.random() < 0.15 else chance.randint(0, 500)
                    if label == "Violent crime" and value is not None and given.get(VAP) is not None:
                        value = given[VAP]  # a measure and its lines that differ are refused (tested apart)
                    given[label] = value
                    rows.append((area, label, period, value))
    chance.shuffle(rows)
    stored = {}  # some figures stored already, some of them equal to the file's
    figures = expected_figures(rows)
    for (measure, area, period), value in list(figures.items())[::3]:
        stored[measure, area, period] = value if chance.random() < 0.5 else value + 1
    measures = {m.slug: m for m in (county.acquisitive, county.violent, county.damage)}
    for (measure, area, period), value in stored.items():
        factories.MeasureValueFactory(
            measure=measures[measure],
            area=county.areas[area],
            period=Period.objects.financial_quarter(2011, int(period[-1])),
            value=value,
        )
    text = HEADER + "".join(f"{a},{label},{p},{'[x]' if v is None else v}\n" for a, label, p, v in rows)
    path = write_csv(tmp_path, "random.csv", text)
    preview = import_file(path=path, dry_run=True)
    s = preview.summary
    assert s["rows_read"] == len(rows) == s["rows_changed"] + s["rows_unchanged"] + s["rows_skipped"]
    unchanged = sum(1 for key, value in figures.items() if stored.get(key) == value)
    changed = sum(1 for key, value in figures.items() if key in stored and stored[key] != value)
    assert (preview.new_count, preview.changed_count, preview.unchanged_count) == (
        len(figures) - changed - unchanged,
        changed,
        unchanged,
    )
    batch = import_file(path=path, confirmed=True)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert {(m, a, p): v for (m, a, p), v in values().items()} == {
        (m, a, p): Decimal(v) for (m, a, p), v in (stored | figures).items()
    }


def xlsx_of(tmp_path, rows: int):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(["area", "measure or offence", "period", "value"])
    for n in range(rows):
        sheet.append(["Cherwell", "Violent crime", "2011/12 Q1", n])
    path = tmp_path / f"rows-{rows}.xlsx"
    book.save(path)
    return path


def test_an_xlsx_is_read_in_memory_that_does_not_grow_with_its_rows(tmp_path):
    import tracemalloc

    from measures.importing.readers import Workbook

    def peak(path) -> int:
        book = Workbook(path)
        rows = book.sheet(book.sheet_names[0]).rows
        next(rows)
        tracemalloc.start()
        for _ in rows:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        book.close()
        return peak

    small, large = peak(xlsx_of(tmp_path, 2_000)), peak(xlsx_of(tmp_path, 16_000))
    # openpyxl alone keeps an empty element per row read (about 80 bytes): 14,000 more rows, 1 MB more.
    assert large < small + 200_000, (small, large)


def ods_file(tmp_path, table_xml: str, name="release.ods"):
    """An ODS whose one table's rows are ``table_xml``, as LibreOffice writes them."""
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Cover"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>About</text:p></table:table-cell></table:table-row></table:table>'
        f'<table:table table:name="Table &amp; 1">{table_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return path


def text_cell(text, repeat=1):
    return (
        f'<table:table-cell office:value-type="string" table:number-columns-repeated="{repeat}">'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


def number_cell(value):
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def blank_rows(n):
    return (
        f'<table:table-row table:number-rows-repeated="{n}">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )


def test_an_ods_is_streamed_with_repeats_spaces_and_its_row_numbers(county, tmp_path):
    row = "<table:table-row>{}</table:table-row>"
    header = row.format("".join(text_cell(t) for t in ("area", "measure or offence", "period", "value")))
    cherwell = text_cell("Cherwell") + text_cell("Violent<text:s/>crime") + text_cell("2011/12 Q1")
    cherwell += number_cell(5)
    blank, end = blank_rows(3), blank_rows(1_048_000)
    # A row written once and repeated: the same figure twice, an error on the second (row 6, after 3 blank
    # rows and the header); the million blank rows LibreOffice writes at the end are not read.
    twice = f'<table:table-row table:number-rows-repeated="2">{cherwell}</table:table-row>'
    path = ods_file(tmp_path, blank + header + twice + end)
    batch = import_file(path=path, sheet="Table & 1")
    assert batch.summary["errors"] == [
        {
            "row": 6,
            "cell": "B6",
            "message": "Another row already gives Violent crime for Cherwell, 2011/12 Q1",
        }
    ]
    assert batch.summary["rows_read"] == 2
    # A covered (merged) cell reads as empty.
    oxford = text_cell("Oxford") + "<table:covered-table-cell/>" + text_cell("2011/12 Q1") + number_cell(6)
    path = ods_file(tmp_path, blank + header + row.format(cherwell) + row.format(oxford) + end, "covered.ods")
    batch = import_file(path=path, sheet="Table & 1")
    assert (batch.summary["errors"][0]["row"], batch.summary["errors"][0]["cell"]) == (6, "B6")


def test_an_ods_with_more_cells_than_allowed_is_refused_as_it_is_read(county, tmp_path, settings):
    settings.IMPORT_MAX_CELLS = 1_000
    row = "<table:table-row>{}</table:table-row>"
    table = row.format("".join(text_cell(t) for t in ("area", "measure or offence", "period", "value"))) + (
        '<table:table-row table:number-rows-repeated="5000">'
        + text_cell("Cherwell") + text_cell("Violent crime") + text_cell("2011/12 Q1") + number_cell(5)
        + "</table:table-row>"
    )  # fmt: skip
    batch = import_file(path=ods_file(tmp_path, table), sheet="Table & 1")
    assert "more than 1,000 cells" in batch.summary["errors"][0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("one_kind", [False, True])
def test_the_medians_of_the_outlier_rule_are_spread_of_on_either_database(one_kind):
    """Each measure, area and kind's count, median and median absolute deviation, as ``spread_of``
    works them out: in SQL on PostgreSQL, streamed through Python on SQLite. Odd and even counts, ties,
    zeros, figures with decimals and figures near the largest storable; groups of four or fewer get none."""
    from measures.importing.staging import Staging

    rng = random.Random(13)
    groups = {
        (1, 10, "quarter"): [5, 1, 3, 9, 7],
        (1, 10, "year"): [4, 4, 4, 4, 4, 4],
        (1, 11, "quarter"): [0, 0, 0, 0, 1, 2, 1_000_000],
        (2, 10, "quarter"): [rng.randrange(10**14) for _ in range(60)],
        (2, 11, "quarter"): [rng.randrange(-50_000, 50_000) * 25 for _ in range(61)],
        (3, 10, "quarter"): [1, 2, 3, 4],  # too few to judge
    }
    if one_kind:  # a file of quarters alone: streamed in the order of the compared figures' index
        groups = {key: figures for key, figures in groups.items() if key[2] == "quarter"}
    kinds = ["quarter", "year"]
    with Staging() as staging:
        staging.insert(
            "periods",
            [(i, kind, "2020-04-01", "2020-06-30", None, -i - 1) for i, kind in enumerate(kinds)],
        )
        rows, n = [], 0
        for (measure, area, kind), figures in groups.items():
            for value in figures:
                n += 1
                rows.append(
                    (measure, area, kinds.index(kind), -n, None, value, None, 0, n, 1, None, None, None)
                )
        staging.insert("compared", rows)
        staging.execute("CREATE INDEX {compared}_cell ON {compared} (measure, area, pkey, value)")
        writing._judge_history(
            staging, writing.Outcome(new=len(rows)), {"quarter"} if one_kind else set(kinds)
        )
        found = {
            (m, a, k): (n, med, mad) for m, a, k, n, med, mad in staging.fetchall("SELECT * FROM {stats}")
        }
    expected = {key: writing.spread_of(figures) for key, figures in groups.items() if len(figures) > 4}
    assert found == expected


def formatted_workbook(path, figures: dict):
    """Our long template for Violent crime in 2011/12, each area's figure in its own number format:
    {area: (value, format)}. Returns the workbook and its sheet, saved at ``path``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["area", "measure or offence", "period", "value"])
    for row, (area, (value, number_format)) in enumerate(figures.items(), start=2):
        sheet.append([area, "Violent crime", "2011/12", value])
        sheet[f"D{row}"].number_format = number_format
    book.save(path)
    return book, sheet


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_figure_shown_as_a_percentage_is_stored_as_shown(county, tmp_path, kind):
    """Issue 13's fourth sweep: 27.4 typed into a cell formatted as a percentage is 0.274 in the file,
    and was stored as 0.274 (a year's figure has too little history to be flagged)."""
    if kind == "xlsx":
        path = tmp_path / "percent.xlsx"
        formatted_workbook(path, {"Cherwell": (0.274, "0.0%"), "Oxford": (1, "0%")})  # 0%: built-in format 9
    else:
        row = "<table:table-row>{}</table:table-row>"
        header = row.format("".join(text_cell(t) for t in ("area", "measure or offence", "period", "value")))
        cells = [
            text_cell(area) + text_cell("Violent crime") + text_cell("2011/12")
            + f'<table:table-cell office:value-type="percentage" office:value="{value}"><text:p>x</text:p>'
            "</table:table-cell>"
            for area, value in (("Cherwell", 0.274), ("Oxford", 1))
        ]  # fmt: skip
        path = ods_file(tmp_path, header + "".join(row.format(c) for c in cells))
    batch = import_file(path=path, sheet="" if kind == "xlsx" else "Table & 1")
    assert batch.status == ImportBatch.Status.FAILED  # violent crime counts crimes: a percentage is no count
    message = "The value 27.4% is a percentage (the cell is shown as one), but Violent crime is counted"
    assert batch.summary["errors"][0]["message"].startswith(message)
    county.violent.unit, county.violent.aggregation = (
        Measure.Unit.PERCENT,
        Measure.Aggregation.POPULATION_WEIGHTED,
    )
    county.violent.save()
    batch = import_file(path=path, sheet="" if kind == "xlsx" else "Table & 1")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    over = [
        ["area", "measure or offence", "period", "value"],
        ["Cherwell", "Violent crime", "2012/13", "2740%"],
    ]
    refused = import_file(path=write_rows_csv(tmp_path, "over.csv", over))
    assert refused.summary["errors"][0]["message"].startswith(
        "The value shows as 2740%: over 100, is it 27.4"
    )
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12"): Decimal("27.4"),
        ("violent-crime", "Oxford", "2011/12"): 100,
    }


def test_an_ods_formula_never_worked_out_is_an_error_not_a_blank(county, tmp_path):
    row = "<table:table-row>{}</table:table-row>"
    header = row.format("".join(text_cell(t) for t in ("area", "measure or offence", "period", "value")))
    cherwell = text_cell("Cherwell") + text_cell("Violent crime") + text_cell("2011/12")
    cherwell += '<table:table-cell table:formula="of:=[.B9]+1" office:value-type="float"/>'
    batch = import_file(path=ods_file(tmp_path, header + row.format(cherwell)), sheet="Table & 1")
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"].startswith(
        "The value holds the formula “=[.B9]+1” with no saved"
    )


def test_a_percent_sign_written_into_a_number_format_is_a_percentage_as_it_is(county, tmp_path):
    """Issue 13's re-check: a format '0"%"' shows 27 as "27%" without making it a fraction: 27 was stored
    as 2700. The last sweeps: shown "27%", it was stored as 27 crimes, and 300 shown "300%" as a share. It is
    a percentage as it is: refused for a count, 27 (not 2700) for a percentage, refused over 100."""
    book, sheet = formatted_workbook(
        tmp_path / "literal.xlsx", {"Cherwell": (27, '0"%"'), "Oxford": (300, "0\\%")}
    )
    row = "<table:table-row>{}</table:table-row>"
    header = row.format("".join(text_cell(t) for t in ("area", "measure or offence", "period", "value")))
    shown = text_cell("Cherwell") + text_cell("Violent crime") + text_cell("2011/12")
    shown += (
        '<table:table-cell office:value-type="float" office:value="300"><text:p>300%</text:p>'
        "</table:table-cell>"
    )
    ods = ods_file(tmp_path, header + row.format(shown))
    batch = import_file(path=tmp_path / "literal.xlsx")
    assert batch.status == ImportBatch.Status.FAILED
    assert [e["message"][:60] for e in batch.summary["errors"]] == [
        "The value 27% is a percentage (the cell is shown as one), bu",
        "The value 300% is a percentage (the cell is shown as one), b",
    ]
    refused = import_file(path=ods, sheet="Table & 1")
    assert refused.summary["errors"][0]["message"].startswith("The value 300% is a percentage")
    assert values() == {}
    county.violent.unit = Measure.Unit.PERCENT
    county.violent.aggregation = Measure.Aggregation.POPULATION_WEIGHTED
    county.violent.save()
    over = import_file(path=tmp_path / "literal.xlsx")  # a share over 100: the last sweep stored 300
    assert [e["message"] for e in over.summary["errors"]] == [
        "The value shows as 300%: over 100, a share of something is at most 100: check the figure, and the "
        "unit of its cell. Nothing was written."
    ]
    sheet["D3"].value = 30
    book.save(tmp_path / "literal.xlsx")
    batch = import_file(path=tmp_path / "literal.xlsx")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12"): 27,
        ("violent-crime", "Oxford", "2011/12"): 30,
    }


def test_a_percent_sign_in_other_words_of_a_number_format_leaves_the_number_as_it_is(county, tmp_path):
    """Session 11 (the last sweep's leftovers): a format '0" (100%)"' shows 300 as "300 (100%)", and 300
    was taken for a percentage (refused for a count). Only a "%" straight after the number makes one."""
    formatted_workbook(
        tmp_path / "words.xlsx", {"Cherwell": (300, '0" (100%)"'), "Oxford": (12, '#,##0" (5% up)"')}
    )
    batch = import_file(path=tmp_path / "words.xlsx")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12"): 300,
        ("violent-crime", "Oxford", "2011/12"): 12,
    }
    formatted_workbook(tmp_path / "spaced.xlsx", {"Cherwell": (27, '0.0" %"')})  # "27.0 %": a percentage
    refused = import_file(path=tmp_path / "spaced.xlsx")
    assert refused.summary["errors"][0]["message"].startswith("The value 27% is a percentage")
