"""Each layout in its general form: our template, wide tables as ONS publish them, long tables."""

import datetime
from decimal import Decimal

import pytest

from measures.importing.layouts import is_sum_heading
from measures.importing.mapping import SUBTOTAL, UNASSIGNED
from measures.importing.validate import CHANGES, PARTIAL, SUMS, SUPPRESSED_REASON, TEXT_ONLY, UNIT_MISMATCH
from measures.models import ImportBatch, MeasureValue
from measures.services import import_file
from tests.measures.conftest import ACQUISITIVE_LINES, values, write_csv, write_rows_csv, write_xlsx

WIDE_HEADER = [
    "Area Code",
    "Community Safety Partnership name [note 2]",
    "Violence against\nthe person [note 3]",
    "Criminal damage & arson",
    "Total recorded crime",
]


def wide_rows():
    return [
        ["Police recorded crime by Community Safety Partnership area, year ending December 2024"],
        ["This worksheet contains one table. Some cells are suppressed [x]."],
        [],
        WIDE_HEADER,
        ["E23000029", "Thames Valley", "50,000", "9,000", "120,000"],
        ["E07000177", "Cherwell", "4,154", "901", "11,139"],
        ["E07000178", "Oxford City", 5058, 1124, 17062],
        ["E22000312", "South Oxon", "[x]", 655, 6569],
        ["", "Vale of the White Horse", 2777, "[u]", 6731],
        ["E07000181", "WEST OXFORDSHIRE", 2084, ":", 4923],
        ["W06000001", "Isle of Anglesey", 100, 10, 200],
        ["", "Unassigned Thames Valley", 330, 41, 776],
        ["Source: Home Office"],
    ]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_wide_table_with_title_notes_codes_aliases_and_suppression(county, tmp_path, kind):
    rows = wide_rows()
    if kind == "csv":
        path = write_rows_csv(tmp_path, "wide.csv", rows)
    else:
        path = write_xlsx(tmp_path, "wide.xlsx", {"Table 1": rows})
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    stored = values()
    period = "12 months to Dec 2024"  # read from the title
    assert stored["violent-crime", "Cherwell", period] == 4154  # thousands separator
    assert stored["violent-crime", "Oxford", period] == 5058  # alias "Oxford City"? no: name folding
    assert stored["criminal-damage", "South Oxfordshire", period] == 655  # by its CSP code
    assert stored["violent-crime", "Vale of White Horse", period] == 2777  # by alias
    assert stored["violent-crime", "West Oxfordshire", period] == 2084  # case folded
    # Suppressed cells are missing, never zero.
    assert ("violent-crime", "South Oxfordshire", period) not in stored
    assert ("criminal-damage", "Vale of White Horse", period) not in stored
    assert not MeasureValue.objects.filter(value=0).exists()
    reasons = {s["reason"]: s["count"] for s in batch.summary["skipped"]}
    assert reasons[SUBTOTAL] == 1
    assert reasons[UNASSIGNED] == 1
    # Suppressed cells are counted as cells, apart from the rows (issue 13: the counts add up).
    assert {s["reason"]: s["count"] for s in batch.summary["cells"]}[SUPPRESSED_REASON] == 3
    summary = batch.summary
    assert summary["rows_read"] == summary["rows_used"] + summary["rows_skipped"]


def test_a_sheet_is_asked_for_when_a_workbook_has_several_tables_and_used_when_named(county, tmp_path):
    rows = wide_rows()
    path = write_xlsx(
        tmp_path, "book.xlsx", {"Cover": [["About this release"]], "Table 1": rows, "Table 2": rows}
    )
    asked = import_file(path=path, dry_run=True)
    assert asked.summary["needs"] == "sheet"
    assert asked.summary["sheets"] == ["Table 1", "Table 2"]
    chosen = import_file(path=path, sheet="Table 2")
    assert chosen.status == ImportBatch.Status.APPLIED
    assert chosen.summary["sheet"] == "Table 2"


def test_the_period_given_is_used_when_the_title_states_none(county, tmp_path):
    rows = wide_rows()[3:]
    path = write_xlsx(tmp_path, "untitled.xlsx", {"Data": rows})
    assert import_file(path=path, dry_run=True).summary["needs"] == "period"
    batch = import_file(path=path, period="2023/24 Q3")
    assert values()["violent-crime", "Cherwell", "2023/24 Q3"] == 4154
    assert batch.summary["period_note"] == "2023/24 Q3 (as you chose)"


def test_template_csv_reads_measure_names_offence_lines_and_every_period_kind(county, tmp_path):
    path = write_csv(
        tmp_path,
        "template.csv",
        "area,area code,measure or offence,period,value\n"
        "Cherwell,,Violent crime,2011/12 Q1,101\n"
        ",E07000178,violence against the person,2011/12,400\n"
        "Cherwell,,Criminal damage and arson,June 2011,12\n"
        "Cherwell,,Criminal damage and arson,year ending December 2011,150\n"
        "Cherwell,,Anti-social behaviour,2012,-\n",
    )
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert batch.layout == "template"
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12 Q1"): Decimal(101),
        ("violent-crime", "Oxford", "2011/12"): Decimal(400),
        ("criminal-damage", "Cherwell", "June 2011"): Decimal(12),
        ("criminal-damage", "Cherwell", "12 months to Dec 2011"): Decimal(150),
    }


def test_a_measure_missing_one_of_its_lines_for_an_area_is_skipped_not_stored_as_a_partial_sum(
    county, tmp_path
):
    path = write_csv(
        tmp_path,
        "long.csv",
        "area_code,area_name,period,value,offence\n"
        "E07000177,Cherwell,2011/12,10,Burglary\n"
        "E07000177,Cherwell,2011/12,20,Robbery\n"
        "E07000178,Oxford,2011/12,30,Burglary\n"
        "E07000178,Oxford,2011/12,[x],Robbery\n",
    )
    incomplete = (
        "Acquisitive crime adds up 7 lines; this file reports 2 of them. Not in this file: All other theft "
        "offences, Bicycle theft, Shoplifting, Theft from the person, Vehicle offences. Its figures from "
        "this file would be part sums."
    )
    # The file lacks five of acquisitive crime's lines: its figures would be part sums, so the import
    # asks first (issue 13's sweep: "acquisitive crime = robbery alone" was stored with a note).
    refused = import_file(path=path)
    assert refused.status == ImportBatch.Status.FAILED
    assert incomplete in refused.summary["errors"][0]["message"]
    assert not MeasureValue.objects.exists()
    preview = import_file(path=path, dry_run=True)
    assert preview.summary["incomplete"] == [incomplete]
    assert preview.needs_confirmation()
    batch = import_file(path=path, confirmed=True)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {("acquisitive-crime", "Cherwell", "2011/12"): Decimal(30)}
    partial = next(s for s in batch.summary["cells"] if s["reason"] == PARTIAL)
    assert partial["examples"][0][0] == "Acquisitive crime, Oxford, 2011/12: no Robbery"


def test_utf16_and_semicolon_separated_csv_are_read(county, tmp_path):
    text = "area;measure or offence;period;value\r\nCherwell;Violent crime;2011/12 Q1;7\r\n"
    path = write_csv(tmp_path, "excel-export.csv", "\ufeff" + text, encoding="utf-16-le")
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {("violent-crime", "Cherwell", "2011/12 Q1"): Decimal(7)}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(county, tmp_path, encoding):
    """Sweep 12: "This is not a spreadsheet" for a tab-separated export in UTF-16 with no mark."""
    text = "area\tmeasure or offence\tperiod\tvalue\r\nCherwell\tViolent crime\t2011/12 Q1\t7\r\n"
    batch = import_file(path=write_csv(tmp_path, "export.txt", text, encoding=encoding))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {("violent-crime", "Cherwell", "2011/12 Q1"): Decimal(7)}


# --- rates, changes and notes beside the counts ----------------------------------------------------

VAP, DAMAGE = "Violence against the person", "Criminal damage and arson"


def cells(batch, reason) -> dict:
    return {c["reason"]: c for c in batch.summary.get("cells", [])}.get(reason)


