"""Bad files get a clear message, never a 500, and nothing is written."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from measures.importing.validate import NO_RESULT, parse_value
from measures.models import ImportBatch, MeasureValue
from measures.services import import_file
from tests.measures.conftest import write_csv, write_xlsx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def xlsx_bytes(tmp_path) -> bytes:
    return write_xlsx(
        tmp_path, "good.xlsx", {"Data": [["area", "measure or offence", "period", "value"]]}
    ).read_bytes()


def bad_files(tmp_path):
    good = xlsx_bytes(tmp_path)
    not_zip = io.BytesIO()
    with zipfile.ZipFile(not_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return {
        "empty": (b"", "empty"),
        "blank lines only": (b"\n\n  \n", "empty"),
        "an image": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not a spreadsheet"),
        "a zip of other things": (not_zip.getvalue(), "holds no CSV file"),
        "a truncated xlsx": (good[: len(good) // 2], "damaged"),
        "a password-protected xlsx": (
            OLE_MAGIC + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 1024,
            "password-protected",
        ),
        "wrong columns": (b"name,colour,size\nCherwell,red,3\n", "No header row found"),
        "no header row": (b"Police recorded crime\nA note\n\n1,2,3\n", "No header row found"),
        "a data.police.uk outcomes file": (
            b"Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
            b"Outcome type\nab12,2018-06,Thames Valley Police,Thames Valley Police,-1.2,51.7,On or near Park,"
            b"E01028594,Oxford 001A,Under investigation\n",
            "data.police.uk outcomes file",
        ),
        "a web page saved as a spreadsheet": (
            b"<html><head><meta charset='utf-8'><title>Crime by CSP</title></head><body><table><tr><td>Area"
            b"</td><td>Robbery</td></tr><tr><td>Cherwell</td><td>5</td></tr></table></body></html>",
            "This is a web page (HTML), not a spreadsheet",
        ),
        "a PDF": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "This is a PDF, not a spreadsheet"),
        "a data.police.uk stop and search file": (
            b"Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
            b"Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome\n"
            b"Person search,2018-06-01T10:00:00+00:00,,,51.7,-1.2,Male,18-24,,,Misuse of Drugs Act 1971 "
            b"(section 23),Controlled drugs,Arrest\n",
            "stop and search file",
        ),
    }


CASES = ["empty", "blank lines only", "an image", "a zip of other things", "a truncated xlsx",
         "a password-protected xlsx", "wrong columns", "no header row", "a data.police.uk outcomes file",
         "a data.police.uk stop and search file", "a web page saved as a spreadsheet", "a PDF"]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_bad_file_on_the_command_line_gives_a_clear_error_and_writes_nothing(county, tmp_path, case):
    content, message = bad_files(tmp_path)[case]
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    batch = import_file(path=path)
    assert batch.status == ImportBatch.Status.FAILED
    assert message in batch.summary["errors"][0]["message"]
    assert MeasureValue.objects.count() == 0


@pytest.mark.parametrize("case", CASES)
def test_bad_file_uploaded_in_the_browser_gives_a_clear_message_not_a_500(client, county, tmp_path, case):
    content, message = bad_files(tmp_path)[case]
    client.force_login(county.admin)
    upload = io.BytesIO(content)
    upload.name = "figures.xlsx"
    response = client.post(reverse("measures:imports"), {"file": upload}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    if case == "empty":  # refused by the form, before any batch is made
        assert "file is empty." in text
    else:
        assert message in text
        assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert MeasureValue.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client, county, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(county.admin)
    upload = io.BytesIO(
        b"area,measure or offence,period,value\n" + b"Cherwell,Violent crime,2011/12,1\n" * 10
    )
    upload.name = "big.csv"
    response = client.post(reverse("measures:imports"), {"file": upload})
    assert response.status_code == 200
    assert "the limit is 100" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("cell", "column"),
    [("=HYPERLINK(\"http://evil\")", "area"), ("+cmd|' /C calc'!A0", "area"), ("-2+3", "measure or offence"),
     ("@SUM(1)", "period"), ("=1+1", "value"), ("@A1", "value"), ("+1+1", "value")],
)  # fmt: skip
def test_cells_that_start_like_formulas_are_errors_with_their_row_and_cell(county, tmp_path, cell, column):
    row = {"area": "Cherwell", "measure or offence": "Violent crime", "period": "2011/12", "value": "5"}
    row[column] = cell
    text = "area,measure or offence,period,value\nOxford,Violent crime,2011/12,9\n"
    text += ",".join(
        f'"{v}"' if "," in v or '"' in v else v for v in (x.replace('"', '""') for x in row.values())
    )
    batch = import_file(path=write_csv(tmp_path, "formula.csv", text + "\n"))
    assert batch.status == ImportBatch.Status.FAILED
    error = batch.summary["errors"][0]
    assert error["row"] == 3
    assert column.split()[0] in error["cell"] or column == "value" and "value" in error["cell"]
    assert "formula" in error["message"] or "not a number" in error["message"]
    assert MeasureValue.objects.count() == 0  # the good row before it is not written either


def test_a_negative_count_is_refused_with_its_row_and_cell_not_called_a_formula(county, tmp_path):
    # Issue 13 changed this: -5 was stored; a count below zero is now refused (and is not a formula).
    text = "area,measure or offence,period,value\nCherwell,Violent crime,2011/12,-5\n"
    batch = import_file(path=write_csv(tmp_path, "negative.csv", text))
    assert batch.status == ImportBatch.Status.FAILED
    error = batch.summary["errors"][0]
    assert (error["row"], error["cell"]) == (2, "column D (value)")
    assert error["message"] == "The value -5 is a negative count: a count of crimes cannot be below zero"
    assert not MeasureValue.objects.exists()


def test_unknown_offence_and_period_for_our_area_are_errors_with_row_and_cell(county, tmp_path):
    text = (
        "area,measure or offence,period,value\n"
        "Cherwell,Violent crime,2011/12,1\n"
        "Cherwell,Cyber stalking,2011/12,2\n"
        "Cherwell,Violent crime,last summer,3\n"
        "Kent,Cyber stalking,last summer,4\n"  # not ours: skipped, not an error
    )
    batch = import_file(path=write_csv(tmp_path, "unknown.csv", text))
    errors = [(e["row"], e["cell"]) for e in batch.summary["errors"]]
    assert errors == [(3, "column B (measure or offence)"), (4, "column C (period)")]
    assert batch.summary["unknown_labels"] == ["Cyber stalking"]
    assert MeasureValue.objects.count() == 0


def test_period_cells_by_their_quarter_are_read_and_a_quarter_of_a_bare_year_is_asked_to_be_written_out(
    county, tmp_path
):
    """Session 11: "Quarter ending December 2012" and "Jan-Mar 2012/13" in the template's period column
    were refused as unknown; "Q3 2012" is the calendar year's or the financial year's quarter, and the
    message says how to write it."""
    text = (
        "area,measure or offence,period,value\n"
        "Cherwell,Violent crime,Quarter ending December 2012,1\n"
        "Oxford,Violent crime,Jan-Mar 2012/13,2\n"
        "West Oxfordshire,Violent crime,Year ending March 2012/13,4\n"  # was read as 2011/12
    )
    batch = import_file(path=write_csv(tmp_path, "quarters.csv", text))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    stored = {(v.area.name, v.period.label): v.value for v in MeasureValue.objects.all()}
    assert stored == {
        ("Cherwell", "2012/13 Q3"): 1,
        ("Oxford", "2012/13 Q4"): 2,
        ("West Oxfordshire", "2012/13"): 4,
    }
    refused = import_file(path=write_csv(tmp_path, "q.csv", text + "Cherwell,Violent crime,Q3 2012,3\n"))
    assert refused.status == ImportBatch.Status.FAILED
    assert [e["message"] for e in refused.summary["errors"]] == [
        "“Q3 2012” could be the calendar year's quarter (2012/13 Q2) or the financial year's (2012/13 Q3): "
        "write the financial year's quarter, for example “2012/13 Q3”"
    ]


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("007", (7, "")),
        # Session 11's sweep: a figure marked revised, provisional or with a footnote was refused.
        ("1000r", (Decimal(1000), "")),
        ("1000 (p)", (Decimal(1000), "")),
        ("1,000*", (Decimal(1000), "")),
        ("1000\u00b9", (Decimal(1000), "")),
        ("r", (None, "“r” is not a number")),
        (" 1,234 ", (Decimal(1234), "")),
        (12.0, (12, "")),
        (2.5, (Decimal("2.5"), "")),
        ("²", (None, "“²” is not a number")),  # a digit to str.isdigit(), not to int()
        ("-", (None, "")),
    ],
)
def test_whole_numbers_are_read_as_int_and_other_digits_are_refused(cell, expected):
    value, problem = parse_value(cell)
    assert (value, problem) == expected
    assert type(value) is type(expected[0])


def test_a_formula_with_no_saved_result_is_an_error_naming_its_cell_not_a_missing_figure(county, tmp_path):
    # openpyxl (like other programs that write files without a spreadsheet) saves a formula with no result:
    # it used to be read as a blank, so a measure's figure went missing without a word.
    rows = [["area", "measure or offence", "period", "value"], ["Oxford", "Violent crime", "2011/12", 9]]
    rows.append(["Cherwell", "Violent crime", "2011/12", "=4+1"])
    batch = import_file(path=write_xlsx(tmp_path, "formula.xlsx", {"Data": rows}))
    assert batch.status == ImportBatch.Status.FAILED
    [error] = batch.summary["errors"]
    assert (error["row"], error["cell"]) == (3, "D3")
    assert error["message"] == f"The value holds the formula “=4+1” with no saved result: {NO_RESULT}"
    assert not MeasureValue.objects.exists()


def test_a_column_of_formulas_with_no_saved_results_is_not_taken_for_a_column_of_notes(county, tmp_path):
    header = ["Area code", "Area name", "Robbery", "Violent and robbery"]
    rows = [header, ["E07000177", "Cherwell", 5, "=C2+1"], ["E07000178", "Oxford", 9, "=C3+1"]]
    batch = import_file(path=write_xlsx(tmp_path, "wide.xlsx", {"Data": rows}), period="2011/12")
    assert batch.status == ImportBatch.Status.FAILED
    assert [e["message"] for e in batch.summary["errors"]] == [
        "The column “Violent and robbery” is not mapped to any measure: map it (or mark it not used) on the "
        "mappings page"
    ]
