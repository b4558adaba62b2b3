"""The importer's cell checks and its record of what a pass found (measures/importing/validate.py), called
directly: every kind of cell a spreadsheet can hold, and each way a row is counted (used, skipped, blank)
or refused. The importer's own tests read whole files; these pin each rule on its own, quickly."""

import datetime
from decimal import Decimal

import pytest

from measures.importing.validate import (
    DECIMAL_COMMA,
    FORMULA_FAILED,
    MAX_ERRORS_KEPT,
    SPACED,
    PassResult,
    Percentage,
    column_letter,
    formula_refused,
    is_formula,
    parse_value,
    text_of,
)
from measures.importing.xlsx import Percent


@pytest.mark.parametrize(
    "cell, expected",
    [
        (None, (None, "")),
        ("", (None, "")),
        ("   ", (None, "")),
        (0, (0, "")),
        (17, (17, "")),
        (-3, (-3, "")),  # an int is read as it is; the pass refuses negative counts itself
        (12.0, (12, "")),
        (2.5, (Decimal("2.5"), "")),
        (0.1, (Decimal("0.1"), "")),  # from its shortest repr, not the binary float
        ("42", (42, "")),
        (" 42 ", (42, "")),
        ("007", (7, "")),
        ("1,234", (Decimal(1234), "")),
        ("1 234", (Decimal(1234), "")),
        ("1\u00a0234", (Decimal(1234), "")),
        ("1\u202f234", (Decimal(1234), "")),  # a narrow no-break space, as French and SI style write
        ("12 345 678.5", (Decimal("12345678.5"), "")),
        ("1 234 (p)", (Decimal(1234), "")),
        # Spaces between digits that are not thousands: two figures in a cell, or a slip (sweep 12)
        ("1234 1235", (None, f"“1234 1235” {SPACED}")),
        ("1 2", (None, f"“1 2” {SPACED}")),
        ("45 67", (None, f"“45 67” {SPACED}")),
        ("1 234 5", (None, f"“1 234 5” {SPACED}")),
        ("1 2 345", (None, f"“1 2 345” {SPACED}")),  # thousands after a slip are no figure either
        ("12 345.6 7", (None, f"“12 345.6 7” {SPACED}")),
        ("1_234", (None, "“1_234” is not a number")),  # Python's own reading, never a publisher's
        ("'1234", (Decimal(1234), "")),  # Excel's text mark
        ("'", (None, "“'” is not a number")),
        ("12.5", (Decimal("12.5"), "")),
        ("-5", (Decimal(-5), "")),
        ("+5", (Decimal(5), "")),
        ("1e3", (Decimal("1e3"), "")),
        ("45 [note 3]", (Decimal(45), "")),
        ("[x]", (None, "")),
        ("[X]", (None, "")),
        ("[c]", (None, "")),
        ("..", (None, "")),
        (":", (None, "")),
        ("-", (None, "")),
        ("–", (None, "")),
        ("n/a", (None, "")),
        ("N/A", (None, "")),
        ("#N/A", (None, f"“#N/A” {FORMULA_FAILED}")),  # a failed lookup: never read as missing
        ("#DIV/0!", (None, f"“#DIV/0!” {FORMULA_FAILED}")),
        ("#REF!", (None, f"“#REF!” {FORMULA_FAILED}")),
        ("#name?", (None, f"“#name?” {FORMULA_FAILED}")),
        ("Err:502", (None, f"“Err:502” {FORMULA_FAILED}")),  # LibreOffice's
        ("#5", (None, "“#5” is not a number")),
        ("12,5", (None, f"“12,5” {DECIMAL_COMMA}")),  # a decimal comma: never 125
        ("55%", (Percentage("55"), "")),  # a percentage written as text: 55, and never a count
        ("27.5 %", (Percentage("27.5"), "")),
        ("%", (None, "“%” is not a number")),
        (Percent(0.274), (Percentage("27.4"), "")),  # a cell shown as a percentage: as shown
        (Percent(float("nan")), (None, "is not a number")),
        ("1,23", (None, f"“1,23” {DECIMAL_COMMA}")),
        ("1,2345", (None, f"“1,2345” {DECIMAL_COMMA}")),
        ("12,345.5", (Decimal("12345.5"), "")),
        ("1,234,567", (Decimal(1234567), "")),
        ("[note 1]", (None, "")),  # only a note marker: nothing there
        ("[x] [note 2]", (None, "")),
        ("x [note 2]", (None, "")),
        (True, (None, "is TRUE/FALSE, not a number")),
        (False, (None, "is TRUE/FALSE, not a number")),
        (float("nan"), (None, "is not a number")),
        (float("inf"), (None, "is not a number")),
        (float("-inf"), (None, "is not a number")),
        (datetime.date(2024, 6, 1), (None, "is a date, not a number")),
        (datetime.datetime(2024, 6, 1, 9), (None, "is a date, not a number")),
        (datetime.time(9, 30), (None, "is a date, not a number")),
        (datetime.timedelta(days=1), (None, "is a date, not a number")),
        ("=SUM(A1:A3)", (None, "starts with “=”: formulas are refused")),
        ("@A1", (None, "starts with “@”: formulas are refused")),
        ("+A1", (None, "“+A1” starts with “+”: formulas are refused")),
        ("-A1", (None, "“-A1” is not a number")),
        ("twelve", (None, "“twelve” is not a number")),
        ("12 apples", (None, "“12 apples” is not a number")),
        ("²", (None, "“²” is not a number")),
        ("Infinity", (None, "is not a number")),
        ("NaN", (None, "is not a number")),
        ("x" * 50, (None, f"“{'x' * 40}” is not a number")),
    ],
)
def test_parse_value(cell, expected):
    value, problem = parse_value(cell)
    assert (value, problem) == expected
    assert type(value) is type(expected[0])