def test_a_table_whose_title_says_rates_stores_no_rate_as_a_count(county, tmp_path):
    path = write_rows_csv(
        tmp_path,
        "rates.csv",
        [["Police recorded crime rates per 1,000 population by CSP, year ending March 2023"],
         ["Area name", VAP, DAMAGE], ["Cherwell", "27.7", "6"], ["Oxford", "33.7", "7"]],
    )  # fmt: skip
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.FAILED
    assert "a rate or percentage for a measure counted in numbers" in batch.summary["errors"][0]["message"]
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("above", [True, False])
def test_numbers_and_rates_under_merged_unit_headings_store_only_the_numbers(county, tmp_path, above):
    """ "Number" merged over one set of offence columns and "Rate per 1,000 population" over the same
    offences again: in the row above the header, or as the header's first row beside the area's."""
    units = ["", "Number", "", "Rate per 1,000 population", ""]
    offences = ["Area name", VAP, DAMAGE, VAP, DAMAGE]
    if not above:
        units[0], offences[0] = "Area name", ""
    path = write_rows_csv(tmp_path, "units.csv", [units, offences, ["Cherwell", "4154", "901", "27.7", "6"]])
    batch = import_file(path=path, period="2022/23")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2022/23"): 4154,
        ("criminal-damage", "Cherwell", "2022/23"): 901,
    }
    assert cells(batch, UNIT_MISMATCH)["count"] == 2


def test_an_offence_heading_carrying_its_rate_is_that_offences_rate(county, tmp_path):
    path = write_rows_csv(
        tmp_path,
        "inline.csv",
        [["Area name", VAP, f"{VAP} rate per 1,000 population", DAMAGE, f"{DAMAGE} (per 1,000 people)"],
         ["Cherwell", "4154", "27.7", "901", "6"]],
    )  # fmt: skip
    batch = import_file(path=path, period="2022/23")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values()["violent-crime", "Cherwell", "2022/23"] == 4154
    examples = dict(cells(batch, UNIT_MISMATCH)["examples"])
    assert f"{VAP} (rate per 1,000 population)" in examples


@pytest.mark.parametrize(
    "heading, said",
    [
        (["statistic", "value"], ["Rate per 100,000 population"]),
        (["value_type", "value"], ["per 1,000 residents"]),
        (["indicator", "value"], ["Offence rate"]),
        (["indicator", "value"], ["Crimes per 1,000 population"]),
        (["rate"], []),
    ],
)
def test_a_long_table_saying_its_figures_are_rates_outside_a_unit_column_stores_no_rate_as_a_count(
    county, tmp_path, heading, said
):
    """Session 11's sweep: rates were stored as counts when a long table said so in a column the importer
    did not read ("statistic", "value_type", the indicator) or in its value column's heading ("rate")."""
    rows = [
        ["area_code", "area_name", "period", "offence", *heading],
        ["E07000177", "Cherwell", "2023/24", "Violence against the person", *said, 40],
        ["E07000178", "Oxford", "2023/24", "Criminal damage and arson", *said, 12],
    ]
    batch = import_file(path=write_rows_csv(tmp_path, "rates.csv", rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert not MeasureValue.objects.exists()
    skipped = {s["reason"]: s["examples"] for s in batch.summary["skipped"]}
    shown = said[0] if said else "rate"
    assert dict(skipped[UNIT_MISMATCH]) == {
        f"Violence against the person ({shown})": 1,
        f"Criminal damage and arson ({shown})": 1,
    }


@pytest.mark.parametrize("heading", ["period_type", "Time period length", "Frequency"])
def test_a_long_table_s_period_type_column_saying_twelve_months_makes_each_row_twelve_months(
    county, tmp_path, heading
):
    """Session 11's sweep: "2024-03" beside "Rolling 12 months" in a period_type column was stored as
    the month of March 2024."""
    rows = [
        ["area_code", "area_name", "period", heading, "offence", "value"],
        ["E07000177", "Cherwell", "2024-03", "Rolling 12 months", "Violence against the person", 1000],
        ["E07000177", "Cherwell", "2023-12", "Rolling 12 months", "Violence against the person", 990],
        ["E07000181", "West Oxfordshire", "2023/24 Q3", "Annual", "Violence against the person", 500],
        ["E07000178", "Oxford", "2024-03", "Month", "Violence against the person", 90],
        ["E07000178", "Oxford", "2023/24 Q4", "Quarter", "Violence against the person", 270],
    ]
    batch = import_file(path=write_rows_csv(tmp_path, "kinds.csv", rows))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2023/24"): 1000,
        ("violent-crime", "Cherwell", "12 months to Dec 2023"): 990,
        ("violent-crime", "West Oxfordshire", "12 months to Dec 2023"): 500,
        ("violent-crime", "Oxford", "March 2024"): 90,
        ("violent-crime", "Oxford", "2023/24 Q4"): 270,
    }


def test_change_columns_and_columns_of_text_are_left_out_not_asked_about(county, tmp_path):
    path = write_rows_csv(
        tmp_path,
        "extras.csv",
        [["Area name", VAP, "% change", DAMAGE, f"{DAMAGE} percentage change from previous year",
          "Most similar group", "Notes"],
         ["Cherwell", "4154", "-3", "901", "2.5", "Family 3", ""],
         ["Oxford", "5058", "1", "1124", "0", "Family 5", "Boundary change in 2019"]],
    )  # fmt: skip
    batch = import_file(path=path, period="2022/23")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert len(values()) == 4
    assert cells(batch, CHANGES)["count"] == 4
    assert dict(cells(batch, TEXT_ONLY)["examples"]).keys() == {"Most similar group", "Notes"}


@pytest.mark.parametrize("change", ["Difference", "Variance", "Movement", "Volume change", "+/-"])
def test_change_columns_in_other_words_are_changes_not_lines_to_map(county, tmp_path, change):
    """Session 11's sweep: these were asked to be mapped to a measure ("+/-" as a formula)."""
    rows = [["Area name", VAP, change], ["Cherwell", "4154", "-3"]]
    batch = import_file(path=write_rows_csv(tmp_path, "changes.csv", rows), period="2022/23")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {("violent-crime", "Cherwell", "2022/23"): 4154}
    assert cells(batch, CHANGES)["count"] == 1


def test_an_unknown_column_with_figures_is_still_asked_about(county, tmp_path):
    rows = [["Area name", VAP, "Widget offences"], ["Cherwell", "4154", "12"]]
    path = write_rows_csv(tmp_path, "unknown.csv", rows)
    batch = import_file(path=path, period="2022/23")
    assert batch.status == ImportBatch.Status.FAILED
    assert "“Widget offences” is not mapped" in batch.summary["errors"][0]["message"]


def test_a_fraction_for_a_measure_counted_in_numbers_is_refused_with_its_cell(county, tmp_path):
    path = write_rows_csv(
        tmp_path, "fraction.csv", [["Area name", VAP], ["Cherwell", "4154.6"], ["Oxford", "5058.0"]]
    )
    batch = import_file(path=path, period="2022/23")
    assert batch.status == ImportBatch.Status.FAILED
    (error,) = batch.summary["errors"]
    assert error["row"] == 2 and error["cell"].startswith("column B")
    assert "4154.6 is not a whole number, but Violent crime is counted" in error["message"]
    assert not MeasureValue.objects.exists()


# The ONS table's acquisitive lines (conftest), burglary apart.
ACQUISITIVE_BUT_BURGLARY = [line for line in ACQUISITIVE_LINES[:7] if line != "Burglary"]


@pytest.mark.parametrize("with_burglary", [False, True])
def test_an_older_table_s_burglary_parts_add_up_into_burglary_when_it_gives_no_burglary(
    county, tmp_path, with_burglary
):
    """Tables before 2017 split burglary into domestic and non-domestic, with no Burglary column: the
    parts stand in for it, once each; a table that gives Burglary as well is read by it alone."""
    heading = ["Area name", *ACQUISITIVE_BUT_BURGLARY, "Domestic burglary", "Non-domestic burglary"]
    row = ["Cherwell", *["10"] * len(ACQUISITIVE_BUT_BURGLARY), "200", "161"]
    if with_burglary:
        heading.append("Burglary")
        row.append("361")
    batch = import_file(path=write_rows_csv(tmp_path, "older.csv", [heading, row]), period="2012/13")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values()["acquisitive-crime", "Cherwell", "2012/13"] == 60 + 361
    assert not batch.summary["incomplete"]  # the parts stand for the whole: no part-sum question


YEARS = ["Apr 2021 to Mar 2022", "Apr 2022 to Mar 2023"]


@pytest.mark.parametrize("years_over, change", [(False, True), (True, True), (True, False)])
def test_a_table_giving_each_offence_for_two_years_stores_each_column_for_its_year(
    county, tmp_path, years_over, change
):
    """Offence headings merged over a column per year (or years merged over the offences), with a
    "% change" column beside: each column is that offence for that year, and the change is left out."""
    if years_over:
        top = ["Area code", "Area name", YEARS[0], "", YEARS[1], "", "% change", ""]
        below = ["", "", VAP, DAMAGE, VAP, DAMAGE, VAP, DAMAGE]
        row = ["E07000177", "Cherwell", "4054", "851", "4154", "901", "2", "6"]
    else:
        top = ["Area code", "Area name", VAP, "", "", DAMAGE, "", ""]
        below = ["", "", *YEARS, "% change", *YEARS, "% change"]
        row = ["E07000177", "Cherwell", "4054", "4154", "2", "851", "901", "6"]
    if not change:
        top, below, row = top[:6], below[:6], row[:6]
    path = write_rows_csv(tmp_path, "two-years.csv", [["Police recorded crime by CSP"], top, below, row])
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2021/22"): 4054,
        ("violent-crime", "Cherwell", "2022/23"): 4154,
        ("criminal-damage", "Cherwell", "2021/22"): 851,
        ("criminal-damage", "Cherwell", "2022/23"): 901,
    }
    assert (cells(batch, CHANGES) or {}).get("count") == (2 if change else None)
    MeasureValue.objects.all().delete()
    refused = import_file(path=path, period="2019/20")
    assert refused.status == ImportBatch.Status.FAILED
    assert "gives a period over each column" in refused.summary["errors"][0]["message"]
    assert not MeasureValue.objects.exists()


