"""The one pass over a file that both the preview and the import run.

Rows are read, checked and mapped in a single streamed pass, for each of the layouts ``layouts``
recognises: long (one row per area, line, period and value: our template and open-data tables),
wide (one row per area, one column per line) and street (data.police.uk, one row per crime).
Each value read is staged in the database (``staging``), not kept: at the end of the pass ``totals``
finds rows given twice and adds lines up into figures there. What the pass found (counts, errors,
skipped rows) is a ``validate.PassResult``; ``writing.compare_and_write`` compares the staged figures
with the database.
"""

import calendar
import datetime
import itertools
import operator
import re
from collections import Counter
from pathlib import Path

from measures.importing import layouts
from measures.importing.classification import classification
from measures.importing.layouts import (
    UNIT_HEADERS,
    fold,
    is_aside,
    is_change_heading,
    is_rate,
    is_sum_heading,
)
from measures.importing.mapping import (
    LABEL_DIRECT,
    LABEL_IGNORED,
    LABEL_MEASURES,
    LABEL_UNKNOWN,
    LABEL_UNUSED,
    NOT_OURS,
    PARTNERSHIP_ROWS,
    SMALL_AREAS,
    SUBTOTAL,
    UNASSIGNED,
    AreaError,
    Mapper,
)
from measures.importing.period_labels import (
    PeriodKey,
    bare_year_under,
    file_name_words,
    find_period_in_text,
    parse_month,
    parse_period,
    period_label,
    quarter_readings,
    states_twelve_months,
    twelve_months_to,
    year_and_quarter,
)
from measures.importing.readers import ImportFileError, Workbook
from measures.importing.recognise import (
    SHORT_KINDS,
    choose_sheet,
    file_period,
    head_of,
    lsoa_district,
    span_words,
)
from measures.importing.staging import SCALE, Staging, scaled, unscaled
from measures.importing.totals import (
    Lines,
    count_street_crimes,
    make_figures,
    store_periods,
)
from measures.importing.validate import (
    CHANGES,
    IGNORED,
    INSTRUCTIONS,
    MAX_NAMES_KEPT,
    MAX_VALUE,
    NEGATIVE,
    NO_AREA,
    NO_FIGURES,
    NO_LOCATION,
    NO_LSOA_NAME,
    NOT_DATA,
    NOT_WHOLE,
    PERIOD_EXAMPLES,
    SUMS,
    SUPPRESSED_REASON,
    TEXT_ONLY,
    THIN_MONTH,
    TOO_LARGE,
    TRANSPORT_POLICE,
    TRANSPORT_POLICE_REASON,
    UNIT_MISMATCH,
    UNMAPPED,
    UNUSED,
    Options,
    PassResult,
    Percentage,
    PercentageAsShown,
    column_letter,
    formula_refused,
    is_formula,
    parse_value,
    text_of,
)
from measures.importing.xlsx import NoResult
from measures.models import Measure, MeasureValue, Period, normalise_label

PROGRESS_EVERY = 20_000
GAP_MONTHS = 3  # months before a street file looked at for an area it has no crime of
IDENTITIES_KEPT = 100_000  # distinct (area, line) cell combinations remembered in a long file
MAX_WHOLE = int(MAX_VALUE)
MAX_MONTHS_UNREAD = 50  # distinct unreadable Month texts counted (each reported once); more, row by row
MONTH_UNREAD = (
    "which is not a month the importer can read (data.police.uk writes months as “2018-06”; “Jun-18”, "
    "“June 2018” and “01/06/2018”, day first, are read too)"
)
FORMULA = "formula"  # an identifying cell to refuse (a status of _identify_long)
AREA_CONFLICT = "area conflict"  # a row whose code and name are two of our areas (a status of _identify_long)
RATE = "rate"  # a wide table's rate column, which no measure counted in numbers takes
CHANGE = "change"  # a wide table's column of changes between periods ("% change")
SUM = "sum"  # a wide table's column adding up the others ("Total", "Year to date")
LONG_KINDS = (Period.Kind.ROLLING_YEAR, Period.Kind.YEAR)


# "Table 3: ", "Table P4 - ", "Table 2a. ": a table's number before its title says what it holds.
TABLE_NUMBER = re.compile(
    r"^(?:appendix\s+)?(?:table|figure|sheet)\s+[a-z]{0,2}\d+[a-z]?\s*(?:[:.\-–—]\s*)?", re.I
)

OFFENCE_WORDS = re.compile(
    r"^(?:number\s+of\s+)?(?:police[-\s]+)?recorded\s+(?:crimes?\s*:\s*)?|\s+(?:offences|crimes)$", re.I
)


def offence_named(texts, mapper) -> str:
    """The offence line a sheet's name or a table's title names ("Violence against the person: police
    recorded offences ...", "Robbery offences recorded by the police, by CSP area"), as written, or ""."""
    known = classification()
    for text in texts:
        text = TABLE_NUMBER.sub("", " ".join(str(text or "").split()))
        candidates = [text, *re.split(r"\s*[:,;(–]\s*|\s+-\s+", text)[:1]]
        candidates += re.split(r"\s+(?:offences\s+)?(?:recorded|by|in|for)\b", text, flags=re.IGNORECASE)[:1]
        # "Police recorded violence against the person offences, by CSP": the offence between the words
        candidates += [OFFENCE_WORDS.sub("", candidate) for candidate in candidates]
        for candidate in candidates:
            if candidate and (
                known.find(candidate) or mapper.label(candidate)[0] in (LABEL_MEASURES, LABEL_DIRECT)
            ):
                return candidate
    return ""


# A dashboard's own table (a partnership's or a measure's download): judgements, not figures to import.
DASHBOARD_COLUMNS = {"better when", "direction of travel"}
DASHBOARD_TABLE = (
    "This is one of the tracker's own dashboard tables (baselines, latest figures, direction of travel), "
    "not figures to import. To correct figures, download the “figures as stored” from the measure's page, "
    "edit them and import that. Nothing was written."
)
# A title giving its figures in thousands: "(numbers in thousands)", "Numbers (thousands)", "(000s)".
THOUSANDS = re.compile(
    r"(?<!per )(?<!per one )\bthousands?\b(?!\s+(?:population|people|residents|households|head))"
    r"|\(\s*'?000s?\s*\)|'000s?\b|\b000s\b|\b1,?000s\b|\(\s*x\s*1,?000\s*\)",
    re.IGNORECASE,
)
# "1.234" in a file separated by semicolons: a thousand written with a dot, as where a comma marks decimals,
# or a fraction? Either reading stores a figure a thousand times the other.
DOT_THOUSANDS = re.compile(r"\s*[+-]?\d{1,3}(?:\.\d{3})+\s*")
DOT_GROUPED = (
    "is ambiguous: a thousand written with a dot (as where a comma marks decimals, and in files separated "
    "by semicolons), or a fraction? Write the figure as a number without a mark between its thousands "
    "(“1234”)"
)
STREET_FILE_MONTH = re.compile(r"^((?:19|20)\d\d)-(0[1-9]|1[0-2])-.*street", re.IGNORECASE)
HYPHENED = re.compile(r"^(?:19|20)\d\d-\d\d$")  # "2011-10": a month, but "2011-12" reads as a year too
STRAY_MIN_ROWS = 1000  # a data.police.uk file with fewer crimes with a location is not judged for strays
STRAY_SHARE = 0.005  # our areas' crimes under 0.5 % of such a file: a neighbouring force's file
STRAY_NEAR_SHARE = 0.05  # under 5 %, and in only a few neighbourhoods of each district: the same
# A month of a data.police.uk file with under THIN_MONTH_SHARE of the crimes in our areas of its fullest
# month (itself THIN_MONTH_MIN or more): a few rows of another month (22 February crimes in a March file),
# never that month's whole file; month to month, a district's crimes move by a third at most.
THIN_MONTH_SHARE = 0.25
THIN_MONTH_MIN = 100
# A district's crimes in a data.police.uk file in under half of its neighbourhoods (MSOAs, the number in
# its LSOAs' names, "Cherwell 012A"), judged only when there are at least PART_CRIMES_PER_MSOA crimes per
# neighbourhood the names show it has (the highest number seen), and PART_MIN_MSOAS of them: then most
# neighbourhoods have some (two crimes each, spread evenly, leave about one in seven empty; a whole
# district's month in a force's file has dozens each). A neighbourhood's or a beat's download, or a file
# of one kind of crime, stored as the district's month.
# data.police.uk's crime types have been today's since May 2013 ("Public order" and "Possession of
# weapons" replaced "Public disorder and weapons"); the older ones no month since gives.
TYPES_SINCE = datetime.date(2013, 5, 1)
# A long file's column, besides its period, whose heading says it names the figures' period too.
PERIOD_HEADING = re.compile(
    r"^(?!.*\b(?:publi|extract|releas|updat|download))"
    r".*(?:\brolling\b|\byear\s+(?:ending|ended|to)\b|\b(?:12|twelve)[\s-]?months?\b|\bperiod\b)"
)
TYPES_MIN_CRIMES = 20  # a measure's types are judged missing only among 20 or more of its crimes
OLD_TYPES = {normalise_label("Public disorder and weapons"), normalise_label("Violent crime")}
PART_MIN_MSOAS = 6
PART_CRIMES_PER_MSOA = 2
MSOA_NUMBER = re.compile(r"\s(\d{3})[A-Z]$")


def _line_of(text: str) -> str:
    """What a heading names, whatever its wording: the classification's line, else the heading folded."""
    line = classification().find(text)
    return line.key if line is not None else normalise_label(text)


def twice_message(text: str, first: str) -> str:
    """A wide table giving one line twice (a hidden copy, a heading with a note marker, or two periods
    whose headings the importer cannot read as periods): adding them up would double the figure."""
    return (
        f"“{text[:80]}” is given twice: here and in {first}. Which one is meant cannot be told, and adding "
        "them up would double the figure. Remove one of the columns (a hidden one counts too), or, if each "
        "is for its own period, put the period over each (“Year ending March 2013”)."
    )


