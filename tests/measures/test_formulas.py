"""One rule for formula-like text: downloads and the import template escape it, the importer refuses it."""

import csv
import io
from decimal import Decimal

import pytest

from dashboards.exports import export_response, safe_cell
from measures.importing.validate import is_formula, parse_value
from measures.models import ImportBatch, Measure, MeasureValue
from measures.resources import import_template_dataset
from measures.services import import_file
from partnerships.formulas import FORMULA_STARTS, escape_formula, looks_like_formula
from tests import factories
from tests.measures.conftest import write_csv

HEADER = "area,measure or offence,period,value\n"


def test_the_rule_covers_equals_plus_minus_at_tab_and_carriage_return():
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_is_escaped_with_an_apostrophe(start):
    assert looks_like_formula(f"{start}SUM(A1)")
    assert escape_formula(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


@pytest.mark.parametrize("text", ["Cherwell", "a=b", "5-3", "'=1", "", " =1"])
def test_other_text_is_left_as_it_is(text):
    assert not looks_like_formula(text)
    assert escape_formula(text) == text


@pytest.mark.parametrize("value", [-5, 5, -2.5, Decimal("-5"), None, True])
def test_numbers_and_other_values_are_left_as_they_are(value):
    assert not looks_like_formula(value)
    assert escape_formula(value) is value


def test_a_download_escapes_minus_five_written_as_text_but_keeps_numbers_as_numbers():
    assert safe_cell("-5") == "'-5"
    assert safe_cell(-5) == -5
    assert safe_cell(Decimal("-5")) == -5 and isinstance(safe_cell(Decimal("-5")), int)
    assert safe_cell(Decimal("-2.5")) == -2.5


def test_a_download_escapes_a_value_whose_text_looks_like_a_formula():
    class Named:
        def __str__(self):
            return "=HYPERLINK(1)"

    assert safe_cell(Named()) == "'=HYPERLINK(1)"


def test_a_csv_download_writes_formula_like_text_escaped_and_numbers_plain():
    rows = [{"name": "\r=cmd", "note": "-5", "figure": Decimal("-5")}]
    columns = [("name", "Name"), ("note", "Note"), ("figure", "Figure")]
    response = export_response(rows, columns, "csv", "Test table")
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row == {"Name": "'\r=cmd", "Note": "'-5", "Figure": "-5"}


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "\t=1+1", "-Anywhere"])
def test_the_import_template_escapes_an_area_or_measure_name_that_looks_like_a_formula(db, name):
    factories.AreaFactory(name=name)
    factories.MeasureFactory(name="@Burglary")
    example = import_template_dataset()[2]
    assert (example[0], example[2]) == (f"'{name}", "'@Burglary")


@pytest.mark.parametrize("cell", ["=1+1", "@A1", "+1+1", "=5"])
def test_the_importer_refuses_a_value_that_is_a_formula(cell):
    value, problem = parse_value(cell)
    assert value is None and "formulas are refused" in problem


@pytest.mark.parametrize(
    ("cell", "expected"), [("-5", Decimal(-5)), ("+5", Decimal(5)), ("- 5", Decimal(-5))]
)
def test_the_importer_reads_a_signed_number_as_a_number(cell, expected):
    assert parse_value(cell) == (expected, "")


def test_the_importer_reads_a_lone_minus_as_suppressed_and_other_minus_text_as_not_a_number():
    assert parse_value("-") == (None, "")
    assert parse_value("-2+3") == (None, "“-2+3” is not a number")


@pytest.mark.parametrize("text", ["=Cherwell", "+Cherwell", "-Cherwell", "@Cherwell"])
def test_the_importer_refuses_an_identifying_cell_that_looks_like_a_formula(text):
    assert is_formula(text)


def test_the_importer_does_not_take_a_lone_sign_for_a_formula():
    assert not any(is_formula(start) for start in FORMULA_STARTS)


def test_an_import_refuses_equals_one_plus_one_and_writes_nothing(county, tmp_path):
    text = HEADER + "Cherwell,Violent crime,2011/12,5\nOxford,Violent crime,2011/12,=1+1\n"
    batch = import_file(path=write_csv(tmp_path, "formula.csv", text))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"] == "The value starts with “=”: formulas are refused"
    assert MeasureValue.objects.count() == 0


def test_an_import_reads_minus_five_and_plus_five_as_numbers(county, tmp_path):
    # Issue 13 changed this: -5 still reads as minus five (not a formula), but a negative *count* is
    # refused with its row and cell; a measure in percentages takes it.
    text = HEADER + "Cherwell,Violent crime,2011/12,-5\nOxford,Violent crime,2011/12,+5\n"
    batch = import_file(path=write_csv(tmp_path, "signed.csv", text))
    assert batch.status == ImportBatch.Status.FAILED
    assert "-5 is a negative count" in batch.summary["errors"][0]["message"]
    assert MeasureValue.objects.count() == 0
    county.violent.unit = Measure.Unit.PERCENT
    county.violent.aggregation = Measure.Aggregation.POPULATION_WEIGHTED
    county.violent.save()
    batch = import_file(path=write_csv(tmp_path, "signed.csv", text))
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary["errors"]
    assert sorted(MeasureValue.objects.values_list("value", flat=True)) == [-5, 5]


def test_an_import_refuses_an_area_that_hides_a_formula_behind_a_tab(county, tmp_path):
    text = HEADER + '"\t=cmd",Violent crime,2011/12,5\n'
    batch = import_file(path=write_csv(tmp_path, "tab.csv", text))
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.summary["errors"][0]["message"] == "“=cmd” starts with “=”: formulas are refused"