def test_once_a_sheet_is_chosen_the_sheets_offered_are_still_only_the_tables(county, tmp_path):
    """Switching to another sheet offers the tables, never the cover or the notes (issue 13's sweep)."""
    rows = wide_rows()
    path = write_xlsx(
        tmp_path,
        "book.xlsx",
        {
            "Cover": [["About this release"]],
            # ONS's contents sheet: its rows look like a wide table's header ("CSP" in a heading)
            "Contents": [
                ["Contents"],
                ["Worksheet name", "Worksheet title", "Geography", "Period"],
                ["Table 1", "Police recorded crime by CSP area", "Community Safety Partnership", "2023/24"],
            ],
            "Table 1": rows,
            "Notes": [["Note 1", "Figures are provisional"]],
            "Table 2": rows,
        },
    )
    chosen = import_file(path=path, sheet="table 2 ", dry_run=True)
    assert chosen.summary["sheet"] == "Table 2"
    assert chosen.summary["sheets"] == ["Table 1", "Table 2"]
    # A sheet the importer would not pick may still be asked for by name; it is then offered too.
    notes = import_file(path=path, sheet="Notes", dry_run=True)
    assert notes.summary["sheets"] == ["Table 1", "Notes", "Table 2"]
    asked = import_file(path=path, dry_run=True)
    assert asked.summary["sheets"] == ["Table 1", "Table 2"]


def test_wide_tables_naming_no_known_line_are_offered_when_no_sheet_names_one(county, tmp_path):
    own = [["Area name", "Crimes in parks", "Crimes on buses"], ["Cherwell", 5, 7]]
    contents = [
        ["Worksheet name", "Worksheet title", "Geography"],
        ["Parks", "Crimes in parks by CSP", "CSP"],
    ]
    path = write_xlsx(tmp_path, "own.xlsx", {"Contents": contents, "Parks": own, "Buses": own})
    asked = import_file(path=path, dry_run=True)
    assert asked.summary["sheets"] == ["Contents", "Parks", "Buses"]  # none known: each might be the table


@pytest.mark.parametrize(
    "title, first, second",
    [
        ("Police recorded crime by CSP area", "Year ending March 2012", "Year ending March 2013"),
        ("Police recorded crime by CSP area", "YE Mar 12", "YE Mar 13"),
        ("Police recorded crime by CSP area", "FYE March 2012", "FYE March 2013"),
        ("Police recorded crime by CSP area", "12 months to March 2012", "12 months to March 2013"),
        ("Police recorded crime by CSP area", "Apr 11 - Mar 12", "Apr 12 - Mar 13"),
        ("Police recorded crime by CSP area", "2011/12", "2012/13"),
        # A table of twelve months: "Mar 2012" over its columns is the year to March 2012, not March.
        ("Police recorded crime by CSP area, 12 months ending", "Mar 2012", "Mar 2013"),
    ],
)
def test_periods_in_the_row_above_the_header_give_each_column_its_period(
    county, tmp_path, title, first, second
):
    """Issue 13's third sweep: the periods merged over the offences in the row above the header row
    were not read, and each offence's two years were added up into one."""
    rows = [
        [title],
        [],
        ["", "", first, "", second, ""],
        ["Area code", "Area name", VAP, DAMAGE, VAP, DAMAGE],
        ["E07000177", "Cherwell", 1100, 450, 1200, 500],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "years.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12"): 1100,
        ("violent-crime", "Cherwell", "2012/13"): 1200,
        ("criminal-damage", "Cherwell", "2011/12"): 450,
        ("criminal-damage", "Cherwell", "2012/13"): 500,
    }