# A period-type cell saying a row's figure is twelve months' worth ("Rolling 12 months", "Annual").
TWELVE_MONTH_KIND = re.compile(
    r"\b(?:(?:12|twelve)[\s-]?months?|12m|annual|yearly|rolling\s+year|year\s+(?:ending|to))\b", re.IGNORECASE
)


def _merged_in(cells, row: int, merged: dict, tops: dict) -> list:
    """A row's cells with each one under the top of a merged range (one column wide) given the top's
    value, as the sheet shows it: an area written once over its rows is each row's area. ``tops`` keeps
    the top cells' values met so far."""
    cells = list(cells)
    for column, value in enumerate(cells):
        top = merged.get((row, column))
        if top is not None:
            if value in (None, ""):
                cells[column] = tops.get((top, column), value)
        elif value not in (None, ""):
            tops[row, column] = value
    return cells


def _listed(items: list[str], last: str) -> str:
    """ "A", "A or B", "A, B or C"."""
    return ", ".join(items[:-1]) + f" {last} " + items[-1] if len(items) > 1 else items[0]


class ImportPass:
    """Read one file and add its values up per measure, area and period, or say what is wrong."""

    def __init__(
        self,
        path,
        options: Options | None = None,
        *,
        staging: Staging,
        mapper: Mapper | None = None,
        progress=None,
    ):
        self.path = Path(path)
        self.options = options or Options()
        self.mapper = mapper or Mapper()
        self.staging = staging
        self.progress = progress
        self.result = PassResult()
        self.lines = Lines()
        self._period_index = {}
        self._period_cache = {}
        self._kind_cache = {}  # (period index, period-type cell) -> the row's period index
        self._ours = 0  # rows for one of our areas
        self._thin = set()  # data.police.uk months with too few crimes to be stored (``_thin_months``)
        self._rounded = None  # figures with more than four decimal places: [how many, first row, value]
        # A long file's cells given so far: (line, area) -> a bit per period. None once a cell is given
        # twice, or for another layout: the rows are then grouped in SQL, which finds them.
        self._given = None
        self._stated = None  # the period a long file's title states, if any
        self._twelve = False  # whether its title or name says its figures are twelve months' worth
        self._period_clashes = set()  # (a period another column names, the row's period index) met
        self._other_periods = {}  # such a column's text -> the period it names (or None), read once
        self._unread_months = {}  # a street file's Month text that is not a month -> [first row, rows]
        self._hyphened = {True: {}, False: {}}  # "2011-10" read as a month (True) or a year: first cell
        self.book = None

    # --- the pass -------------------------------------------------------------------------------
    def run(self) -> PassResult:
        try:
            self.book = Workbook(self.path)
            sheet_name = choose_sheet(self.book, self.options, self._known, self.result)
            if sheet_name is None:
                return self.result
            sheet = self.book.sheet(sheet_name)
            self.result.sheet = sheet_name if self.book.kind != "csv" else ""
            self.first_row = sheet.first_row
            self.first_column = sheet.first_column
            rows = sheet.rows
            head = head_of(rows)
            header = layouts.find_header(head, self.options.layout, self._known, sheet_name=self.result.sheet)
            if any(DASHBOARD_COLUMNS <= {fold(cell) for cell in row} for row in head[: header.row_index + 1]):
                raise ImportFileError(DASHBOARD_TABLE)
            self.result.layout = header.layout
            self.header = header
            body = itertools.chain(head[header.row_index + 1 :], rows)
            start = header.row_index + 1
            if header.layout == "street":
                self._read_street(body, start)
            elif header.layout == "wide":
                self._read_wide(body, start, sheet_name)
            else:
                self._read_long(body, start)
        except ImportFileError as error:
            self.result.error(None, "", str(error))
        finally:
            if self.book is not None:
                self.book.close()
        self.staging.flush()
        if self.result.error_count == 0 and not self.result.needs:
            self._finish()
        if self.book is not None and self.book.kind == "zip":
            self._in_their_files()
        return self.result

    def _row_words(self, row: int) -> str:
        """ "row 12", or in a zip's sheet "row 12 of 2018-06/2018-06-thames-valley-street.csv"."""
        name, row = self.book.where(row)
        return f"row {row} of {name}" if name else f"row {row}"

    def _in_their_files(self):
        """A zip's errors at the row of the file they are in (a sheet's rows run through its files); a
        notice of the files read and of those left out."""
        read = self.book.members_read()
        if read and not self.result.error_count:
            others = [name for name in self.book.sheet_names if name != self.result.sheet]
            files = f"{len(read)} files, {read[0]} to {read[-1]}" if len(read) > 1 else f"the file {read[0]}"
            self.result.notices.append(
                f"Read from the zip: {files}." + (f" Not read: {', '.join(others)}." if others else "")
            )
        for error in self.result.errors:
            if error["row"]:
                name, error["row"] = self.book.where(error["row"])
                error["cell"] = f"{name}, {error['cell']}" if error["cell"] else name

    @property
    def one_figure_per_row(self) -> bool:
        """Each row that gives a value makes one figure (not so in a wide file, a figure per column)."""
        return self.result.layout != "wide" and self.lines.one_measure_each()

    def _known(self, label) -> bool:
        return self.mapper.label(label)[0] != LABEL_UNKNOWN

    def _cell(self, row: int, column: int | None, header: str = "") -> str:
        """A cell reference a person can find: "C12" in a spreadsheet, "row 12, Burglary" in a CSV."""
        if column is None:
            return ""
        if self.book.kind == "excel":
            return f"{column_letter(column + self.first_column)}{row}"
        name = header or text_of(self.header.cells[column]) if column < len(self.header.cells) else ""
        return f"column {column_letter(column)} ({name})" if name else f"column {column_letter(column)}"

    def _tick(self, rows: int):
        if self.progress is not None and rows % PROGRESS_EVERY == 0:
            self.progress(self.book.fraction_read())

    def _period(self, cell, row, column) -> int | None:
        """The index of the period a cell gives (or a (year, quarter) pair of cells), or None with an
        error."""
        key = self._period_cache.get(cell)
        if key is None:
            cache_key = cell
            if isinstance(cell, tuple):  # a year and its quarter, in two columns
                cell = year_and_quarter(*cell)
            text = text_of(cell)
            if isinstance(cell, str) and is_formula(text):
                self.result.error(row, self._cell(row, column), formula_refused(text))
                return None
            parsed = parse_period(cell)
            if parsed is None and isinstance(cache_key, tuple) and not text_of(cache_key[1]):
                self.result.error(
                    row,
                    self._cell(row, self.header.columns.get("quarter", column)),
                    f"The quarter is blank (the year is “{text_of(cache_key[0])[:20]}”): give the row's "
                    "quarter, 1 to 4. A quarter's figure is never stored as the whole year's.",
                )
                return None
            if parsed is None:
                said, readings = quarter_readings(text)
                self.result.error(
                    row,
                    self._cell(row, column),
                    f"“{text[:40]}” could be the calendar year's quarter ({period_label(readings[0])}) or "
                    f"the financial year's ({period_label(readings[1])}): write the financial year's "
                    f"quarter, for example “{period_label(readings[1])}”"
                    if said
                    else f"“{text[:40]}” is not a period the importer knows ({PERIOD_EXAMPLES})",
                )
                return None
            twelve = self._stated and self._stated[0] in LONG_KINDS
            if (twelve or self._twelve) and parsed[0] in SHORT_KINDS:
                stated = period_label(self._stated) if twelve else "twelve months (its title or name says so)"
                self.result.error(
                    row,
                    self._cell(row, column),
                    f"The file states its figures are for {stated}, but this row says “{text[:40]}”: a "
                    "twelve-month figure is never stored as a month or a quarter.",
                )
                return None
            # "2011-12" read as the year beside months ("2011-11", "Nov-11"): December? Judged at the end.
            if parsed[0] == Period.Kind.MONTH or HYPHENED.match(text):
                self._hyphened[parsed[0] == Period.Kind.MONTH].setdefault(text, (row, column))
            key = self._period_cache[cache_key] = self._index_period(parsed)
        return key

    def _month(self, cell, row, column) -> int | None:
        """The index of the month a street file's Month cell gives, or None.

        Excel re-saves data.police.uk's "2018-06" as "Jun-18" or "01/06/2018": those are read as the
        month (``parse_month``). A Month cell that still cannot be read is the same in thousands of
        rows, so it is counted here and reported once, with its number of rows (``_month_errors``).
        """
        key = self._period_cache.get(cell)
        if key is not None:
            return key
        text = text_of(cell)
        if isinstance(cell, str) and is_formula(text):
            self.result.error(row, self._cell(row, column), formula_refused(text))
            return None
        parsed = parse_month(cell)
        if parsed is None:
            unread = self._unread_months
            if text in unread or len(unread) < MAX_MONTHS_UNREAD:
                unread.setdefault(text, [row, 0])[1] += 1
            else:
                self.result.error(
                    row, self._cell(row, column), f"The Month cell holds “{text[:40]}”, {MONTH_UNREAD}."
                )
            return None
        key = self._period_cache[cell] = self._index_period(parsed)
        return key

    def _month_errors(self, column):
        """One error for each Month text that could not be read, naming it and its number of rows."""
        for text, (row, n) in self._unread_months.items():
            rows = f"{n:,} rows" if n != 1 else "1 row"
            shown = f"“{text[:40]}”" if text else "nothing"
            self.result.error(
                row,
                self._cell(row, column),
                f"The Month column holds {shown} in {rows} (the first is row {row}), {MONTH_UNREAD}.",
            )

    def _period_of_kind(self, period: int, kind) -> int:
        """A row's period as its period-type cell says: "2024-03" beside "Rolling 12 months" is the
        twelve months to March 2024, never the month."""
        found = self._kind_cache.get((period, kind))
        if found is None:
            key = self.result.periods[period]
            found = period
            if key[0] in SHORT_KINDS and TWELVE_MONTH_KIND.search(text_of(kind)):
                found = self._index_period(twelve_months_to(key))
            self._kind_cache[period, kind] = found
        return found

    def _index_period(self, key: PeriodKey) -> int:
        index = self._period_index.get(key)
        if index is None:
            index = self._period_index[key] = len(self.result.periods)
            self.result.periods.append(key)
        return index

    def _text_cell(self, cells, column, row) -> str | None:
        """The text of an identifying cell, or None (with an error) when it looks like a formula."""
        if column is None or column >= len(cells):
            return ""
        text = text_of(cells[column])
        if is_formula(text) and isinstance(cells[column], str):
            self.result.error(row, self._cell(row, column), formula_refused(text))
            return None
        return text

    # --- layouts ---------------------------------------------------------------------------------
    def _negative(self, value, measures) -> bool:
        """A figure below zero for a line or a measure counted in numbers: refused, never stored."""
        if value is None or value >= 0:
            return False
        units = {self.mapper.measures[m].unit for m in measures}
        return not units or Measure.Unit.COUNT in units

    def _refused(self, value, measures, row, column, *, whole=False) -> bool:
        """A value that cannot be a figure: a negative count, a number too large to store, or (``whole``:
        a table of counts by area, where a rate or a share is the likelier reading) a fraction for a
        measure counted in numbers (an error). Our template and long tables may give a count a fraction
        on purpose (figures as stored, round trips), and say their units in a column of their own."""
        if value is None:
            return False
        if value < 0 and self._negative(value, measures):
            self.result.error(row, self._cell(row, column), f"The value {value} {NEGATIVE}")
            return True
        if value > MAX_VALUE or value < -MAX_VALUE:
            self.result.error(row, self._cell(row, column), f"The value {value} {TOO_LARGE}")
            return True
        if isinstance(value, Percentage) and self._counted(measures):
            what = f"{value:f}% is a percentage (the cell is shown as one)"
        elif whole and type(value) is not int and scaled(value) % SCALE and self._counted(measures):
            what = f"{value} is not a whole number"
        else:
            return self._over_a_hundred(value, row, column)
        names = " and ".join(self.mapper.measures[m].name for m in measures)
        self.result.error(
            row,
            self._cell(row, column),
            f"The value {what}, but {names} {'is' if len(measures) == 1 else 'are'} {NOT_WHOLE}",
        )
        return True

    def _over_a_hundred(self, value, row, column) -> bool:
        """A percentage over 100 (for a measure of percentages: a count's refused it already): an error."""
        if not (isinstance(value, Percentage) and value > 100):
            return False
        if isinstance(value, PercentageAsShown):  # nothing multiplied: 300 shown "300%"
            why = "a share of something is at most 100: check the figure, and the unit of its cell"
        else:
            why = (
                f"is it {value / 100:f} typed into a cell formatted as a percentage? Type the percentage "
                "(or format the cell as a number)"
            )
        self.result.error(
            row,
            self._cell(row, column),
            f"The value shows as {value:f}%: over 100, {why}. Nothing was written.",
        )
        return True

    def _dot_grouped(self, cell, measures) -> bool:
        """Whether "1.234" may be a thousand written with a dot: in a file separated by semicolons, or
        typed as text in a spreadsheet (a number there is a number cell) for measures that count."""
        if self.book.semicolons:
            return True
        return self.book.kind == "excel" and cell.__class__ is str and self._counted(measures or ())

    def _counted(self, measures) -> bool:
        """Every measure the figure goes into counts crimes (whole numbers): a fraction there is a rate
        or a share read as a count."""
        return bool(measures) and all(self.mapper.measures[m].unit == Measure.Unit.COUNT for m in measures)

    def _skip_label(self, kind, label, n=1, *, cell=False):
        reason = {LABEL_IGNORED: IGNORED, RATE: UNIT_MISMATCH, CHANGE: CHANGES, SUM: SUMS}.get(kind, UNUSED)
        if kind == LABEL_UNUSED:
            self.result.unused_labels[text_of(label)] += n
        if kind in (LABEL_UNUSED, LABEL_IGNORED) and len(self.result.lines_left_out) < MAX_NAMES_KEPT:
            self.result.lines_left_out.add(text_of(label))
        if cell:
            self.result.note_cells(reason, label, n)
        else:
            self.result.skip(reason, label, n)

    def _read_long(self, body, start):
        cols = self.header.columns
        result, staging = self.result, self.staging
        c_period, c_value, c_label = cols["period"], cols["value"], cols["label"]
        if not self.header.title.lower().startswith("instructions"):
            # Not a year named on its own: "Recorded crime, 2022/23" above rows for its quarters is the
            # year the rows fall in, not a statement that each row holds twelve months.
            self._stated = find_period_in_text(self.header.title, bare_year=False)
            # "Rolling 12 months" in the title or the file's name, whether or not its date can be read.
            self._twelve = states_twelve_months(self.header.title) or states_twelve_months(
                file_name_words(self.options.file_name)
            )
        # The cells that say which area and line a row is for, read once per distinct combination: a
        # national file repeats a few hundred areas and a few dozen lines hundreds of thousands of times.
        ident_columns = sorted(
            {0, c_label, *(c for c in cols["units"] if c != c_value), *cols.get("levels", ())}
            | {c for c in (cols["area_code"], cols["area_name"], cols["qualifier"]) if c is not None}
        )
        c_quarter = cols.get("quarter")
        c_kind = cols.get("period_kind")
        # Another column naming a period ("Rolling year": "Year ending December 2023" beside the financial
        # year and quarter): its period must be the row's, or which the figure is for cannot be told.
        read = {*(set(ident_columns) - {0}), c_period, c_value, c_quarter, c_kind}
        read |= {c for c in (cols["area_code"], cols["area_name"]) if c is not None}
        also = [
            c for c, heading in enumerate(self.header.cells)
            if c not in read and PERIOD_HEADING.search(fold(text_of(heading)))
        ]  # fmt: skip
        width = max(ident_columns + [c_period, c_value, c_quarter or 0, c_kind or 0, *also]) + 1
        identity = operator.itemgetter(*ident_columns)
        known = {}  # identifying cells -> what _identify_long made of them
        period_cache = self._period_cache
        buffer, chunk, flush = staging.buffer, staging.chunk, staging.flush
        progress = self.progress
        given = self._given = {}
        rows_read = values_read = rows_used = ours = 0
        row = self.first_row + start - 1
        merged, tops = self.book.merged, {}
        merge_rows = {r for r, _ in merged} | {top for top in merged.values()}
        try:
            for cells in body:
                row += 1
                if len(cells) < width:
                    cells = list(cells) + [""] * (width - len(cells))
                if merge_rows and row in merge_rows:
                    cells = _merged_in(cells, row, merged, tops)
                key = identity(cells)
                ident = known.get(key)
                if ident is None:
                    ident = self._identify_long(cells, row)
                    if ident[0] != FORMULA and len(known) < IDENTITIES_KEPT:
                        known[key] = ident
                status = ident[0]
                if status == INSTRUCTIONS:
                    result.blank(INSTRUCTIONS)
                    continue
                if status == NOT_DATA:
                    result.blank(NOT_DATA)
                    continue
                rows_read += 1
                if progress is not None and rows_read % PROGRESS_EVERY == 0:
                    progress(self.book.fraction_read())
                if status == FORMULA:
                    self._text_cells(cells, row)  # the errors, with their cells
                    continue
                if status == NOT_OURS:
                    result.skip(ident[1], ident[2])
                    continue
                if status == AREA_CONFLICT:
                    ours += 1  # ours, whichever it is: the file is not refused as another county's
                    result.error(row, self._role_cell(row, "area"), ident[1])
                    continue
                ours += 1
                if status == LABEL_UNKNOWN:
                    result.error(
                        row, self._cell(row, c_label), f"“{ident[1][:60]}” {UNMAPPED}", label=ident[1]
                    )
                    continue
                if status != LABEL_MEASURES:
                    self._skip_label(status, ident[1])
                    continue
                _, area, measures, label, dupkey, direct, lines = ident
                cell = cells[c_period]
                if c_quarter is not None:
                    cell = (cell, cells[c_quarter])
                period = period_cache.get(cell)
                if period is None:
                    period = self._period(cell, row, c_period)
                if c_kind is not None and period is not None and cells[c_kind]:
                    period = self._period_of_kind(period, cells[c_kind])
                if also and period is not None and not self._periods_agree(cells, also, period, row):
                    continue
                cell = cells[c_value]
                if cell.__class__ is str and cell.isdigit() and cell.isascii():
                    value = int(cell)
                elif cell.__class__ is int:  # a spreadsheet's whole number (never a bool: its own class)
                    value = cell
                else:
                    value, problem = parse_value(cell)
                    if (
                        not problem
                        and DOT_THOUSANDS.fullmatch(str(cell))
                        and self._dot_grouped(cell, measures)
                    ):
                        problem = f"“{str(cell).strip()}” {DOT_GROUPED}"
                    if problem:
                        result.error(row, self._cell(row, c_value), f"The value {problem}")
                        continue
                if period is None:
                    continue
                if measures is None:  # a rate or percentage, and the line's measures are all counts
                    result.skip(UNIT_MISMATCH, label)
                    continue
                if (
                    value is not None
                    and (value < 0 or value > MAX_WHOLE or isinstance(value, Percentage))
                    and self._refused(value, measures, row, c_value)
                ):
                    continue
                line = lines[0]
                if line is None:
                    # Rows give the same figure twice when they share label, qualifier, area and period.
                    line = lines[0] = self.lines.number(
                        dupkey, label, measures, direct=direct, source=dupkey[0]
                    )
                values_read += 1
                if value is None:
                    result.skip(SUPPRESSED_REASON)
                else:
                    rows_used += 1
                    value = value * SCALE if value.__class__ is int else self._scaled(value, row)
                if given is not None:
                    bit, mask = 1 << period, given.get((line, area), 0)
                    if mask & bit or len(given) > IDENTITIES_KEPT:
                        given = self._given = None
                    else:
                        given[line, area] = mask | bit
                buffer.append((row, line, area, period, value))
                if len(buffer) >= chunk:
                    flush()
        finally:
            result.rows_read += rows_read
            result.values_read += values_read
            result.rows_used += rows_used
            self._ours += ours

    def _periods_agree(self, cells, columns, period, row) -> bool:
        """Whether each other column naming a period (``columns``) names the row's (or none it can read);
        else an error, once for each pair of periods (the file is refused: the other rows need none)."""
        for column in columns:
            cell = cells[column]
            key = self._other_periods.get(cell, False) if cell.__class__ is str else False
            if key is False:
                key = parse_period(cell) if cell not in (None, "") else None
                if cell.__class__ is str and len(self._other_periods) < IDENTITIES_KEPT:
                    self._other_periods[cell] = key
            if key is None or key == self.result.periods[period]:
                continue
            pair = (key, period)
            if pair not in self._period_clashes:
                self._period_clashes.add(pair)
                heading, ours = text_of(self.header.cells[column]), self.result.periods[period]
                self.result.error(
                    row,
                    self._cell(row, column),
                    f"“{heading}” says {period_label(key)} ({span_words(key)}), but the row's period is "
                    f"{period_label(ours)} ({span_words(ours)}): which one its figure is for cannot be "
                    "told. Delete the column that is not the figures' period, and import again. Nothing was "
                    "written.",
                )
            return False  # not staged: the error already refuses the file
        return True

    def _identify_long(self, cells, row) -> tuple:
        """What a long row's identifying cells say, for every row that has the same ones.

        (INSTRUCTIONS,) or (NOT_DATA,): not a row of figures; (FORMULA,): a cell to refuse (not kept:
        each row gets its errors); (NOT_OURS, reason, example): not one of our areas; (AREA_CONFLICT,
        message): its code and name are two different areas of ours; (LABEL_UNKNOWN,
        label), (LABEL_IGNORED or LABEL_UNUSED, label): a line no measure takes; else (LABEL_MEASURES,
        area, measures or None when a rate cannot go into count measures, label, qualifier, direct,
        [line number once given]).
        """
        cols, mapper = self.header.columns, self.mapper
        first = text_of(cells[0])
        if first.lower().startswith("instructions:"):
            return (INSTRUCTIONS,)
        code, name, label = self._text_cells(cells, row, report=False)
        if code is None or name is None or label is None:
            return (FORMULA,)
        if not (code or name) and not label:
            return (NOT_DATA,)
        area, reason = mapper.area(code, name)
        if isinstance(reason, AreaError):
            return (AREA_CONFLICT, reason)
        if area is None:
            if not name and not code:  # a total row, or a note: no area to be ours or another's
                return (NOT_OURS, NO_AREA, "")
            return (NOT_OURS, reason, name or code)
        c_qualifier = cols.get("qualifier")
        qualifier = text_of(cells[c_qualifier]) if c_qualifier is not None else ""
        dupkey = (label, qualifier)  # rows giving the same figure twice share it
        found = mapper.label(f"{qualifier}: {label}") if qualifier else (None, ())
        if found[0] not in (LABEL_MEASURES, LABEL_IGNORED, LABEL_DIRECT):
            found = mapper.label(label)
        kind, measures = found
        if kind not in (LABEL_MEASURES, LABEL_DIRECT) and cols.get("levels"):
            kind, measures, label = self._offence_level(cells, label, kind)
        if kind in (LABEL_IGNORED, LABEL_UNUSED):
            return (kind, label)
        if kind not in (LABEL_MEASURES, LABEL_DIRECT):
            return (LABEL_UNKNOWN, label)
        # How the row's figure is counted: its unit columns' words ("Rate per 1,000"), a value column's
        # heading ("rate"), or the indicator's ("Offence rate", "Crimes per 1,000 population").
        value_column = cols["value"]
        said = [self.header.cells[c] if c == value_column else cells[c] for c in cols["units"]] + [qualifier]
        unit = next((text for text in map(text_of, said) if text and is_rate(text)), "")
        if unit:
            kept = tuple(m for m in measures if mapper.measures[m].unit != Measure.Unit.COUNT)
            if not kept:
                return (LABEL_MEASURES, area, None, f"{label} ({unit})", qualifier, False, [None])
            measures = kept
        return (LABEL_MEASURES, area, measures, label, dupkey, kind == LABEL_DIRECT, [None])

    def _offence_level(self, cells, label, kind) -> tuple:
        """An offence given at several levels (the ONS open-data tables: description, subgroup, group)
        whose description no measure takes: the first of its broader levels that a measure takes gives
        the row's measures, so descriptions are added up into their subgroup or group; each level is
        followed by the lines the classification says it is part of ("Residential burglary" by
        Burglary), so a measure of burglary takes residential burglary's descriptions. Failing that,
        a level the classification knows makes the row one no measure uses; only a row no level of
        which is known is an error. Returns (kind, measures, the label the row is counted under)."""
        first_known = (kind, (), label) if kind in (LABEL_IGNORED, LABEL_UNUSED) else None
        known = classification()
        levels = [
            text_of(cells[column]) if column < len(cells) else "" for column in self.header.columns["levels"]
        ]
        # The lines the description is part of, then each level and the lines it is part of
        # ("Residential burglary", then Burglary).
        candidates = [line.name for line in known.broader(label)]
        for text in levels:
            if text and not is_formula(text):
                candidates += [text, *(line.name for line in known.broader(text))]
        for text in candidates:
            level_kind, measures = self.mapper.label(text)
            if level_kind in (LABEL_MEASURES, LABEL_DIRECT):
                return (level_kind, measures, text)
            if first_known is None and level_kind in (LABEL_IGNORED, LABEL_UNUSED):
                first_known = (level_kind, (), label)
        return first_known or (kind, (), label)

    def _stands_in(self, label, given: set):
        """A wide table's column of a line no measure takes whose broader line a measure does take, and
        which the table does not give itself ("Domestic burglary" and "Non-domestic burglary" in an
        older table with no Burglary column): (kind, measures, the broader line's name), so that the
        parts add up into it, once each; None otherwise (the column is not used)."""
        for line in classification().broader(label):
            if line.key in given:
                return None  # the table gives the broader line: its parts would count twice
            kind, measures = self.mapper.label(line.name)
            if kind in (LABEL_MEASURES, LABEL_DIRECT):
                return (kind, measures, line.name)
        return None

    def _text_cells(self, cells, row, *, report=True):
        """(area code, area name, label) of a long row, each None (with an error, when ``report``)
        where the cell looks like a formula."""
        cols = self.header.columns
        found = []
        for role in ("area_code", "area_name", "label"):
            column = cols[role]
            if column is None or column >= len(cells):
                found.append("")
                continue
            text = text_of(cells[column])
            if is_formula(text) and isinstance(cells[column], str):
                if report:
                    self.result.error(row, self._cell(row, column), formula_refused(text))
                found.append(None)
            else:
                found.append(text)
        return found

    def _quarter_columns_unplaced(self) -> bool:
        """Columns headed by a quarter of a year written alone ("2023 Q2"), which could be the calendar
        year's or the financial year's: an error at each (the first few), never a period guessed, nor
        the column asked to be mapped as a measure."""
        header_row = self.first_row + self.header.row_index
        found = 0
        for column, label in self.header.offence_columns:
            said, readings = quarter_readings(text_of(label))
            if said and found < 4:
                found += 1
                self.result.error(
                    header_row,
                    self._cell(header_row, column),
                    f"“{said}” over this column could be the calendar year's quarter "
                    f"({period_label(readings[0])}, {span_words(readings[0])}) or the financial year's "
                    f"({period_label(readings[1])}, {span_words(readings[1])}): write the financial year's "
                    f"quarter over each column, for example “{period_label(readings[1])}”. Nothing was "
                    "written.",
                )
        return bool(found)

    def _another_header(self, cells) -> bool:
        """Whether a row (for no area of ours) is another table's header: no figure, and two or more
        cells naming a line ("ONS code, CSP name, Public order offences, Drug offences, ...")."""
        known, named = classification(), 0
        for cell in cells:
            text = text_of(cell)
            if not text:
                continue
            if parse_value(cell)[0] is not None:
                return False  # a figure: a row of a table, not its header
            if known.find(text) or self._known(text):
                named += 1
        return named >= 2

    def _repeats_header(self, cells) -> str:
        """ "same" when a row is the header again: its area headings and at least one offence heading."""
        header, cols = self.header, self.header.columns
        same = [
            i
            for i, heading in enumerate(header.cells)
            if heading not in (None, "")
            and i < len(cells)
            and fold(text_of(cells[i])) == fold(text_of(heading))
        ]
        areas = {cols.get("area_code"), cols.get("area_name")} - {None}
        again = bool(areas) and areas <= set(same) and any(i in same for i, _ in header.offence_columns)
        return "same" if again else ""

    def _one_offence_over_periods(self, sheet_name) -> bool:
        """A table of one offence with a column per period ("Apr 2010 to Mar 2011", "2012"): the
        offence is the one its sheet or title names ("Violence against the person: police recorded
        offences by CSP area, ..."), and each column is that offence for its period. False (with an
        error) when neither names an offence; True otherwise, or for any other table."""
        header = self.header
        offences = [(i, label) for i, label in header.offence_columns if not is_aside(label)]
        if not offences or any(
            i in header.column_periods or parse_period(label) is None or classification().find(label)
            for i, label in offences
        ):
            return True
        by_sheet = offence_named([sheet_name if self.book.kind == "excel" else ""], self.mapper)
        by_title = offence_named([header.title], self.mapper)
        if by_sheet and by_title and _line_of(by_sheet) != _line_of(by_title):
            self.result.error(
                self.first_row,
                "",
                f"The sheet's name says its figures are {by_sheet}, but its title says {by_title}: which "
                "offence they are cannot be told. Correct the sheet's name or its title. Nothing was "
                "written.",
            )
            return False
        named = by_sheet or by_title
        if not named:
            row = self.first_row + header.row_index
            self.result.error(
                row,
                self._cell(row, offences[0][0]),
                f"The columns are periods ({', '.join(str(label) for _, label in offences[:3])}): the table "
                "gives one offence over several periods, but neither its title nor its sheet's name says "
                "which offence. Name the sheet after the offence (“Violence against the person”), or use "
                "our template. Nothing was written.",
            )
            return False
        for i, label in offences:
            header.column_periods[i] = str(label)
        header.offence_columns = [(i, named if i in header.column_periods else label) for i, label in
                                  header.offence_columns]  # fmt: skip
        return True

    def _read_wide(self, body, start, sheet_name):
        cols = self.header.columns
        result, mapper, lines, stage = self.result, self.mapper, self.lines, self.staging.add
        c_code, c_name, c_period = cols["area_code"], cols["area_name"], cols["period"]
        file_period_index = None
        thousands = THOUSANDS.search(self.header.title or "")
        if (
            thousands
            and "population" not in self.header.title[max(0, thousands.start() - 30) : thousands.start()]
        ):
            self.result.error(
                self.first_row,
                "",
                "The title says the figures are in thousands: the importer stores counts of crimes, and "
                "would store 2 for 2,000. Import a table of the counts themselves. Nothing was written.",
            )
            return
        if not self._one_offence_over_periods(sheet_name):
            return
        if self._quarter_columns_unplaced():
            return
        headings = {fold(text_of(cell)) for cell in self.header.cells}
        if "offence code" in headings and headings & {"number of offences", "offences", "count", "value"}:
            # The Home Office's open data with its offence names left out: read as a table by area, its
            # "Financial Quarter" and "Number of Offences" would be asked to be mapped as offences.
            self.result.error(
                None,
                "",
                "This table names each offence by its Home Office code alone (“Offence Code”): the importer "
                "reads offences by name. Download it with its “Offence Description”, “Offence Group” or "
                "“Offence Subgroup” column, and import that. Nothing was written.",
            )
            return
        # Columns that are an offence for a period of their own ("Apr 2021 to Mar 2022" over or under
        # it): the table needs no period of its own when each of its offence columns has one.
        twelve = states_twelve_months(self.header.title) or states_twelve_months(
            file_name_words(self.options.file_name)
        )
        column_periods = {}
        for column, text in self.header.column_periods.items():
            key = parse_period(text)
            if key is None:
                result.error(
                    self.first_row + self.header.row_index - 1,
                    self._cell(self.first_row + self.header.row_index - 1, column),
                    f"“{text[:40]}” over this column is not a period the importer knows ({PERIOD_EXAMPLES}). "
                    "Nothing was written.",
                )
                return
            under = bare_year_under(self.header.title, text)
            if isinstance(under, str):
                result.error(None, "", under)
                return
            key = under or key  # "2023" under "year ending March": the year to March 2023
            if twelve and key[0] in SHORT_KINDS:
                # "Mar 2012" over the offences of a table of "12 months ending": the year to March 2012.
                key = twelve_months_to(key) if key[0] == Period.Kind.MONTH else None
                if key is None:
                    result.error(
                        self.first_row + self.header.row_index - 1,
                        self._cell(self.first_row + self.header.row_index - 1, column),
                        f"The table says its figures are for twelve months, but “{text}” over this column "
                        "is a quarter: a twelve-month figure is never stored as a quarter. Write the twelve "
                        "months over the column (“Year ending March 2013”). Nothing was written.",
                    )
                    return
            column_periods[column] = self._index_period(key)
        dated = column_periods and all(
            column in column_periods or is_aside(label) for column, label in self.header.offence_columns
        )
        if (
            dated
            and self.options.period
            and parse_period(self.options.period) not in {result.periods[i] for i in column_periods.values()}
        ):
            result.error(
                None,
                "",
                f"The period given is “{self.options.period}”, but this table gives a period over each "
                "column, and it is not one of them. Leave the period blank to use the table's, or check that "
                "this is the right file. Nothing was written.",
            )
            return
        if c_period is None and not dated:
            stated_in = f"{self.header.title} {sheet_name if self.book.kind == 'excel' else ''}"
            key = file_period(stated_in, self.options, result)
            if key is None:
                return
            file_period_index = self._index_period(key)
        # Each offence column, mapped once: (column, label, measures, line number).
        columns, unknown, skipped = [], [], []
        known = classification()
        given = {found.key for _, label in self.header.offence_columns if (found := known.find(label))}
        header_row = self.first_row + self.header.row_index
        first_of = {}  # (line, unit) -> {period ("" for none of its own): the first column giving it}
        # A column saying how each row is counted ("Measure": "Rate per 100,000 population" in one row,
        # "Number" in the next, the area's cell merged over both): rates are never stored as counts.
        c_unit = next((c for c, label in self.header.offence_columns if fold(label) in UNIT_HEADERS), None)
        for column, label in self.header.offence_columns:
            if column == c_unit:
                continue
            text = " ".join(str(label).split())
            if is_formula(text) and not is_change_heading(text):  # "+/-": a change, not a formula
                result.error(
                    header_row, self._cell(header_row, column), f"The header {formula_refused(text)}"
                )
                continue
            heading, found = text, known.find(text)
            unit = self.header.column_units.get(column, "")
            same = (found.key if found else normalise_label(text), is_rate(unit) if unit else False)
            own = self.header.column_periods.get(column, "")
            kind, measures = mapper.label(label)
            if kind in (LABEL_IGNORED, LABEL_UNUSED):
                broader = self._stands_in(text, given)
                if broader is None:
                    skipped.append((kind, text))
                    continue
                kind, measures, text = broader
            if kind not in (LABEL_MEASURES, LABEL_DIRECT) and is_change_heading(text):
                skipped.append((CHANGE, text))
                continue
            if kind not in (LABEL_MEASURES, LABEL_DIRECT) and is_sum_heading(text):
                skipped.append((SUM, text))
                continue
            if kind not in (LABEL_MEASURES, LABEL_DIRECT):
                unknown.append((column, text))
                continue
            unit = self.header.column_units.get(column, "")
            if unit and is_rate(unit):  # "Rate per 1,000 population" under the offence's heading
                measures = tuple(m for m in measures if mapper.measures[m].unit != Measure.Unit.COUNT)
                if not measures:
                    skipped.append((RATE, f"{text} ({unit})"))
                    continue
            # Given twice (as a count, or as a rate): for the same period, or where either column has no
            # period of its own (it is the table's then: "Previous year" over one, "Year ending March
            # 2013" over the other).
            seen = first_of.setdefault(same, {})
            clash = seen.get(own) or (next(iter(seen.values()), None) if not own or "" in seen else None)
            if clash:
                result.error(header_row, self._cell(header_row, column), twice_message(heading, clash))
                continue
            seen[own] = self._cell(header_row, column)
            line = lines.number(("column", column), text, measures, source=heading)
            columns.append((column, text, measures, line, column_periods.get(column)))
        # A row with no column to stage still needs a row in the staging table: two rows for one area and
        # period are found there.
        no_line = None if columns else lines.number(("column", None), "", ())
        last_area = None  # the last row's area cells: a merged area cell is read for the rows under it
        unheaded = set(self.header.unheaded_columns)
        unheaded_found = {}
        # Unknown columns not yet seen holding a number in one of our rows: one that never does holds
        # text ("Most similar group", "Notes"), not figures, and is left out rather than asked about.
        wordy = {column for column, _ in unknown}
        identifying = max(c for c in (c_code, c_name, c_period, 0) if c is not None)
        merged, tops = self.book.merged, {}
        merge_rows = {r for r, _ in merged} | {top for top in merged.values()}
        for offset, cells in enumerate(body):
            row = self.first_row + start + offset
            if merge_rows and row in merge_rows:
                cells = _merged_in(cells, row, merged, tops)
            code = self._text_cell(cells, c_code, row)
            name = self._text_cell(cells, c_name, row)
            if code is None or name is None:
                result.rows_read += 1
                continue
            unit = text_of(cells[c_unit]) if c_unit is not None and c_unit < len(cells) else ""
            if not code and not name and unit and last_area:
                code, name = last_area  # "Number" under "Rate per 100,000" beside a merged area cell
            last_area = (code, name) if code or name else None
            if not code and not name:
                if any(parse_value(cells[c])[0] is not None for c, *_ in columns if c < len(cells)):
                    # Figures with no area ("Thames Valley total" in a column of its own, a total row):
                    # read, and skipped for what they are, so that the rows read add up.
                    result.rows_read += 1
                    result.skip(NO_AREA)
                    continue
                result.blank(NOT_DATA)
                continue
            area, reason = mapper.area(code, name)
            if area is None and reason == NOT_OURS and not any(text_of(c) for c in cells[identifying + 1 :]):
                result.blank(NOT_DATA)  # a note below the table: text in the first column only
                continue
            if area is None and (again := self._repeats_header(cells) or self._another_header(cells)):
                # Another table below this one ("Table 1b: ... rate per 1,000 population"), whose columns
                # may be in another order: this table ends, and its columns are never read for that one's.
                how = "its header repeats this one's" if again == "same" else "a header row of its own"
                result.notices.append(
                    f"Row {row} starts another table ({how}): only the table above it was read. To import "
                    "that one, put it on a sheet or in a file of its own."
                )
                break
            result.rows_read += 1
            self._tick(result.rows_read)
            for column in unheaded | set(range(len(self.header.cells), len(cells))):
                if column < len(cells) and column not in unheaded_found and text_of(cells[column]):
                    unheaded_found[column] = row
            if isinstance(reason, AreaError):
                self._ours += 1  # ours, whichever it is: the file is not refused as another county's
                result.error(row, self._role_cell(row, "area"), reason)
                continue
            if area is None:
                result.skip(reason, name or code)
                continue
            self._ours += 1
            if c_period is not None:
                period = self._period(cells[c_period] if c_period < len(cells) else "", row, c_period)
                if period is None:
                    continue
            else:
                period = file_period_index
            for kind, skipped_label in skipped:
                self._skip_label(kind, skipped_label, cell=True)
            if wordy:
                for column in [c for c in wordy if c < len(cells) and cells[c] not in (None, "")]:
                    if parse_value(cells[column])[0] is not None or isinstance(cells[column], NoResult):
                        wordy.discard(column)
            used = False
            if no_line is not None:
                # Two rows for one area and period are found there; a table whose every column has a
                # period of its own (all of them skipped: rates) is staged under the first of them.
                stage(
                    row, no_line, area, period if period is not None else min(column_periods.values()), None
                )
            rates = bool(unit) and is_rate(unit)
            for column, label, measures, line, own_period in columns:
                at = period if own_period is None else own_period
                cell = cells[column] if column < len(cells) else None
                if rates and self._counted(measures):
                    if cell not in (None, ""):
                        result.note_cells(UNIT_MISMATCH, f"{label} ({unit})")
                    continue
                value, problem = parse_value(cell)
                if problem:
                    result.error(row, self._cell(row, column), f"The value {problem}")
                    continue
                if self._refused(value, measures, row, column, whole=True):
                    continue
                result.values_read += 1
                if value is None:
                    result.note_cells(SUPPRESSED_REASON)
                    stage(row, line, area, at, None)
                else:
                    used = True
                    stage(row, line, area, at, self._scaled(value, row))
            if used:
                result.rows_used += 1
            elif rates:
                result.skip(UNIT_MISMATCH, f"{mapper.area_names[area]} ({unit})")
            else:
                result.skip(NO_FIGURES, mapper.area_names[area])
        header_row = self.first_row + self.header.row_index
        for column, row in sorted(unheaded_found.items()):
            result.error(
                row,
                self._cell(row, column, "no heading"),
                f"Column {column_letter(column + self.first_column)} has figures but no heading, so "
                "nobody can say which line they are: give it the offence line's name, or delete the column.",
            )
        if self._ours:
            for column, text in unknown:
                if column in wordy:
                    result.note_cells(TEXT_ONLY, text)
                    continue
                result.error(
                    header_row,
                    self._cell(header_row, column, text),
                    f"The column “{text[:60]}” {UNMAPPED}",
                    label=text,
                )

    def _read_street(self, body, start):
        cols = self.header.columns
        result, mapper, lines, stage = self.result, self.mapper, self.lines, self.staging.add
        c_label, c_name, c_code, c_period = (
            cols["label"],
            cols["area_name"],
            cols["area_code"],
            cols["period"],
        )
        if c_period is None:
            raise ImportFileError("A data.police.uk file needs its Month column.")
        c_force, c_crime = cols.get("reported_by"), cols.get("crime_id")
        width = max(c for c in cols.values() if c is not None) + 1
        lsoa_areas = {}
        located, force = 0, ""  # crimes with a location; the force that reported them
        ours_by_area = self._street_areas = Counter()  # crimes in our areas, per area
        last = (0, len(self.header.cells))  # the last row read, and how many cells it has
        # Crime type -> (kind, line number); a type no mapping knows -> [its first row, crimes].
        types = {}
        in_file = Counter()  # every crime type the file gives, for any area: its crimes
        unknown = self._street_unknown = {}
        by_month = self._street_months = Counter()  # crimes in our areas, per month
        used_by_month = self._street_used = Counter()  # those of them a measure counts
        headings = [fold(cell) for cell in self.header.cells]
        for offset, cells in enumerate(body):
            row = self.first_row + start + offset
            # A header again: its first cell "Crime ID" (a crime's own ID is 64 characters, or none), so
            # that the check costs a length comparison per row, not a fold.
            if (
                cells
                and cells[0].__class__ is str
                and 0 < len(cells[0]) < 20
                and fold(cells[0]) == "crime id"
            ):
                if [fold(cell) for cell in cells] == headings:
                    result.blank(NOT_DATA)  # two downloads put together: the header again
                    continue
                # Another kind of data.police.uk file's header ("... Outcome type"): its rows are no crimes.
                result.error(
                    row,
                    "",
                    f"Row {row} is the header of another kind of data.police.uk file ("
                    + ", ".join(text_of(cell) for cell in cells[-3:])
                    + "), added to this street-level file: its rows are not crimes to count. Import the "
                    "street-level file on its own. Nothing was written.",
                )
                break
            if len(cells) < width:
                if not any(text_of(c) for c in cells):
                    result.blank(NOT_DATA)
                    continue
                result.rows_read += 1
                result.error(
                    row,
                    "",
                    f"This row has {len(cells)} of the file's {len(self.header.cells)} columns, so its crime "
                    "cannot be placed: the file looks cut short (a download that did not finish) or "
                    "damaged. Download it again. Nothing was written.",
                )
                continue
            result.rows_read += 1
            self._tick(result.rows_read)
            last = (row, len(cells))
            if c_force is not None and text_of(cells[c_force]).casefold() == TRANSPORT_POLICE.casefold():
                result.skip(TRANSPORT_POLICE_REASON, TRANSPORT_POLICE)
                continue
            lsoa = cells[c_name]
            found = lsoa_areas.get(lsoa)
            if found is None or (c_code is not None and not cells[c_code]):
                # A row without its LSOA's code or name has no location; the name alone decides the rest
                # (cached by it), so a row missing its code is judged on its own, never for the name's.
                text, code = text_of(lsoa), text_of(cells[c_code]) if c_code is not None else "-"
                if not text:
                    found = (None, NO_LSOA_NAME if code else NO_LOCATION, "")
                elif not code:
                    found = (None, NO_LOCATION, "")
                else:
                    district = lsoa_district(text)
                    area, reason = mapper.area("", district)
                    found = lsoa_areas[lsoa] = (area, reason, district)
            area, reason, district = found
            if reason is not NO_LOCATION and reason is not NO_LSOA_NAME:
                located += 1
            in_file[cells[c_label]] += 1
            if area is None:
                result.skip(reason, district)
                continue
            self._ours += 1
            ours_by_area[area] += 1
            if not force and c_force is not None:
                force = text_of(cells[c_force])
            period = self._month(cells[c_period], row, c_period)
            if period is None:
                continue
            by_month[period] += 1
            label = cells[c_label]
            typed = types.get(label)
            if typed is None:
                kind, measures = mapper.label(label)
                if kind == LABEL_DIRECT and classification().find(label) is not None:
                    # A crime type is a line, never a measure of the same name: data.police.uk's
                    # "Violent crime" (until 2013) was violence and sexual offences, not Violent crime.
                    kind, measures = mapper.classified(label)
                if kind not in (LABEL_MEASURES, LABEL_DIRECT):
                    measures = ()
                typed = types[label] = (kind, lines.number(("type", label), label, measures))
            kind, line = typed
            # Every crime of our areas is staged: an area and month with crimes of other types only still
            # counts zero for the measures. A street row's value is not a figure (each row is one crime):
            # it holds its Crime ID's hash (0 for none: anti-social behaviour has none), so that a crime
            # given twice is found in the database, whatever the file's size.
            crime = text_of(cells[c_crime]) if c_crime is not None else ""
            stage(row, line, area, period, hash(crime) if crime else 0)
            if kind in (LABEL_MEASURES, LABEL_DIRECT):
                result.values_read += 1
                result.rows_used += 1
                used_by_month[period] += 1
            elif kind in (LABEL_IGNORED, LABEL_UNUSED):
                self._skip_label(kind, label)
            else:
                first = unknown.setdefault(label, [row, 0])
                first[1] += 1
        self._month_errors(c_period)
        headed = max((i + 1 for i, cell in enumerate(self.header.cells) if text_of(cell)), default=0)
        if last[1] < headed:
            # The last row short of the header's columns: a download that stopped there (perhaps inside
            # its crime type, "Criminal damage" for "Criminal damage and arson").
            result.error(
                last[0],
                "",
                f"The file's last row has {last[1]} of its {headed} columns: the file looks cut short (a "
                "download that did not finish), so crimes after it are missing. Download it again. Nothing "
                "was written.",
            )
        if not self._strays(located, ours_by_area, force, lsoa_areas):
            self._part_districts(lsoa_areas, ours_by_area)
        self._types_missing(in_file, types)

    def _types_missing(self, in_file: Counter, types: dict):
        """A question when a file of months since May 2013 (today's crime types) has none at all of a
        type a measure it feeds adds up ("Burglary" and "Vehicle crime" but no "Shoplifting"), among at
        least TYPES_MIN_CRIMES of the measure's crimes: a download of some kinds of crime, which would be
        stored as the measure's month."""
        if not self.result.periods:
            return
        known = classification()
        # Only types given in every month of the file (no "Shoplifting" before September 2011: months
        # before a type's are ``_before_their_types``'); "Violent crime" and "Public disorder and weapons"
        # no month since April 2013 gives.
        old = OLD_TYPES if any(key[1] >= TYPES_SINCE for key in self.result.periods) else set()
        firsts = [key[1] for key in self.result.periods]
        given = Counter()
        for label, n in in_file.items():
            given[normalise_label(text_of(label))] += n
        street = {
            label
            for label in (normalise_label(t) for t in known.police_uk_types)
            if label not in old and all(known.held_by(label, first) == label for first in firsts)
        }
        parts = self._street_parts(street)
        used = {
            m
            for kind, line in types.values()
            if kind == LABEL_MEASURES
            for m in self.lines.lines[line].measures
        }
        names = self.mapper.line_names
        for measure in sorted(used, key=lambda m: self.mapper.measures[m].name):
            own = parts.get(measure, set())
            missing = sorted(names.get(t, t) for t in own if not given[t])
            if not missing or sum(given[t] for t in own) < TYPES_MIN_CRIMES:
                continue
            listed = _listed(missing, "or")
            self.result.incomplete.append(
                f"This file has no {listed} crimes at all, which {self.mapper.measures[measure].name} adds "
                "up: it looks like a download of some kinds of crime, and each district's month would be "
                "stored as only the kinds it has. Import the force's whole file instead."
            )

    def _part_districts(self, lsoa_areas: dict, ours_by_area: Counter):
        """A question when a district's crimes lie in under half of its neighbourhoods, with crimes
        enough that each would have some (``PART_MIN_MSOAS``, ``PART_CRIMES_PER_MSOA``): a file of part
        of the district (a neighbourhood's download), which would be stored as the district's month."""
        names = self.mapper.area_names
        for area, hoods in sorted(_neighbourhoods(lsoa_areas).items(), key=lambda item: names[item[0]]):
            numbers = {n for n in hoods if n.__class__ is int}
            if not numbers:
                continue
            highest, crimes = max(numbers), ours_by_area[area]
            if (
                highest < PART_MIN_MSOAS
                or crimes < PART_CRIMES_PER_MSOA * highest
                or 2 * len(numbers) >= highest
            ):
                continue
            listed = ", ".join(f"{n:03d}" for n in sorted(numbers)[:5]) + (
                ", ..." if len(numbers) > 5 else ""
            )
            self.result.incomplete.append(
                f"{names[area]}'s {crimes:,} crimes in this file lie in {len(numbers)} of its "
                f"neighbourhoods (MSOAs {listed}; the LSOA names show it has at least {highest}): the file "
                "looks like part of the district (a neighbourhood's download, or one kind of crime), and the "
                "district's month would be stored as only these. Import the force's whole file instead."
            )

    def _strays(self, located: int, ours_by_area: Counter, force: str, lsoa_areas: dict) -> bool:
        """A question when our areas' crimes are a sliver of a force's file (under STRAY_SHARE of its
        crimes with a location), or a small part of it (under STRAY_NEAR_SHARE) lying in only a few
        neighbourhoods of each district (fewer than PART_MIN_MSOAS): a neighbouring force's crimes just
        over the border, which would be stored as the district's whole month (1 for Cherwell, not 387).
        A district is several per cent of its own force's file, spread over all its neighbourhoods."""
        ours = sum(ours_by_area.values())
        if located < STRAY_MIN_ROWS or not ours or ours >= STRAY_NEAR_SHARE * located:
            return False
        if ours >= STRAY_SHARE * located and any(
            len(hoods) >= PART_MIN_MSOAS for hoods in _neighbourhoods(lsoa_areas).values()
        ):
            return False
        names = self.mapper.area_names
        each = ", ".join(
            f"{names[a]} {n:,}" for a, n in sorted(ours_by_area.items(), key=lambda x: names[x[0]])
        )
        by = f" reported by {force}" if force else ""
        self.result.incomplete.append(
            f"Only {ours:,} of this file's {located:,} crimes with a location ({ours / located:.1%}) are in "
            f"our areas ({each}). A district is a far larger share of its own force's file: these are "
            f"probably crimes just over the border{by}, and each district's month would be stored as only "
            "these. Import the file of the force that covers the district instead."
        )
        return True

    def _crimes_twice(self) -> bool:
        """A data.police.uk file giving one crime (its Crime ID) in two rows, as two downloads put
        together do: an error naming the first such rows, for its crimes would be counted twice."""
        staging, column = self.staging, self.header.columns.get("crime_id")
        twice = "SELECT value, MIN(row_no) AS first_row, MAX(row_no) AS again FROM {rows} WHERE value <> 0 "
        twice += "GROUP BY value HAVING COUNT(*) > 1"
        (n,) = staging.fetchone(f"SELECT COUNT(*) FROM ({twice}) d")
        if not n:
            return False
        _, first, again = staging.fetchone(twice + " ORDER BY MIN(row_no) LIMIT 1")
        self.result.error(
            again,
            self._cell(again, column),
            f"This crime (its Crime ID) is in {self._row_words(first)} too: {n:,} "
            f"crime{'s are' if n != 1 else ' is'} "
            "given more than once in our areas, as when two downloads are put together. Each would be "
            "counted twice: remove the repeated rows (or import each month's file on its own). Nothing "
            "was written.",
        )
        return True

    def _scaled(self, value, row: int) -> int:
        """``scaled(value)``, counting the figures it rounds (more than four decimal places: 27.12345,
        0.00004), for a notice (``_rounding_said``): stored as 27.1234 and 0 without a word before."""
        if value.__class__ is int:
            return value * SCALE
        staged = scaled(value)
        if staged != value * SCALE:
            if self._rounded is None:
                self._rounded = [0, row, value]
            self._rounded[0] += 1
        return staged

    def _rounding_said(self):
        if self._rounded is None:
            return
        n, row, value = self._rounded
        stored = unscaled(scaled(value)).normalize()
        self.result.notices.append(
            f"{n:,} figure{'s have' if n != 1 else ' has'} more than four decimal places, and "
            f"{'are' if n != 1 else 'is'} stored rounded to four (the tracker keeps four): "
            f"{'the first, ' if n != 1 else ''}{self._row_words(row)}, {value.normalize():f} is stored as "
            f"{stored:f}."
        )

    def _finish(self):
        """Find rows given twice, add lines up into figures (street counts with zeros, partial sums
        dropped), and refuse a file that holds nothing for our areas, or no figure at all."""
        result = self.result
        months = self._hyphened[True]
        # "2011-12" among "2011-10", "2011-11", "2012-01": December 2011, or the year 2011/12? ("2015-16"
        # is no month: the year.)
        years = [(t, at) for t, at in self._hyphened[False].items() if 1 <= int(t[5:]) <= 12][:20]
        if months and years:
            for text, (row, column) in years:
                month = f"{calendar.month_abbr[int(text[5:])]} {text[:4]}"
                result.error(
                    row,
                    self._cell(row, column),
                    f"“{text}” could be {month} or the year {text[:4]}/{text[5:]}: this file writes months "
                    f"as “{next(iter(months))}”, so it is probably the month. Write it as “{month}” (or the "
                    f"year as “{text[:4]}/{text[5:]}”). Nothing was written.",
                )
            return
        if not self._ours:
            result.error(None, "", nothing_ours_message(result))
            return
        today = datetime.date.today()
        future = sorted((key for key in result.periods if key[2] > today), key=lambda k: (k[2], k[1]))
        if future:
            shown = ", ".join(period_label(key) for key in future[:3])
            more = f" and {len(future) - 3} more" if len(future) > 3 else ""
            have = "has" if len(future) == 1 else "have"
            result.notices.append(
                f"Check the periods: this file gives figures for {shown}{more}, which {have} not ended yet "
                f"(today is {today:%-d %B %Y})."
            )
        self._rounding_said()
        if self.options.period and result.layout != "wide" and not self._period_given_agrees():
            return
        staging = self.staging
        self.lines.store(staging)
        store_periods(staging, result, self.mapper)
        staging.analyse("rows", "lines", "line_measures", "periods")
        if result.layout != "street":
            once = self._given is not None  # a long file with no cell given twice
            make_figures(staging, result, self.mapper, self.lines, result.layout, self._role_cell, once=once)
            if result.error_count:
                return
        else:
            column = self.header.columns["label"]
            for label, (row, n) in self._street_unknown.items():
                self.result.error(
                    row,
                    self._cell(row, column),
                    f"The crime type “{text_of(label)[:60]}” ({n} crimes in our areas) {UNMAPPED}",
                    label=text_of(label),
                )
            if self._street_unknown or self._crimes_twice():
                return
            count_street_crimes(staging, result)
            self._thin_months()
            self._before_their_types()
            self._areas_without_crimes()
            self._name_month_agrees()
        if result.error_count == 0 and not result.figure_count:
            result.error(
                None,
                "",
                f"The file has {self._ours} row{'s' if self._ours != 1 else ''} for our areas but no figure "
                "to import: every value there is missing or suppressed, on a line no measure uses, or a rate "
                "or percentage for a measure counted in numbers. Nothing was written.",
            )

    def _thin_months(self):
        """A month of a data.police.uk file with a sliver of the crimes of its fullest month
        (``THIN_MONTH_SHARE``) is not stored, with a notice: a few rows of another month, stored as that
        month, would be its figures (2 crimes for a district's February, zeros for others)."""
        months, keys = self._street_months, self.result.periods
        if len(months) < 2 or max(months.values()) < THIN_MONTH_MIN:
            return
        fullest = max(months, key=lambda p: (months[p], p))
        thin = sorted((p for p, n in months.items() if n < THIN_MONTH_SHARE * months[fullest]))
        if not thin:
            return
        self._thin = set(thin)
        marks = ", ".join(["%s"] * len(thin))
        self.staging.execute(f"DELETE FROM {{figures}} WHERE period IN ({marks})", thin)
        used = sum(self._street_used[p] for p in thin)
        self.result.rows_used -= used
        self.result.skip(THIN_MONTH, n=used)
        listed = _listed([f"{period_label(keys[p])} ({months[p]:,} crimes)" for p in thin], "and")
        own = "those months' own files" if len(thin) > 1 else "that month's own file"
        self.result.notices.append(
            f"Not stored: {listed} in our areas, against {months[fullest]:,} for "
            f"{period_label(keys[fullest])}. So few are rows of another month, not its whole file, and "
            "stored they would be its figures (zero for an area with none). Import "
            f"{own} to store {'them' if len(thin) > 1 else 'it'}."
        )

    def _street_parts(self, street: set) -> dict:
        """{measure: the folded data.police.uk crime types (of ``street``) it adds up}, from the mapping."""
        parts = {}
        for label, measures in self.mapper.lines.items():
            if label in street:
                for measure in measures:
                    parts.setdefault(measure, set()).add(label)
        return parts

    def _before_their_types(self):
        """data.police.uk gave some crime types only from a month on (``Classification.type_since``): a
        measure adding one up is not stored for a month before it, unless the type that held its crimes
        then is one of the measure's own too ("Bicycle theft" inside "Other theft" before May 2013). A
        notice says which months and why; a measure with no crime at all in a month says so too."""
        known, staging, result = classification(), self.staging, self.result
        parts = self._street_parts({normalise_label(t) for t in known.police_uk_types})
        names = {normalise_label(t): t for t in known.police_uk_types}
        measure_names = self.mapper.measures
        given = {(m, p) for m, p in staging.fetchall("SELECT DISTINCT measure, period FROM {figures}")}
        dropped = {}  # (measure, its types lacking, the types that held them) -> the months
        counted = {m for m, _ in given}
        for measure in sorted(counted | set(parts), key=lambda m: measure_names[m].name):
            own, gone = parts.get(measure, set()), []
            for index, key in enumerate(result.periods):
                if index in self._thin:
                    continue  # not stored, and said why (``_thin_months``)
                lacking = sorted(
                    t for t in own if (held := known.held_by(t, key[1])) != t and held not in own
                )
                if lacking:
                    if (measure, index) in given:
                        gone.append(index)
                    holders = sorted({known.held_by(t, key[1]) for t in lacking})
                    dropped.setdefault((measure, tuple(lacking), tuple(holders)), []).append(key)
                elif measure in counted and (measure, index) not in given:
                    dropped.setdefault((measure, (), ()), []).append(key)
            if gone:  # one statement a measure
                marks = ", ".join(["%s"] * len(gone))
                staging.execute(
                    f"DELETE FROM {{figures}} WHERE measure = %s AND period IN ({marks})", [measure, *gone]
                )
        for (measure, lacking, holders), keys in dropped.items():
            keys.sort(key=lambda k: k[1])
            labels = [period_label(k) for k in keys]
            months = (
                _listed(labels, "and")
                if len(keys) <= 3
                else f"{len(keys)} months, {labels[0]} to {labels[-1]}"
            )
            name = measure_names[measure].name
            if not lacking:
                result.notices.append(
                    f"{name}: no figure for {months}, for the file has no crime of its kinds in any of our "
                    "areas then (an area and month without one counts zero only when another area has some)."
                )
                continue
            result.notices.append(
                f"{name} is not stored for {months}: data.police.uk did not yet give "
                f"{_listed([names.get(t, t) for t in lacking], 'or')} crimes then (they were counted in "
                f"{_listed([f'“{names.get(h, h)}”' for h in holders], 'and')}), so it cannot be added up "
                f"for {'those months' if len(keys) > 1 else 'that month'}."
            )
        if dropped:
            (result.figure_count,) = staging.fetchone("SELECT COUNT(*) FROM {figures}")

    def _areas_without_crimes(self):
        """A notice naming each of our areas that had a monthly figure of a measure this file feeds, from
        a street import that also counted this file's districts (the same force's file), in the
        ``GAP_MONTHS`` months before the file's first, and has no crime with a location in it: its
        month is not stored (it has no row to count, not zero crimes), and a file without it is worth a
        look (its crimes all without a location, or the wrong force's file)."""
        months = [key for i, key in enumerate(self.result.periods) if i not in self._thin]
        measures = [m for (m,) in self.staging.fetchall("SELECT DISTINCT measure FROM {figures}")]
        if not months or not measures:
            return
        first = min(key[1] for key in months)
        back = first.year * 12 + first.month - 1 - GAP_MONTHS
        since = datetime.date(back // 12, back % 12 + 1, 1)
        # The force's districts: those of the street imports of those months that reached this file's
        # districts (one force's file, whatever other forces' districts the database holds).
        rows = (
            MeasureValue.objects.filter(
                measure_id__in=measures,
                period__kind=Period.Kind.MONTH,
                period__start__gte=since,
                period__start__lt=first,
                batch__layout="street",
            )
            .values_list("batch_id", "area_id", "period__start")
            .distinct()
        )
        ours, rows = self._street_areas, list(rows)
        reached = {batch for batch, area, _ in rows if area in ours}
        had = {}
        for batch, area, start in rows:
            if batch in reached and area not in ours and area in self.mapper.area_names:
                had[area] = max(start, had.get(area, start))
        if not had:
            return
        labels = dict(
            Period.objects.filter(kind=Period.Kind.MONTH, start__in=set(had.values())).values_list(
                "start", "label"
            )
        )
        names = self.mapper.area_names
        missing = sorted((names[a], labels[start]) for a, start in had.items())
        unplaced = self.result.skipped[NO_LOCATION] + self.result.skipped[NO_LSOA_NAME]
        shown = [period_label(key) for key in sorted(months, key=lambda k: k[1])]
        span = _listed(shown, "or") if len(shown) <= 3 else f"{shown[0]} to {shown[-1]}"
        for name, last in missing:
            self.result.notices.append(
                f"No figure for {name} for {span}: this file has no crime with a location there, though "
                f"it had figures up to {last}. "
                + (
                    f"The file's {unplaced:,} crimes without a location cannot be placed in a district. "
                    if unplaced
                    else ""
                )
                + f"If {name} should be in this force's file, download it again; a figure can be "
                "imported for it later."
            )

    def _name_month_agrees(self):
        """A notice when a data.police.uk file's name ("2024-08-thames-valley-street.csv") gives a month
        none of its rows is for: a file renamed, or another month's download saved under this name. The
        rows' own months are used."""
        named = STREET_FILE_MONTH.match(Path(str(self.options.file_name or "")).name)
        if not named or not self.result.periods:
            return
        month = parse_month(f"{named.group(1)}-{named.group(2)}")
        if month is None or month in self.result.periods:
            return
        rows = sorted(self.result.periods, key=lambda k: k[1])
        shown = ", ".join(period_label(key) for key in rows[:3]) + (" ..." if len(rows) > 3 else "")
        self.result.notices.append(
            f"The file's name says {period_label(month)}, but its rows are for {shown}: each crime is "
            "counted in its row's month. Check that this is the month you meant to import."
        )

    def _period_given_agrees(self) -> bool:
        """A file whose rows give their own periods, and a period given by hand: it must be one of
        them (it is not used otherwise), else the file is refused, as a table that states its period
        is when the period given disagrees."""
        result, given = self.result, self.options.period
        asked = parse_period(given)
        if asked is None:
            result.error(None, "", f"“{given}” is not a period the importer knows ({PERIOD_EXAMPLES}).")
            return False
        if asked in result.periods:
            result.notices.append(
                f"The file gives the period on each row; the period given ({period_label(asked)}) is one "
                "of them, and each figure is stored for its row's period."
            )
            return True
        labels = [period_label(key) for key in sorted(result.periods, key=lambda k: (k[1], k[2]))]
        shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        result.error(
            None,
            "",
            f"The period given is {period_label(asked)}, but this file's rows give their own periods "
            f"({shown or 'none'}), and it is not one of them. Leave the period blank to use the file's, or "
            "check that this is the right file. Nothing was written.",
        )
        return False

    def _role_cell(self, row: int, role: str) -> str:
        """The cell of a row's line ("label") or area ("area"), for errors found after the pass."""
        cols = self.header.columns
        if role == "area":
            return self._cell(
                row, cols["area_name"] if cols.get("area_name") is not None else cols["area_code"]
            )
        return self._cell(row, cols.get("label"))


def nothing_ours_message(result: PassResult) -> str:
    """What a file holds when none of its rows is for one of our areas, in plain words."""
    names = Counter()
    partnerships = [reason for reason in result.skipped if str(reason).endswith(PARTNERSHIP_ROWS)]
    for reason in (NOT_OURS, SUBTOTAL, UNASSIGNED, NO_LOCATION, NO_LSOA_NAME, *partnerships):
        names.update(result.examples.get(reason, {}))
    rows = result.rows_read
    if not rows:
        return "The file has no rows of figures under its header: nothing to import."
    if result.skipped.get(SMALL_AREAS):
        small = result.skipped[SMALL_AREAS]
        return (
            f"This file's rows are small areas (LSOAs or MSOAs, such as “Cherwell 001A”) inside our "
            f"districts ({small:,} of {rows:,}), and none is a district: figures are stored per district. "
            "Import a table by district (community safety partnership), or data.police.uk's "
            "street-level crimes, which are counted per district. Nothing was written."
        )
    if result.skipped.get(TRANSPORT_POLICE_REASON) == rows:
        return (
            f"This file holds British Transport Police crimes ({rows} row{'s' if rows != 1 else ''}): crimes "
            "on the railways, which are not counted in a district's recorded crime. Import the territorial "
            "force's file for the month instead. Nothing was written."
        )
    shown = [name for name, _ in names.most_common(5)]
    if not shown:
        held = ""
    elif len(names) <= 5:
        held = ", all for " + (
            " and ".join(shown) if len(shown) <= 2 else ", ".join(shown[:-1]) + " and " + shown[-1]
        )
    else:
        held = f", for {len(names)} areas such as {', '.join(shown)}"
    if shown and all(str(name).replace(",", "").replace(".", "").strip().isdigit() for name in shown):
        return (
            f"The column read as the areas' names holds numbers ({', '.join(shown[:3])}): this looks like a "
            "table with one column per partnership, such as a dashboard's download, which cannot be "
            "imported as it is. To correct figures, download the “figures as stored” from the measure's "
            "page, edit them and import that; otherwise give the file one row per area. Nothing was written."
        )
    return (
        f"None of this file's rows is for one of our areas: {rows} row{'s' if rows != 1 else ''}{held}. "
        + "".join(f"{reason[0].upper()}{reason[1:]}. " for reason in partnerships)
        + "Check that it is the right file, or add the area (or its ONS code or spelling) to the "
        "partnerships. Nothing was written."
    )


def _neighbourhoods(lsoa_areas: dict) -> dict:
    """Per area of ours, the neighbourhoods (MSOAs) its LSOAs in a data.police.uk file lie in: the
    number each LSOA's name gives ("Cherwell 012A": 12), or the LSOA itself where its name gives none."""
    seen = {}
    for lsoa, (area, _reason, _district) in lsoa_areas.items():
        if area is not None:
            number = MSOA_NUMBER.search(text_of(lsoa))
            seen.setdefault(area, set()).add(int(number.group(1)) if number else lsoa)
    return seen
