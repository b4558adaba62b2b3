"""Checking cells, and keeping the errors and skipped rows a pass finds.

``parse_value`` reads a figure, ``text_of`` an identifying cell; ``is_formula`` says whether an
identifying cell must be refused as a formula. ``PassResult`` holds what one pass found, and the
reasons below are the headings skipped rows are counted under.
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from measures.importing.xlsx import NoResult, Percent, PercentAsShown
from partnerships.formulas import looks_like_formula

MAX_ERRORS_KEPT = 200
MAX_EXAMPLES = 12
MAX_NAMES_KEPT = 2_000  # distinct examples (area names, labels) counted per reason; the rest count once
MAX_VALUE = Decimal("9999999999")  # DecimalField(max_digits=14, decimal_places=4)

SUPPRESSED = {
    "[x]",
    "[u]",
    "[c]",
    "[z]",
    "[low]",
    "[w]",
    ":",
    "..",
    "x",
    "-",
    "–",
    "—",
    "*",
    "n/a",
    "na",
}
# What a spreadsheet shows where a formula failed (Excel's error values, LibreOffice's "Err:502"): a figure
# that could not be worked out, perhaps a lookup that lost its area, so an error, never a missing value.
SPREADSHEET_ERROR = re.compile(
    r"#(NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!)"
    r"|Err:\d{3}",
    re.IGNORECASE,
)
FORMULA_FAILED = (
    "is a spreadsheet error, not a figure: the formula behind it could not be worked out. Put the figure "
    "in, or leave the cell blank if it is not known."
)
NO_RESULT = (
    "the file was written by a program that does not work formulas out. Open it in Excel or LibreOffice, "
    "save it, and import it again."
)
DECIMAL_COMMA = (
    "is not a number: a comma separates thousands (“1,234”); write a decimal with a point (“12.5”)"
)
# Thousands separated by commas, as the ONS writes them: "1,234", "12,345.6".
GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# Spaces (ordinary, no-break, narrow no-break, thin) between digits: only thousands, "1 234" or
# "12 345 678.5", and only in the cell's one number (its mark after it: "1 234 (p)").
SPACE = re.compile(r"[ \u00a0\u202f\u2009]")
DIGIT_GAP = re.compile(r"\d[ \u00a0\u202f\u2009]+\d")
SPACE_GROUPED = re.compile(
    r"[+-]?\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:\.\d+)?(?![ \u00a0\u202f\u2009]*[\d.])"
)
SPACED = "is not a number: a space may separate thousands (“1 234”), not figures or other digits"


class Percentage(Decimal):
    """A figure read from a cell shown as a percentage: never a count of crimes."""


class PercentageAsShown(Percentage):
    """A figure shown with a "%" its cell's format writes as text ("300%"): a percentage, never a count,
    but the number as it is (nothing typed into a percentage cell was multiplied by 100)."""


# A figure may start with a sign ("-5", "+5"): parse_value refuses it only when it does not read as a number.
SIGNS = ("+", "-")
PERIOD_EXAMPLES = "e.g. 2023/24, 2023/24 Q1, June 2024, year ending December 2024"
UNMAPPED = "is not mapped to any measure: map it (or mark it not used) on the mappings page"
NO_LOCATION = "Crimes with no location (no LSOA), not counted"
# A row giving an LSOA's code but not its name, which says the district ("Cherwell 001A"): not data.police.uk
# as published (a code comes with its name, or neither does), so an edited file; not counted either.
NO_LSOA_NAME = "Crimes with an LSOA code but a blank LSOA name (the name says the district), not counted"
# data.police.uk publishes British Transport Police's crimes (on the railways) in files of their own, beside
# the territorial forces' files for the same months and places. Recorded crime for a district is the
# territorial force's (the ONS tables by partnership leave the BTP out), so counting them would replace a
# district's month with its railway crimes.
TRANSPORT_POLICE = "British Transport Police"
TRANSPORT_POLICE_REASON = (
    "British Transport Police crimes (on the railways): not counted in a district's recorded crime"
)
IGNORED = "Lines no measure uses (marked “not used” in the mapping)"
UNUSED = "Lines the offence classification knows, not used by any measure"
NEGATIVE = "is a negative count: a count of crimes cannot be below zero"
NOT_WHOLE = (
    "counted in whole numbers: is this a rate or a percentage? Import the numbers instead, or mark the line "
    "not used for this measure (--ignore on the command line, “not used” on the mappings page)."
)
TOO_LARGE = f"is too large to store (figures are at most {MAX_VALUE:,})"
SUPPRESSED_REASON = "Suppressed or missing values ([x], [u], :, .., blank): read as missing, not zero"
PARTIAL = "Measures not stored because one of their lines is missing for that area and period"
UNIT_MISMATCH = "Rates or percentages not imported into measures counted in numbers"
CHANGES = "Changes between periods (“% change”), not figures: not imported"
SUMS = "Sums of the other columns (“Total”, “Year to date”), not lines of their own: not imported"
TEXT_ONLY = "Columns of text with no figure in our areas' rows (notes, groupings): not imported"
NOT_DATA = "Blank, title or note rows"
NO_AREA = "Rows with figures but no area name or code (totals, notes): not ours to count"
NO_FIGURES = (
    "Rows for our areas with no figure to store (each cell suppressed, blank, or left out: see the cells "
    "below)"
)
THIN_MONTH = "Crimes of a month with too few of them to be that month's whole file (see the notes below)"
NOT_STORED = (
    "Rows whose figures are not stored (a line of the measure is missing there: see the cells and notes "
    "below)"
)
INSTRUCTIONS = "Instruction lines (from our template)"


@dataclass
class Options:
    layout: str = ""
    period: str = ""
    sheet: str = ""
    # The name the file was given (an upload is kept under another): "...-12-months-..." says what
    # its figures are even when its title does not.
    file_name: str = ""


@dataclass
class PassResult:
    layout: str = ""
    sheet: str = ""
    rows_read: int = 0
    values_read: int = 0
    figure_count: int = 0  # figures the file gives (staged in the database: ``totals``)
    periods: list = field(default_factory=list)  # period index -> PeriodKey
    skipped: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=lambda: defaultdict(Counter))
    errors: list = field(default_factory=list)
    error_count: int = 0
    notices: list = field(default_factory=list)
    needs: str = ""  # "period" or "sheet": what the person must choose before the file can be read
    question: str = ""  # that choice, asked in plain words (a question, not an error)
    choices: list = field(default_factory=list)  # the periods it could be, as the period field takes them
    sheets: list = field(default_factory=list)
    period_note: str = ""
    unknown_labels: Counter = field(default_factory=Counter)
    unused_labels: Counter = field(default_factory=Counter)
    lines_left_out: set = field(default_factory=set)  # lines known and not used, or marked not used
    # Rows that gave a value: rows_read == rows_used + sum(skipped.values()) for a file without errors.
    # Once compared with the database (``writing``), rows_used is rows_changed + rows_unchanged: rows
    # whose figures are new or changed, and rows whose figures are all unchanged.
    rows_used: int = 0
    rows_changed: int | None = None
    rows_unchanged: int | None = None
    blank_rows: int = 0  # blank, title, note and instruction rows: not data, not counted as read
    # Measures the file gives only some lines of: importing their part sums needs a yes (``totals``).
    incomplete: list = field(default_factory=list)
    cells: Counter = field(default_factory=Counter)  # notes about cells (suppressed values, partial sums)
    cell_examples: dict = field(default_factory=lambda: defaultdict(Counter))
    areas_seen: Counter = field(
        default_factory=Counter
    )  # areas that are not ours, by name: what a file holds

    def error(self, row, cell, message, *, label=""):
        """Note an error; ``label`` names an unmapped line, so the page can offer to map it."""
        self.error_count += 1
        if label and (label in self.unknown_labels or len(self.unknown_labels) < MAX_NAMES_KEPT):
            self.unknown_labels[label] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "cell": cell, "message": message})

    def ask(self, needs: str, question: str, choices=()):
        """The file can be read once the person chooses: ``needs`` is "sheet" or "period"; ``choices``
        the periods it could be, if the file names them (each as the period field takes it)."""
        self.needs = needs
        self.question = question
        self.choices = list(choices)

    def skip(self, reason, example="", n=1):
        """``n`` rows read and not used, for ``reason``."""
        self.skipped[reason] += n
        if example:
            # Bounded, so that a file of a million different unknown names does not fill the memory.
            examples, example = self.examples[reason], str(example)
            if example in examples or len(examples) < MAX_NAMES_KEPT:
                examples[example] += n

    def note_cells(self, reason, example="", n=1):
        """``n`` cells (or figures) of rows that were used, left out for ``reason``."""
        self.cells[reason] += n
        if example and (str(example) in self.cell_examples[reason] or len(self.cell_examples[reason]) < 50):
            self.cell_examples[reason][str(example)] += n

    def blank(self, reason=""):
        """A row that holds no data (blank, title, notes, instructions): neither read nor skipped."""
        self.blank_rows += 1


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_formula(text: str) -> bool:
    """An identifying cell (area, line, period, column heading) to refuse as a formula.

    ``text`` is stripped (``text_of``); a lone sign such as "-" runs nothing and is read on (as a
    suppression marker, or an area or line the mapping does not know).
    """
    return looks_like_formula(text) and len(text) > 1


def formula_refused(text: str) -> str:
    return f"“{text[:40]}” starts with “{text[0]}”: formulas are refused"


# A mark after a figure: revised, provisional, a footnote ("1000r", "1000(p)", "1000*", "1000¹").
REVISION_MARK = re.compile(
    r"(?<=\d)(?:\((?:p|r|provisional|revised)\)|[rp]|\*+|[\u00b9\u00b2\u00b3\u2070-\u2079\u2020\u2021]+)$",
    re.IGNORECASE,
)


def parse_value(cell) -> tuple[Decimal | int | None, str]:
    """(value, "") or (None, "") for a missing/suppressed cell, or (None, error message).

    Whole numbers come back as int (28 bytes, against 104 for a Decimal): a file's figures are held
    until it has been read, so this keeps the pass's memory down.
    """
    if cell is None or cell == "":
        return None, ""
    if isinstance(cell, bool):
        return None, "is TRUE/FALSE, not a number"
    if isinstance(cell, Percent):  # shown as "27.4%": the figure is 27.4, as the person sees it
        if cell != cell or cell in (float("inf"), float("-inf")):
            return None, "is not a number"
        return Percentage((Decimal(repr(float(cell))) * 100).normalize()), ""
    if isinstance(cell, PercentAsShown):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return None, "is not a number"
        return PercentageAsShown(Decimal(repr(float(cell))).normalize()), ""
    if isinstance(cell, int):
        return cell, ""
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return None, "is not a number"
        if cell.is_integer():
            return int(cell), ""
        return Decimal(repr(cell)), ""
    if isinstance(cell, datetime.date | datetime.time | datetime.timedelta):
        return None, "is a date, not a number"
    if isinstance(cell, NoResult):
        formula = f"the formula “{cell[:40]}”" if len(cell) > 1 else "a formula (shared with the cells above)"
        return None, f"holds {formula} with no saved result: {NO_RESULT}"
    text = str(cell).strip()
    if text.isdigit() and text.isascii():
        return int(text), ""
    if not text:
        return None, ""
    if text.lower() in SUPPRESSED:
        return None, ""
    if SPREADSHEET_ERROR.fullmatch(text):
        return None, f"“{text}” {FORMULA_FAILED}"
    if looks_like_formula(text) and not text.startswith(SIGNS):
        return None, f"starts with “{text[0]}”: formulas are refused"
    text = re.sub(r"\[[^\]]*\]", "", text)
    if text[:1] == "'" and len(text) > 1:  # Excel's mark for a number kept as text: "'1234"
        text = text[1:].strip()
    if "_" in text:  # Python would read "1_234" as 1234; no publisher writes it
        return None, f"“{str(cell).strip()[:40]}” is not a number"
    if DIGIT_GAP.search(text) and not SPACE_GROUPED.match(text):
        # "1234 1235" or "1 2": two figures in a cell (or a slip), never one; "1 234" is a thousand
        return None, f"“{str(cell).strip()[:40]}” {SPACED}"
    text = SPACE.sub("", text)
    text = REVISION_MARK.sub("", text)  # "1000r", "1000 (p)", "1000*", "1000¹": the figure, marked
    if "," in text and not GROUPED.fullmatch(text):
        # "12,5" or "1,23": a decimal comma (or a slip), never twelve thousand five hundred
        return None, f"“{str(cell).strip()[:40]}” {DECIMAL_COMMA}"
    text = text.replace(",", "")
    if text.lower() in SUPPRESSED or not text:
        return None, ""
    if text.endswith("%") and len(text) > 1:  # "55%", "27.5 %": a percentage, written as text
        try:
            value = Decimal(text[:-1])
        except InvalidOperation:
            return None, f"“{str(cell).strip()[:40]}” is not a number"
        return (Percentage(value), "") if value.is_finite() else (None, "is not a number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        shown = str(cell).strip()[:40]
        if shown[:1] == "+":
            return None, f"“{shown}” starts with “+”: formulas are refused"
        return None, f"“{shown}” is not a number"
    if not value.is_finite():
        return None, "is not a number"
    return value, ""


def text_of(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()