def test_a_quarter_over_a_twelve_month_table_s_column_is_refused(county, tmp_path):
    rows = [
        ["Police recorded crime, 12 months ending"],
        ["", "", "Q4 2011/12", "Q4 2012/13"],
        ["Area code", "Area name", VAP, VAP],
        ["E07000177", "Cherwell", 1100, 1200],
    ]
    batch = import_file(path=write_rows_csv(tmp_path, "quarters.csv", rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert "a twelve-month figure is never stored as a quarter" in batch.summary["errors"][0]["message"]
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    "top, heading",
    [
        (None, VAP),  # a hidden copy of the column
        (None, f"{VAP} [note 2]"),  # the same line with a note marker
        (["", "", "Previous year", "Current year"], VAP),  # periods the importer cannot read
        (["", "", "Previous year", "Year ending March 2013"], VAP),  # one copy with the table's period
        (["", "", "Number of offences", "Year ending March 2013"], VAP),  # a unit over one copy
    ],
)
def test_a_wide_table_giving_a_line_twice_is_refused_not_added_up(county, tmp_path, top, heading):
    rows = [["Police recorded crime by CSP area, year ending March 2013"]]
    if top:
        rows.append(top)
    rows += [["Area code", "Area name", VAP, heading], ["E07000177", "Cherwell", 700, 1200]]
    batch = import_file(path=write_xlsx(tmp_path, "twice.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.FAILED
    error = batch.summary["errors"][0]
    assert error["cell"] == f"D{len(rows) - 1}"
    assert error["message"].startswith(f"“{heading}” is given twice: here and in C{len(rows) - 1}.")
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("count", ["Recorded", "Total", "Number of crimes"])
@pytest.mark.parametrize("other", ["Outcome rate (%)", "Proportion of all crime", "Rank", "Per 1,000"])
def test_an_offence_merged_over_its_number_and_another_measure_of_it_stores_the_number(
    county, tmp_path, count, other
):
    """Issue 13's third sweep: "Recorded" and "Outcome rate (%)" under a merged offence heading were
    asked about as lines to map; mapping "Total" added two offences' totals up."""
    rows = [
        ["Police recorded crime by CSP area, year ending March 2014"],
        [],
        ["", "", VAP, "", DAMAGE, ""],
        ["Area code", "Area name", count, other, count, other],
        ["E07000177", "Cherwell", 1200, 30, 500, 12],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "sub.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2013/14"): 1200,
        ("criminal-damage", "Cherwell", "2013/14"): 500,
    }
    assert cells(batch, UNIT_MISMATCH)["count"] == 2


def test_a_title_just_above_the_header_is_no_heading_over_its_columns(county, tmp_path):
    """A title in the first cell is not carried across the offence columns as a merged heading: a
    "Total" column stays "Total" (left out as a sum of the others), never the title's name."""
    rows = [
        ["Police recorded crime by CSP area, year ending March 2014"],
        ["Area code", "Area name", VAP, "Total"],
        ["E07000177", "Cherwell", 1200, 3000],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "total.xlsx", {"Table 1": rows}))
    assert [tuple(e) for e in cells(batch, SUMS)["examples"]] == [("Total", 1)]


@pytest.mark.parametrize(
    "sheet, title, periods, stored",
    [
        (
            "Violence against the person",
            "Violence against the person: police recorded offences by CSP area",
            ["Apr 2010 to Mar 2011", "Apr 2011 to Mar 2012"],
            ["2010/11", "2011/12"],
        ),
        (
            "Violence",
            "Violence against the person offences recorded by the police, by CSP area, calendar years",
            [2012, 2013],
            ["12 months to Dec 2012", "12 months to Dec 2013"],
        ),
        (  # sweep 12: the table's number before its title, and the offence between other words
            "Table 3",
            "Table 3: Police recorded violence against the person offences, by CSP area",
            ["Apr 2010 to Mar 2011", "Apr 2011 to Mar 2012"],
            ["2010/11", "2011/12"],
        ),
    ],
)
def test_a_table_of_one_offence_over_periods_reads_the_offence_from_its_sheet_or_title(
    county, tmp_path, sheet, title, periods, stored
):
    """Issue 13's third sweep: a column per year of one offence was asked about as lines to map, and
    mapping them added the years up into one."""
    rows = [[title], ["Area code", "Area name", *periods], ["E07000177", "Cherwell", 1100, 1150]]
    batch = import_file(path=write_xlsx(tmp_path, "series.xlsx", {sheet: rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", stored[0]): 1100,
        ("violent-crime", "Cherwell", stored[1]): 1150,
    }


@pytest.mark.parametrize(
    "beside, reason",
    [
        (["Percentage change"], CHANGES),
        (["Percentage change", "Notes"], CHANGES),
        (["Year to date"], SUMS),
        (["Total"], SUMS),
    ],
)
def test_a_table_of_one_offence_over_periods_leaves_out_its_change_total_and_notes_columns(
    county, tmp_path, beside, reason
):
    """Sweep 12: a change, notes or year-to-date column beside the periods made the table ask which
    period it was for (the periods were taken for a title), and a period given then stored nothing."""
    title = "Table 3: Violence against the person offences by Community Safety Partnership area"
    rows = [[title], ["Area code", "Area name", "2023/24 Q1", "2023/24 Q2", *beside]]
    rows.append(["E07000177", "Cherwell", 300, 310, *([620] + [""] * (len(beside) - 1))])
    batch = import_file(path=write_xlsx(tmp_path, "series.xlsx", {"Table 3": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary
    assert values() == {
        ("violent-crime", "Cherwell", "2023/24 Q1"): 300,
        ("violent-crime", "Cherwell", "2023/24 Q2"): 310,
    }
    assert cells(batch, reason)["count"] == 1


@pytest.mark.parametrize(
    "heading, adds_up",
    [
        ("Total", True),
        ("Grand total", True),
        ("Year to date", True),
        ("Financial year to date", True),
        ("YTD", True),
        ("Total recorded crime", False),
        ("Total theft offences", False),
        ("Totals for Thames Valley", False),
    ],
)
def test_a_sum_of_other_columns_is_told_from_a_line_named_total(heading, adds_up):
    assert is_sum_heading(heading) is adds_up


def test_a_total_column_beside_offences_is_left_out_but_total_recorded_crime_is_a_line(county, tmp_path):
    """Sweep 12: a bare "Total" column refused the file as a line to map."""
    rows = [["Area name", VAP, DAMAGE, "Total"], ["Cherwell", "4154", "901", "5055"]]
    batch = import_file(path=write_rows_csv(tmp_path, "total.csv", rows), period="2022/23")
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert len(values()) == 2
    assert [tuple(e) for e in cells(batch, SUMS)["examples"]] == [("Total", 1)]
    rows = [["Area name", VAP, "Total recorded crime"], ["Cherwell", "4154", "9000"]]
    batch = import_file(path=write_rows_csv(tmp_path, "trc.csv", rows), period="2022/23")
    assert not cells(batch, SUMS)


def test_a_table_of_periods_whose_sheet_and_title_name_different_offences_is_refused(county, tmp_path):
    """Issue 13's leftover: the sheet's name won without a word when the title named another offence."""
    title = "Violence against the person offences recorded by the police, by CSP area"
    rows = [[title], ["Area code", "Area name", "2011/12", "2012/13"], ["E07000177", "Cherwell", 1100, 1150]]
    batch = import_file(path=write_xlsx(tmp_path, "series.xlsx", {"Robbery": rows}))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"].startswith(
        "The sheet's name says its figures are Robbery, but its title says Violence against the person:"
    )
    assert not MeasureValue.objects.exists()
    # The same offence in another wording is no disagreement.
    batch = import_file(path=write_xlsx(tmp_path, "series.xlsx", {"Total violence against the person": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]


def test_a_table_of_periods_naming_no_offence_is_refused_saying_so(county, tmp_path):
    rows = [["Police recorded crime by CSP area"], ["Area code", "Area name", "2011/12", "2012/13"]]
    rows.append(["E07000177", "Cherwell", 1100, 1150])
    batch = import_file(path=write_xlsx(tmp_path, "series.xlsx", {"Table 3": rows}))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"].startswith(
        "The columns are periods (2011/12, 2012/13): the table gives one offence over several periods"
    )


def test_periods_and_a_change_merged_over_the_offences_read_the_periods_and_leave_the_change(
    county, tmp_path
):
    """Sweep 13: "2022/23", "2023/24" and "% change" each merged over the offences: "the file does not
    say which period" (the change's columns were neither a period's nor a change's)."""
    from openpyxl import load_workbook

    rows = [["Recorded crime by district"], [None, None, "2022/23", None, "2023/24", None, "% change"]]
    rows += [["Area code", "Area name", VAP, DAMAGE, VAP, DAMAGE, VAP, DAMAGE]]
    rows += [["E07000177", "Cherwell", 100, 10, 110, 12, 10.0, 20.0]]
    path = write_xlsx(tmp_path, "groups.xlsx", {"Table": rows})
    book = load_workbook(path)
    for merged in ("C2:D2", "E2:F2", "G2:H2"):
        book["Table"].merge_cells(merged)
    book.save(path)
    batch = import_file(path=path, dry_run=True)
    assert {(f["measure"], f["period"], f["new"]) for f in batch.summary["figures"]} == {
        ("Violent crime", "2022/23", "100"),
        ("Criminal damage reported to the police", "2022/23", "10"),
        ("Violent crime", "2023/24", "110"),
        ("Criminal damage reported to the police", "2023/24", "12"),
    }, batch.summary["errors"]
    assert cells(batch, CHANGES)["count"] == 2


def test_a_table_turned_on_its_side_says_so(county, tmp_path):
    """Sweep 13: offences down the first column and areas across: "No header row found"."""
    rows = [["Offence", "Cherwell", "Oxford"], [VAP, 770, 1111], [DAMAGE, 27, 90], ["Robbery", 5, 9]]
    batch = import_file(path=write_rows_csv(tmp_path, "turned.csv", rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"].startswith(
        "The offences run down column A (Violence against the person, Criminal damage and arson, ...) with "
        "no header across: the table seems turned on its side."
    )


def test_a_second_table_below_the_first_ends_it_with_a_note(county, tmp_path):
    """Issue 13's third sweep: a rates table stacked under the numbers' was read on, its header as an
    area called "Area name" and its rates as Cherwell's second row."""
    header = ["Area code", "Area name", VAP]
    rows = [["Table 1a: numbers, year ending March 2013"], header, ["E07000177", "Cherwell", 1200], [], []]
    rows += [["Table 1b: rate per 1,000 population, year ending March 2013"], header]
    rows += [["E07000177", "Cherwell", 8]]
    batch = import_file(path=write_xlsx(tmp_path, "stacked.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {("violent-crime", "Cherwell", "2012/13"): 1200}
    assert any(n.startswith("Row 7 starts another table") for n in batch.summary["notices"])
    assert batch.summary["rows_read"] == 1


@pytest.mark.parametrize("gap", [True, False])
def test_a_second_table_with_its_columns_in_another_order_is_not_read_as_the_first(county, tmp_path, gap):
    """Sweep 13: a second table headed "ONS code, CSP name" with the offences in another order was read
    on under the first table's columns: South Oxfordshire's violence stored as its criminal damage."""
    rows = [
        ["Recorded crime 2023/24"],
        ["Area code", "Area name", VAP, DAMAGE],
        ["E07000177", "Cherwell", 100, 7],
    ]
    rows += [[]] if gap else []
    rows += [["ONS code", "CSP name", DAMAGE, VAP], ["E07000179", "South Oxfordshire", 2527, 1797]]
    batch = import_file(path=write_rows_csv(tmp_path, "two.csv", rows), dry_run=True)
    assert batch.error_count == 0, batch.summary["errors"]
    assert {(f["area"], f["measure"], f["new"]) for f in batch.summary["figures"]} == {
        ("Cherwell", "Violent crime", "100"),
        ("Cherwell", "Criminal damage reported to the police", "7"),
    }
    row = 5 if gap else 4
    assert f"Row {row} starts another table (a header row of its own): only the table above it was read" in (
        " ".join(batch.summary["notices"])
    )


def test_another_county_s_row_naming_offences_beside_its_figures_is_no_second_header(county, tmp_path):
    rows = [["Area code", "Area name", VAP, "Top offence", "Next offence"]]
    rows += [["E06000038", "Reading", 5, "Robbery", "Burglary"], ["E07000177", "Cherwell", 7, "Robbery", ""]]
    batch = import_file(path=write_rows_csv(tmp_path, "notes.csv", rows), period="2023/24", dry_run=True)
    assert {(f["area"], f["new"]) for f in batch.summary["figures"]} == {("Cherwell", "7")}
    assert not batch.summary["notices"]


def test_the_area_heading_repeated_in_a_header_s_second_row_is_part_of_the_header(county, tmp_path):
    """ "Area name" in both rows of a two-row header (its cell merged down, or written twice) with the
    offence groups above the lines: the second row is the header's, not 26 rows of errors."""
    rows = [
        ["Table 1: Police recorded crime by CSP area, year ending March 2012"],
        ["Area name", "", "Victim-based crime", ""],
        ["Area name", "Total recorded crime (excluding fraud)", VAP, DAMAGE],
        ["England and Wales", 99999, 99999, 99999],
        ["    Cherwell", 7455, 3000, 680],
        ["Thames Valley total", "", "", ""],
        ["", 55555, 5555, 555],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "groups.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12"): 3000,
        ("criminal-damage", "Cherwell", "2011/12"): 680,
    }
    # A row of figures with no area is read and skipped for what it is: the rows read add up.
    summary = batch.summary
    assert summary["rows_read"] == summary["rows_used"] + summary["rows_skipped"]
    assert any(s["reason"].startswith("Rows with figures but no area") for s in summary["skipped"])


@pytest.mark.parametrize("own, stored", [(310, None), (300, 300)])
def test_a_template_giving_a_measure_and_its_lines_must_agree(county, tmp_path, own, stored):
    """Issue 13's third sweep: the measure's own row won and its lines' sum was dropped, unsaid."""
    path = write_csv(
        tmp_path,
        "template.csv",
        "area,measure or offence,period,value\n"
        f"Cherwell,Violent crime,2012/13 Q1,{own}\n"
        "Cherwell,Violence against the person,2012/13 Q1,300\n",
    )
    batch = import_file(path=path)
    if stored is None:
        assert batch.status == ImportBatch.Status.FAILED
        assert batch.summary["errors"][0]["message"] == (
            "This file gives Violent crime for Cherwell, 2012/13 Q1 itself (310), and its lines add up to "
            "300: which is meant cannot be told. Give the measure or its lines, not both."
        )
        assert not MeasureValue.objects.exists()
    else:
        assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
        assert values() == {("violent-crime", "Cherwell", "2012/13 Q1"): stored}


def test_a_rates_table_of_one_offence_over_periods_is_refused_without_a_crash(county, tmp_path):
    """Every column a rate (the title says so) and each with its own period: nothing to import, said
    plainly (it was a database error, and a batch left "Reading" in the browser)."""
    rows = [["Violence against the person: rate per 1,000 population"], ["Area code", "Area name", "2011/12"]]
    rows.append(["E07000177", "Cherwell", 8])
    batch = import_file(path=write_xlsx(tmp_path, "rates.xlsx", {VAP: rows}))
    assert batch.status == ImportBatch.Status.FAILED
    assert "no figure to import" in batch.summary["errors"][0]["message"]


@pytest.mark.parametrize(
    "periods, stored",
    [
        (["2011/12", "2012/13"], ["2011/12", "2012/13"]),
        (["Q1 2012/13", "Q2 2012/13"], ["2012/13 Q1", "2012/13 Q2"]),
        # Session 11's sweep: Excel's date cells ("Mar-23" typed in) crashed the import.
        ([datetime.datetime(2012, 3, 1), datetime.datetime(2013, 3, 31)], ["March 2012", "March 2013"]),
    ],
)
def test_offences_merged_over_period_columns_in_the_row_above_give_each_column_its_period(
    county, tmp_path, periods, stored
):
    """The header row holds the periods (beside "Area code"), the offences merged over them above: each
    column is its offence for its period (issue 13's re-check: refused, saying no offence was named)."""
    rows = [
        ["Police recorded crime by CSP area"],
        [],
        ["", "", VAP, "", "", DAMAGE, "", ""],
        ["Area code", "Area name", *periods, "% change", *periods, "% change"],
        ["E07000177", "Cherwell", 1100, 1200, 9, 400, 450, 12],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "over.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", stored[0]): 1100,
        ("violent-crime", "Cherwell", stored[1]): 1200,
        ("criminal-damage", "Cherwell", stored[0]): 400,
        ("criminal-damage", "Cherwell", stored[1]): 450,
    }


@pytest.mark.parametrize(
    "title, stored",
    [
        ("year ending March: 2012 and 2013", ["2011/12", "2012/13"]),
        ("years ending March 2012 and March 2013", ["2011/12", "2012/13"]),
        ("years ending September", ["12 months to Sep 2012", "12 months to Sep 2013"]),
        ("calendar years", ["12 months to Dec 2012", "12 months to Dec 2013"]),
        ("financial years 2011/12 and 2012/13", None),
    ],
)
def test_years_alone_over_columns_are_the_years_the_title_says(county, tmp_path, title, stored):
    """Session 11's sweep: "2023" and "2024" over the columns under "year ending March" or "financial
    years 2022/23 and 2023/24" were stored as calendar years."""
    rows = [
        [f"Police recorded crime by CSP, {title}"],
        ["", "", VAP, "", ""],
        ["Area code", "Area name", "2012", "2013", "% change"],
        ["E07000177", "Cherwell", 1100, 1200, 9],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "years.xlsx", {"Table 1": rows}))
    if stored is None:
        assert batch.status == ImportBatch.Status.FAILED
        assert batch.summary["errors"][0]["message"].startswith(
            "“2012” over this column is a year alone, and the title speaks of financial years: 2011/12 or "
            "2012/13?"
        )
        assert not MeasureValue.objects.exists()
        return
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", stored[0]): 1100,
        ("violent-crime", "Cherwell", stored[1]): 1200,
    }


def test_date_cells_over_a_twelve_month_table_s_columns_are_the_twelve_months_to_their_month(
    county, tmp_path
):
    """Session 11's sweep: date cells over the columns crashed the import (a 500 in the browser)."""
    rows = [
        ["Police recorded crime by CSP area, 12 months ending"],
        ["", "", VAP, "", ""],
        ["Area code", "Area name", datetime.datetime(2012, 3, 1), datetime.datetime(2013, 3, 1), "% change"],
        ["E07000177", "Cherwell", 1100, 1200, 9],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "dates.xlsx", {"Table 1": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2011/12"): 1100,
        ("violent-crime", "Cherwell", "2012/13"): 1200,
    }


@pytest.mark.parametrize(
    "areas_row", ["under", "over"], ids=["area headings beside the offences", "beside the parts"]
)
def test_sub_headings_that_name_a_line_only_with_the_offence_merged_over_them(county, tmp_path, areas_row):
    """Issue 13's leftover: "With injury" and "Without injury" under a merged "Violence against the
    person" (and "Residential" under "Burglary", "Business property" under "Robbery") were asked about
    as unknown lines. Each is the line the two headings name together; a line on its own ("Arson"
    under "Criminal damage and arson") keeps its own name."""
    over = ["", "", VAP, "", "Burglary", "", "Robbery", "", DAMAGE]
    parts = ["", "", "With injury", "Without injury", "Residential", "Non-residential", "Business property",
             "Personal property", "Arson"]  # fmt: skip
    codes = ["Area code", "Area name"]
    rows = [["Police recorded crime by CSP area, year ending March 2014"], []]
    if areas_row == "under":
        rows += [codes + over[2:], parts]
    else:
        rows += [over, codes + parts[2:]]
    rows.append(["E07000177", "Cherwell", 700, 500, 120, 80, 3, 9, 40])
    batch = import_file(path=write_xlsx(tmp_path, "parts.xlsx", {"Table 1": rows}), confirmed=True)
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert not batch.summary["unknown_labels"]
    stored = values()
    assert stored["violent-crime", "Cherwell", "2013/14"] == 1200
    assert stored["acquisitive-crime", "Cherwell", "2013/14"] == 212  # burglary's and robbery's parts
    assert stored["criminal-damage", "Cherwell", "2013/14"] == 40


@pytest.mark.parametrize(
    "title",
    ["Police recorded crime by CSP area (numbers in thousands)", "Numbers (thousands)", "Offences ('000s)",
     "Figures in 000s", "(thousand offences)", "(numbers in 1,000s)", "Offences (x1,000)"],
)  # fmt: skip
def test_a_table_in_thousands_is_refused_not_stored_as_counts(county, tmp_path, title):
    rows = [[title], ["Area name", VAP], ["Cherwell", 1.2]]
    batch = import_file(path=write_rows_csv(tmp_path, "thousands.csv", rows), period="2013/14")
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"].startswith("The title says the figures are in thousands")
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    "title, stored",
    [
        ("3 months to December 2012", "2012/13 Q3"),
        ("three months ending December 2012", "2012/13 Q3"),
        ("Quarter 3 2012/13", "2012/13 Q3"),
        ("Q3 (Oct-Dec) 2012/13", "2012/13 Q3"),
        ("calendar year 2012", "12 months to Dec 2012"),
        ("April 2012 to December 2012", ""),
        ("year to date (April to December 2012)", ""),
        ("financial year to date 2012/13", ""),
        ("2012/13 (provisional, April to December)", ""),
        ("6 months to September 2012", ""),
        ("Three months to 31 December 2012", "2012/13 Q3"),
        ("2012 calendar year", "12 months to Dec 2012"),
        ("Half year ending March 2013", ""),
        ("H1 2012/13", ""),
        ("Q1-Q3 2012/13", ""),
        ("Q3 year to date 2012/13", ""),
        ("Financial year 2012/13 to date", ""),
        ("Jul-Dec 2012", ""),
        ("Winter 2012/13", ""),
        # The last sweep: these were not read (the importer asked for the period).
        ("Quarter ending December 2012", "2012/13 Q3"),
        ("quarter ended 31 March 2013", "2012/13 Q4"),
        ("Quarter ending November 2012", ""),
        ("01/10/2012 - 31/12/2012", "2012/13 Q3"),
        ("1.1.2012 to 31.12.2012", "12 months to Dec 2012"),
        ("01/12/2012-31/12/2012", "December 2012"),
        ("01/10/2012 - 15/12/2012", ""),
        # The sweep after: dates written otherwise, and a quarter after its year.
        ("2012-10-01 to 2012-12-31", "2012/13 Q3"),
        ("01-10-2012 - 31-12-2012", "2012/13 Q3"),
        ("1/10/12 - 31/12/12", "2012/13 Q3"),
        ("1 October 2012 - 31 December 2012", "2012/13 Q3"),
        ("2012/13 - Q3", "2012/13 Q3"),
        ("2012-13 Q3 (provisional)", "2012/13 Q3"),
        # Session 11: months beside a financial year are that year's months. "January to March
        # 2012/13" was stored as January to March 2012 (2011/12 Q4), "April to March 2012/13" as 2011/12.
        ("January to March 2012/13", "2012/13 Q4"),
        ("Jan-Mar 2012/13", "2012/13 Q4"),
        ("October to December 2012/13", "2012/13 Q3"),
        ("2012/13 Oct to Dec", "2012/13 Q3"),
        ("Quarter 3 (October - December) 2012", "2012/13 Q3"),
        ("Q4 (Jan-Mar) 2012/13", "2012/13 Q4"),
        ("2012/13 third quarter", "2012/13 Q3"),
        ("April to December 2012/13", ""),
        ("3 months to March 2012/13", "2012/13 Q4"),
        ("Quarter ending March 2012/13", "2012/13 Q4"),
    ],
)
def test_a_title_giving_part_of_a_year_is_read_or_refused_never_stored_as_the_year(
    county, tmp_path, title, stored
):
    """Issue 13's fourth sweep: "3 months to December 2012" with the period 2012/13 given by hand stored
    a quarter's figures as the year's. A span the tracker keeps is read from the title (and a period
    given by hand must agree with it); part of a year that is no such period is refused."""
    rows = [[f"Police recorded crime by CSP, {title}"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "part.csv", rows)
    given = import_file(path=path, period="2012/13")
    assert given.status == ImportBatch.Status.FAILED
    assert not MeasureValue.objects.exists()
    batch = import_file(path=path)
    if stored:
        assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
        assert values() == {("violent-crime", "Cherwell", stored): 301}
    else:
        assert batch.status == ImportBatch.Status.FAILED
        assert (
            "part of a year that is not a month, a quarter of the financial year or twelve months"
            in batch.summary["errors"][0]["message"]
        )


def test_a_sheet_named_for_rates_stores_no_rate_as_a_count(county, tmp_path):
    """Session 11's sweep: the sheet "Table 2 rates per 100,000", chosen by name, had its rates stored as
    counts (its title said nothing of rates)."""
    table = [["Police recorded crime by CSP, 2014/15"], ["Area name", VAP], ["Cherwell", 520]]
    path = write_xlsx(tmp_path, "sheets.xlsx", {"Table 1 numbers": table, "Table 2 rates per 100,000": table})
    batch = import_file(path=path, sheet="Table 2 rates per 100,000")
    assert batch.status == ImportBatch.Status.FAILED
    examples = dict(cells(batch, UNIT_MISMATCH)["examples"])
    assert examples == {"Violence against the person (rates, as the sheet's name says)": 1}
    assert import_file(path=path, sheet="Table 1 numbers").status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "2014/15"): 520}


@pytest.mark.parametrize("name", ["prc-csp-2012-13-oct-dec.csv", "csp_2012-13_Q3.csv"])
def test_a_file_named_for_a_quarter_under_a_year_s_title_is_asked_about(county, tmp_path, name):
    """Session 11's sweep: "prc-csp-2023-24-oct-dec.csv" titled "..., 2023/24" was stored as the year."""
    rows = [["Police recorded crime by CSP, 2012/13"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, name, rows)
    asked = import_file(path=path)
    assert asked.summary["needs"] == "period"
    assert asked.summary["question"] == (
        f"The file's name, “{name}”, gives 2012/13 Q3, but its title says 2012/13 (12 months, 1 Apr 2012 to "
        "31 Mar 2013): which period are its figures for?"
    )
    assert import_file(path=path, period="2012/13 Q2").status == ImportBatch.Status.FAILED
    assert import_file(path=path, period="2012/13 Q3").status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "2012/13 Q3"): 301}


@pytest.mark.parametrize("name", ["g5-q13-southvale.csv", "csp-quarters-notes.csv", "csp-2012-13-q5.csv"])
def test_a_file_name_giving_no_period_beside_a_year_s_title_is_not_asked_about(county, tmp_path, name):
    """The regression scan: names with "q13", "q5" or "quarters" and no period were asked about."""
    rows = [["Police recorded crime by CSP, 2012/13"], ["Area name", VAP], ["Cherwell", 301]]
    assert import_file(path=write_rows_csv(tmp_path, name, rows)).status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "2012/13"): 301}


@pytest.mark.parametrize("first", ["rate", "number"])
def test_two_rows_per_area_under_a_merged_area_cell_store_the_number_never_the_rate(county, tmp_path, first):
    """Session 11's sweep: the area's cell merged over a "Rate per 100,000 population" row and a "Number"
    row stored the rates as counts, and dropped the numbers as rows with no area."""
    rate, number = ["Rate per 100,000 population", 310, 77], ["Number", 400, 100]
    pair = [rate, number] if first == "rate" else [number, rate]
    rows = [
        ["Oxfordshire community safety performance, 2012/13 Q3"],
        ["Area", "Measure", VAP, DAMAGE],
        ["Cherwell", *pair[0]],
        [None, *pair[1]],
        ["Oxford", *[cell + 1 if isinstance(cell, int) else cell for cell in pair[0]]],
        [None, *[cell + 1 if isinstance(cell, int) else cell for cell in pair[1]]],
    ]
    batch = import_file(path=write_xlsx(tmp_path, "pairs.xlsx", {"Q3": rows}))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert values() == {
        ("violent-crime", "Cherwell", "2012/13 Q3"): 400,
        ("criminal-damage", "Cherwell", "2012/13 Q3"): 100,
        ("violent-crime", "Oxford", "2012/13 Q3"): 401,
        ("criminal-damage", "Oxford", "2012/13 Q3"): 101,
    }
    assert cells(batch, UNIT_MISMATCH)["count"] == 4


def test_a_rate_per_thousand_in_the_title_is_no_table_in_thousands(county, tmp_path):
    rows = [["Police recorded crime, rate per thousand population"], ["Area name", VAP], ["Cherwell", 8.1]]
    batch = import_file(path=write_rows_csv(tmp_path, "rates.csv", rows), period="2013/14")
    assert not any("thousands" in e["message"] for e in batch.summary["errors"])


@pytest.mark.parametrize(
    "title", ["Quarter ending in December 2012", "Dec 2012", "Three months to end of December 2012"]
)
def test_a_title_naming_a_shorter_period_it_cannot_read_refuses_a_year_given_by_hand(county, tmp_path, title):
    """Issue 13's re-check: the importer could not read these, and took the year given by hand."""
    rows = [[f"Police recorded crime by CSP, {title}"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "short.csv", rows)
    given = import_file(path=path, period="2012/13")
    assert given.status == ImportBatch.Status.FAILED
    assert given.summary["errors"][0]["message"].startswith("The file's title speaks of")
    asked = import_file(path=path, period="2012/13 Q3")  # the period the figures are for
    assert asked.status == ImportBatch.Status.APPLIED, asked.summary["errors"]


def test_a_whole_year_written_april_to_march_is_that_year(county, tmp_path):
    """The last sweep: "2012/13 (April to March)" was not read, and a quarter given by hand was taken."""
    rows = [["Police recorded crime by CSP, 2012/13 (April to March)"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "year.csv", rows)
    quarter = import_file(path=path, period="2012/13 Q4")
    assert quarter.status == ImportBatch.Status.FAILED
    assert quarter.summary["errors"][0]["message"].startswith(
        "The file states its figures are for 2012/13 (12 months, 1 Apr 2012 to 31 Mar 2013), but the period "
        "given is 2012/13 Q4"
    )
    assert import_file(path=path).status == "applied"
    assert import_file(path=path, period="2012/13").status == "applied"
    assert values() == {("violent-crime", "Cherwell", "2012/13"): 301}


@pytest.mark.parametrize(
    "title",
    ["rolling year to Q3 2012/13", "12 months to the end of quarter 3 of 2012-13", "Year ending 2012/13 Q3"],
)
def test_twelve_months_to_a_quarter_are_the_twelve_months_never_the_quarter(county, tmp_path, title):
    """Session 11's sweep: "rolling year to Q3 2023/24" asked for the period and suggested the quarter,
    then stored twelve months' figures as the quarter's."""
    rows = [[f"Police recorded crime by CSP, {title}"], ["Area name", VAP], ["Cherwell", 3010]]
    path = write_rows_csv(tmp_path, "rolling.csv", rows)
    quarter = import_file(path=path, period="2012/13 Q3")
    assert quarter.status == ImportBatch.Status.FAILED
    assert quarter.summary["errors"][0]["message"].startswith(
        "The file states its figures are for 12 months to Dec 2012"
    )
    assert import_file(path=path).status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "12 months to Dec 2012"): 3010}


def test_american_dates_in_a_title_are_refused_with_their_month_first_reading_which_the_person_can_give(
    county, tmp_path
):
    """Session 11 (the last sweep's leftovers): "10/01/2012 - 12/31/2012" was refused as part of a year
    with no word of why: read day first, its second date is no date. Read month first it is a quarter,
    which the person confirms by giving it."""
    rows = [["Police recorded crime by CSP, 10/01/2012 - 12/31/2012"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "us.csv", rows)
    refused = import_file(path=path)
    assert refused.status == ImportBatch.Status.FAILED
    assert refused.summary["errors"][0]["message"].endswith(
        "Read month first, as American dates are written, they are 3 months, 1 Oct 2012 to 31 Dec 2012: if "
        "so, give the period 2012/13 Q3. Nothing was written."
    )
    other = import_file(path=path, period="2012/13 Q2")
    assert other.status == ImportBatch.Status.FAILED
    assert "(the period given is 2012/13 Q2). Read month first" in other.summary["errors"][0]["message"]
    assert import_file(path=path, period="2012/13 Q3").status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "2012/13 Q3"): 301}