@pytest.mark.parametrize(
    "cell, expected",
    [
        (None, ""),
        ("", ""),
        ("  Cherwell ", "Cherwell"),
        (7, "7"),
        (7.0, "7"),
        (7.5, "7.5"),
        ("E07000177", "E07000177"),
    ],
)
def test_text_of(cell, expected):
    assert text_of(cell) == expected


@pytest.mark.parametrize(
    "text, refused",
    [
        ("=A1", True),
        ("+A1", True),
        ("-A1", True),
        ("@SUM", True),
        ("\tx", True),
        ("\rx", True),
        ("-", False),  # a lone sign runs nothing: read on (a suppression marker)
        ("=", False),
        ("+", False),
        ("", False),
        ("Cherwell", False),
        ("Burglary - residential", False),
    ],
)
def test_is_formula(text, refused):
    assert is_formula(text) is refused


def test_formula_refused_names_the_cell_and_its_first_character():
    assert formula_refused("=HYPERLINK(x)") == "“=HYPERLINK(x)” starts with “=”: formulas are refused"
    assert formula_refused("=" + "A" * 60) == f"“={'A' * 39}” starts with “=”: formulas are refused"


@pytest.mark.parametrize(
    "index, letters",
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
    ],
)
def test_column_letter(index, letters):
    assert column_letter(index) == letters


def test_errors_are_counted_all_and_kept_up_to_the_limit():
    result = PassResult()
    for row in range(MAX_ERRORS_KEPT + 5):
        result.error(row + 2, "B", "bad")
    assert result.error_count == MAX_ERRORS_KEPT + 5
    assert len(result.errors) == MAX_ERRORS_KEPT
    assert result.errors[0] == {"row": 2, "cell": "B", "message": "bad"}
    assert result.errors[-1]["row"] == MAX_ERRORS_KEPT + 1


def test_an_error_naming_a_line_offers_it_for_mapping():
    result = PassResult()
    result.error(3, "C", "not mapped", label="Cyber stalking")
    result.error(4, "C", "not mapped", label="Cyber stalking")
    result.error(5, "D", "bad value")
    assert result.unknown_labels == {"Cyber stalking": 2}
    assert result.error_count == 3


def test_skipped_rows_are_counted_by_reason_with_examples():
    result = PassResult()
    result.skip("Not ours", "Kent")
    result.skip("Not ours", "Kent", n=2)
    result.skip("Not ours")
    result.skip("Subtotals", "Thames Valley")
    assert result.skipped == {"Not ours": 4, "Subtotals": 1}
    assert result.examples["Not ours"] == {"Kent": 3}
    assert result.examples["Subtotals"] == {"Thames Valley": 1}


def test_cells_left_out_are_counted_apart_from_rows_with_at_most_fifty_examples():
    result = PassResult()
    for i in range(60):
        result.note_cells("Suppressed", f"cell {i}")
    result.note_cells("Suppressed", "cell 0", n=4)  # an example already kept is counted on
    result.note_cells("Suppressed", "cell 59")  # a new one past the limit is not kept
    result.note_cells("Partial")
    assert result.cells == {"Suppressed": 65, "Partial": 1}
    assert len(result.cell_examples["Suppressed"]) == 50
    assert result.cell_examples["Suppressed"]["cell 0"] == 5
    assert "cell 59" not in result.cell_examples["Suppressed"]
    assert "Partial" not in result.cell_examples
    assert result.skipped == {} and result.rows_read == 0


def test_blank_rows_are_neither_read_nor_skipped():
    result = PassResult()
    result.blank()
    result.blank("Instruction lines")
    assert result.blank_rows == 2
    assert (result.rows_read, sum(result.skipped.values())) == (0, 0)


def test_a_choice_is_asked_as_a_question_not_an_error():
    result = PassResult()
    result.ask("sheet", "Which sheet holds the table?")
    assert (result.needs, result.question, result.error_count) == ("sheet", "Which sheet holds the table?", 0)


def test_a_new_pass_result_starts_empty():
    result = PassResult()
    assert (result.layout, result.sheet, result.needs, result.question, result.period_note) == ("",) * 5
    assert (
        result.rows_read,
        result.values_read,
        result.rows_used,
        result.blank_rows,
        result.error_count,
    ) == (0,) * 5
    assert result.errors == [] and result.notices == [] and result.figure_count == 0 and result.periods == []
    assert PassResult().errors is not result.errors  # nothing shared between passes