@pytest.mark.parametrize(
    "title",
    ["April to March 2012/13", "Apr - Mar 2012-13", "Year ending March 2012/13", "(April - March) 2013"],
)
def test_april_to_march_beside_a_financial_year_is_that_year_not_the_one_before(county, tmp_path, title):
    """Session 11: the months were read with the year's first half ("April 2011 to March 2012")."""
    rows = [[f"Police recorded crime by CSP, {title}"], ["Area name", VAP], ["Cherwell", 301]]
    assert import_file(path=write_rows_csv(tmp_path, "year.csv", rows)).status == "applied"
    assert values() == {("violent-crime", "Cherwell", "2012/13"): 301}


@pytest.mark.parametrize("title", ["2012 Q4", "Q4 2012", "quarter 4 2012"])
def test_a_quarter_of_a_year_written_alone_is_the_one_the_person_says(county, tmp_path, title):
    """The last sweep: "2012 Q4" in a title, with 2012/13 Q4 given by hand, was stored without a word; it
    may be the calendar year's fourth quarter (October to December: 2012/13 Q3). The person says which;
    any other period is refused."""
    rows = [[f"Police recorded crime by CSP, {title}"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "q.csv", rows)
    asked = import_file(path=path)
    assert asked.summary["needs"] == "period"
    assert f"“{title}”, the calendar year's quarter" in asked.summary["question"]  # as the title writes it
    assert (
        "the calendar year's quarter (2012/13 Q3, 3 months, 1 Oct 2012 to 31 Dec 2012) or the financial "
        "year's (2012/13 Q4, 3 months, 1 Jan 2013 to 31 Mar 2013)" in asked.summary["question"]
    )
    for wrong in ("2012/13 Q2", "2012/13", "December 2012"):
        refused = import_file(path=path, period=wrong)
        assert refused.status == ImportBatch.Status.FAILED
        assert "Give the quarter the figures are for" in refused.summary["errors"][0]["message"]
    assert import_file(path=path, period="2012/13 Q3").status == ImportBatch.Status.APPLIED
    assert import_file(path=path, period="2012/13 Q4").status == ImportBatch.Status.APPLIED
    assert values() == {
        ("violent-crime", "Cherwell", "2012/13 Q3"): 301,
        ("violent-crime", "Cherwell", "2012/13 Q4"): 301,
    }


def test_a_title_naming_two_periods_asks_which_and_takes_only_one_of_them(county, tmp_path):
    """The last sweep: "Q4 2012/13 and year ending March 2013" was read as the year."""
    rows = [["Recorded crime, Q4 2012/13 and year ending March 2013"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "two.csv", rows)
    asked = import_file(path=path)
    assert asked.summary["needs"] == "period"
    assert "names two periods, 2012/13 Q4 and 2012/13" in asked.summary["question"]
    refused = import_file(path=path, period="2012/13 Q3")
    assert refused.summary["errors"][0]["message"].startswith(
        "The file's title names two periods, 2012/13 Q4 and 2012/13, and the period given (2012/13 Q3) is "
        "none of them"
    )
    assert import_file(path=path, period="2012/13 Q4").status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "2012/13 Q4"): 301}


def test_a_date_a_title_was_published_on_is_no_shorter_period(county, tmp_path):
    rows = [
        ["Police recorded crime by CSP, published 24 January 2013"],
        ["Area name", VAP],
        ["Cherwell", 301],
    ]
    assert import_file(path=write_rows_csv(tmp_path, "pub.csv", rows), period="2012/13").status == "applied"


def test_population_in_thousands_in_a_title_is_no_table_in_thousands(county, tmp_path):
    rows = [
        ["Police recorded crime by CSP (population figures in thousands)"],
        ["Area name", VAP],
        ["Cherwell", 81],
    ]
    assert import_file(path=write_rows_csv(tmp_path, "pop.csv", rows), period="2013/14").status == "applied"


@pytest.mark.parametrize(
    "title", ["2010/11 Qtr 3", "2012/13 Q 3", "2012/13 H1", "2012/13 period 9", "2012/13 Q0"]
)
def test_a_quarter_or_half_written_otherwise_is_never_read_as_its_year(county, tmp_path, title):
    """The sweep after: these were stored as the whole financial year."""
    rows = [[f"Recorded crime {title}"], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "short.csv", rows)
    assert import_file(path=path).summary["needs"] == "period"
    year = title.split()[0]
    given = import_file(path=path, period=year)
    assert given.status == ImportBatch.Status.FAILED
    assert given.summary["errors"][0]["message"].startswith("The file's title speaks of")
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    "title",
    [
        "Recorded crime Q3 2012/13 and Q3 2011/12",
        "Quarter ending December 2012 compared with quarter ending December 2011",
    ],
)
def test_a_title_naming_two_quarters_asks_which(county, tmp_path, title):
    rows = [[title], ["Area name", VAP], ["Cherwell", 301]]
    path = write_rows_csv(tmp_path, "two.csv", rows)
    asked = import_file(path=path)
    assert asked.summary["needs"] == "period"
    assert "names two periods, 2012/13 Q3 and 2011/12 Q3" in asked.summary["question"]
    assert import_file(path=path, period="2011/12 Q3").status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "2011/12 Q3"): 301}


def test_a_title_naming_a_quarter_and_twelve_months_asks_which(county, tmp_path):
    rows = [["Recorded crime, quarter ending December 2012"], ["Rolling 12 months"], ["Area name", VAP]]
    path = write_rows_csv(tmp_path, "q12.csv", [*rows, ["Cherwell", 301]])
    asked = import_file(path=path)
    assert asked.summary["needs"] == "period"
    assert "names 2012/13 Q3 and twelve months" in asked.summary["question"]
    refused = import_file(path=path, period="2012/13 Q2")
    assert refused.status == ImportBatch.Status.FAILED
    assert import_file(path=path, period="year ending December 2012").status == ImportBatch.Status.APPLIED
    assert values() == {("violent-crime", "Cherwell", "12 months to Dec 2012"): 301}


@pytest.mark.parametrize(
    "title, name",
    [
        ("Recorded crime, year ending December 2012", "ours.csv"),
        ("Recorded crime, rolling 12 months", "ours.csv"),
        ("", "recorded crime year ending December 2012.csv"),
    ],
)
def test_our_template_under_a_twelve_month_title_stores_no_quarter(county, tmp_path, title, name):
    """The sweep after: our long template under "year ending December 2012" stored its rows' quarter."""
    rows = [
        ["area", "measure or offence", "period", "value"],
        ["Cherwell", "Violent crime", "2012/13 Q3", 301],
    ]
    batch = import_file(path=write_rows_csv(tmp_path, name, [[title], *rows] if title else rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert (
        "a twelve-month figure is never stored as a month or a quarter"
        in batch.summary["errors"][0]["message"]
    )
    assert not MeasureValue.objects.exists()


def test_the_command_line_suggests_a_period_the_question_names(county, tmp_path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    rows = [["Recorded crime Q3 2012/13 and Q3 2011/12"], ["Area name", VAP], ["Cherwell", 301]]
    with pytest.raises(
        CommandError, match='with --period "2012/13 Q3" or --period "2011/12 Q3". Nothing was imported'
    ):
        call_command(
            "import_performance", str(write_rows_csv(tmp_path, "two.csv", rows)), stdout=io.StringIO()
        )
    rows[0] = ["Recorded crime"]
    with pytest.raises(CommandError, match='e.g. --period "year ending December 2024"'):
        call_command(
            "import_performance", str(write_rows_csv(tmp_path, "one.csv", rows)), stdout=io.StringIO()
        )


# --- sweep 13's messages -------------------------------------------------------------------------------


def test_a_blank_quarter_beside_its_year_says_the_quarter_is_blank(county, tmp_path):
    text = "Financial Year,Financial Quarter,CSP Name,Offence Group,Number of Offences\n"
    text += (
        "2023/24,1,Cherwell,Violence against the person,5\n2023/24,,Cherwell,Violence against the person,6\n"
    )
    batch = import_file(path=write_csv(tmp_path, "blank.csv", text))
    error = batch.summary["errors"][0]
    assert (error["row"], error["cell"]) == (3, "column B (Financial Quarter)")
    assert error["message"].startswith("The quarter is blank (the year is “2023/24”): give the row's quarter")
    assert not MeasureValue.objects.exists()


def test_a_hidden_sheet_is_read_only_when_chosen(county, tmp_path):
    from openpyxl import load_workbook

    table = [["Area name", VAP], ["Cherwell", 5]]
    path = write_xlsx(
        tmp_path, "hidden.xlsx", {"Old": [["Year ending March 2023"], *table], "Current": table}
    )
    book = load_workbook(path)
    book["Old"].sheet_state = "hidden"
    book.save(path)
    batch = import_file(path=path, dry_run=True, period="2023/24")
    assert batch.summary["sheet"] == "Current" and batch.error_count == 0, batch.summary["errors"]
    assert "Hidden sheets not read: Old (to import one, choose it by name)." in batch.summary["notices"]
    batch = import_file(path=path, dry_run=True, sheet="old")
    assert batch.summary["sheet"] == "Old" and batch.error_count == 0, batch.summary["errors"]


def test_quarters_of_a_year_written_alone_over_columns_are_asked_to_be_written_as_the_financial_year_s(
    county, tmp_path
):
    rows = [["Violence against the person"], ["Area name", "2023 Q2", "2023 Q3"], ["Cherwell", 5, 6]]
    batch = import_file(path=write_xlsx(tmp_path, "q.xlsx", {"Violence against the person": rows}))
    messages = [e["message"] for e in batch.summary["errors"]]
    assert len(messages) == 2 and not MeasureValue.objects.exists()
    assert messages[0].startswith(
        "“2023 Q2” over this column could be the calendar year's quarter (2023/24 Q1, 3 months, 1 Apr 2023 "
        "to 30 Jun 2023) or the financial year's (2023/24 Q2"
    )


def test_offence_codes_alone_are_refused_saying_names_are_needed(county, tmp_path):
    text = "Financial Year,Financial Quarter,Force Name,CSP Name,Offence Code,Number of Offences\n"
    text += "2023/24,1,Thames Valley,Cherwell,8N,425\n"
    batch = import_file(path=write_csv(tmp_path, "codes.csv", text))
    assert batch.summary["errors"][0]["message"].startswith(
        "This table names each offence by its Home Office code alone (“Offence Code”)"
    )


def test_the_command_line_says_which_table_when_it_asks_for_a_sheet(county, tmp_path):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    table = [["Area name", VAP], ["Cherwell", 5]]
    path = write_xlsx(tmp_path, "two.xlsx", {"2022-23": table, "2023-24": table})
    out = StringIO()
    with pytest.raises(CommandError, match="several tables"):
        call_command("import_performance", str(path), "--dry-run", stdout=out)
    assert out.getvalue().startswith("two.xlsx: which table?")
