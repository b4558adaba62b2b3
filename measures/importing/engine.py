"""The one pass over a file that both the preview and the import run.

Rows are read, checked and mapped in a single streamed pass; values are added up into a dict keyed
by (measure, area, period), so memory grows with the number of figures the file holds, not with its
rows (whole numbers are held as int, the rows seen as ints). The preview compares those figures with
the database; the import does the same and then writes the new and changed ones (``ValueWriter``:
bulk upserts on SQLite, COPY on PostgreSQL), in one transaction, with what each changed cell held
before (for rollback). Any error writes nothing.

How measures are made from lines:
- a measure is the sum of the lines mapped to it that the file reports;
- when the file reports some of those lines for an area and period but one of them is missing or
  suppressed there, the measure is *not* stored for that area and period (it would be a partial sum):
  it is listed under "skipped" with the line that is missing;
- lines mapped to the measure that the file does not report at all are listed in the preview
  ("adds up 5 of its 7 lines"), because a measure's mapping holds the names several publishers use
  for one line ("Vehicle offences" in ONS tables, "Vehicle crime" in data.police.uk files);
- data.police.uk files count crimes: an area and month with no crime of a type counts zero.
"""

import datetime
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from measures.importing import layouts
from measures.importing.mapping import (
    LABEL_DIRECT,
    LABEL_IGNORED,
    LABEL_MEASURES,
    LABEL_UNKNOWN,
    NOT_OURS,
    SUBTOTAL,
    Mapper,
)
from measures.importing.period_labels import PeriodKey, find_period_in_text, parse_period, period_label
from measures.importing.readers import ImportFileError, Workbook
from measures.models import ImportChange, Measure, MeasureValue, Period

MAX_ERRORS_KEPT = 200
MAX_EXAMPLES = 12
PROGRESS_EVERY = 20_000
WRITE_BATCH = 2_000
FOUR_PLACES = Decimal("0.0001")
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
    "#n/a",
}
FORMULA_START = ("=", "+", "-", "@")
PERIOD_EXAMPLES = "e.g. 2023/24, 2023/24 Q1, June 2024, year ending December 2024"
UNMAPPED = "is not mapped to any measure: map it (or mark it not used) on the mappings page"
NO_LOCATION = "Crimes with no location (no LSOA), not counted"
IGNORED = "Lines no measure uses (marked “not used” in the mapping)"
SUPPRESSED_REASON = "Suppressed or missing values ([x], [u], :, .., blank): read as missing, not zero"
PARTIAL = "Measures not stored because one of their lines is missing for that area and period"
UNIT_MISMATCH = "Rates or percentages not imported into measures counted in numbers"
NOT_DATA = "Blank, title or note rows"
INSTRUCTIONS = "Instruction lines (from our template)"

SOURCE_LABELS = {
    "template": "Import template",
    "long": "Open-data table",
    "wide": "Recorded crime by area",
    "street": "data.police.uk street-level crime",
}


@dataclass
class Options:
    layout: str = ""
    period: str = ""
    sheet: str = ""


@dataclass
class PassResult:
    layout: str = ""
    sheet: str = ""
    rows_read: int = 0
    values_read: int = 0
    sums: dict = field(default_factory=dict)  # (measure, area, period index) -> Decimal
    periods: list = field(default_factory=list)  # period index -> PeriodKey
    skipped: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=lambda: defaultdict(Counter))
    errors: list = field(default_factory=list)
    error_count: int = 0
    notices: list = field(default_factory=list)
    needs: str = ""  # "period" or "sheet": what the person must choose before the file can be read
    sheets: list = field(default_factory=list)
    period_note: str = ""
    unknown_labels: Counter = field(default_factory=Counter)

    def error(self, row, cell, message, *, label=""):
        """Note an error; ``label`` names an unmapped line, so the page can offer to map it."""
        self.error_count += 1
        if label:
            self.unknown_labels[label] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row, "cell": cell, "message": message})

    def skip(self, reason, example="", n=1):
        self.skipped[reason] += n
        if example:
            self.examples[reason][str(example)] += n


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_formula(text: str) -> bool:
    return text[:1] in FORMULA_START and len(text) > 1


def parse_value(cell) -> tuple[Decimal | int | None, str]:
    """(value, "") or (None, "") for a missing/suppressed cell, or (None, error message).

    Whole numbers come back as int (28 bytes, against 104 for a Decimal): a file's figures are held
    until it has been read, so this keeps the pass's memory down.
    """
    if cell is None or cell == "":
        return None, ""
    if isinstance(cell, bool):
        return None, "is TRUE/FALSE, not a number"
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
    text = str(cell).strip()
    if text.isdigit() and text.isascii():
        return int(text), ""
    if not text:
        return None, ""
    if text.lower() in SUPPRESSED:
        return None, ""
    if text[0] in "=@":
        return None, f"starts with “{text[0]}”: formulas are refused"
    text = re.sub(r"\[[^\]]*\]", "", text).replace(",", "").replace(" ", "").replace("\u00a0", "")
    if text.lower() in SUPPRESSED or not text:
        return None, ""
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


class ImportPass:
    """Read one file and add its values up per measure, area and period, or say what is wrong."""

    def __init__(self, path, options: Options | None = None, *, mapper: Mapper | None = None, progress=None):
        self.path = Path(path)
        self.options = options or Options()
        self.mapper = mapper or Mapper()
        self.progress = progress
        self.result = PassResult()
        self._period_index = {}
        self._period_cache = {}
        self._label_bits = {}
        self._masks = {}  # (m, a, p) -> bit mask of the lines present with a value
        self._measure_bits = defaultdict(int)  # measure -> bit mask of its lines the file reports
        self._seen = set()  # rows read, as ints, to find a figure given twice
        self._lines_seen = {}  # (label, qualifier) -> its number in _seen
        self._direct = {}  # (m, a, p) -> value given for the measure itself (our template)

    # --- the pass -------------------------------------------------------------------------------
    def run(self) -> PassResult:
        try:
            self.book = Workbook(self.path)
            sheet_name = self._choose_sheet()
            if sheet_name is None:
                return self.result
            sheet = self.book.sheet(sheet_name)
            self.result.sheet = sheet_name if self.book.kind == "excel" else ""
            self.first_row = sheet.first_row
            self.first_column = sheet.first_column
            rows = sheet.rows
            head = []
            for cells in rows:
                head.append(cells)
                if len(head) >= layouts.HEADER_SEARCH_ROWS:
                    break
            header = layouts.find_header(head, self.options.layout, self._known)
            self.result.layout = header.layout
            self.header = header
            body = self._chain(head[header.row_index + 1 :], rows)
            start = header.row_index + 1
            if header.layout == "street":
                self._read_street(body, start)
            elif header.layout == "wide":
                self._read_wide(body, start, sheet_name)
            else:
                self._read_long(body, start)
        except ImportFileError as error:
            self.result.error(None, "", str(error))
        if self.result.error_count == 0 and not self.result.needs:
            self._finish()
        return self.result

    @staticmethod
    def _chain(head, rows):
        yield from head
        yield from rows

    def _choose_sheet(self) -> str | None:
        names = self.book.sheet_names
        self.result.sheets = names
        if self.options.sheet:
            if self.options.sheet not in names:
                raise ImportFileError(
                    f"There is no sheet “{self.options.sheet}”. The sheets are: {', '.join(names)}."
                )
            return self.options.sheet
        if len(names) == 1:
            return names[0]
        candidates = []
        for name in names:
            rows = []
            for cells in self.book.sheet(name).rows:
                rows.append(cells)
                if len(rows) >= layouts.HEADER_SEARCH_ROWS:
                    break
            try:
                layouts.find_header(rows, self.options.layout, self._known)
            except ImportFileError:
                continue
            candidates.append(name)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ImportFileError(
                f"None of the sheets ({', '.join(names)}) has a header row the importer recognises."
            )
        self.result.sheets = candidates
        self.result.needs = "sheet"
        self.result.error(
            None,
            "",
            f"This workbook has several tables ({', '.join(candidates)}): choose the sheet to import.",
        )
        return None

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
            total = self.book.size or 1
            self.progress(min(self.book.bytes_read / total, 1.0))

    def _period(self, cell, row, column) -> int | None:
        key = self._period_cache.get(cell)
        if key is None:
            text = text_of(cell)
            if isinstance(cell, str) and is_formula(text):
                self.result.error(
                    row,
                    self._cell(row, column),
                    f"“{text[:40]}” starts with “{text[0]}”: formulas are refused",
                )
                return None
            parsed = parse_period(cell)
            if parsed is None:
                self.result.error(
                    row,
                    self._cell(row, column),
                    f"“{text[:40]}” is not a period the importer knows ({PERIOD_EXAMPLES})",
                )
                return None
            key = self._period_cache[cell] = self._index_period(parsed)
        return key

    def _index_period(self, key: PeriodKey) -> int:
        index = self._period_index.get(key)
        if index is None:
            index = self._period_index[key] = len(self.result.periods)
            self.result.periods.append(key)
        return index

    def _bit(self, label_key) -> int:
        bit = self._label_bits.get(label_key)
        if bit is None:
            bit = self._label_bits[label_key] = 1 << len(self._label_bits)
        return bit

    def _add(self, measures, area, period, value, bit):
        """Add one line's value (or note its absence, value None) into each of its measures."""
        sums, masks, measure_bits = self.result.sums, self._masks, self._measure_bits
        for m in measures:
            key = (m, area, period)
            measure_bits[m] |= bit
            if value is None:
                masks.setdefault(key, 0)
                continue
            old = masks.get(key)
            masks[key] = bit if old is None else old | bit  # the bit itself: no new int per figure
            old = sums.get(key)
            sums[key] = value if old is None else old + value

    def _text_cell(self, cells, column, row) -> str | None:
        """The text of an identifying cell, or None (with an error) when it looks like a formula."""
        if column is None or column >= len(cells):
            return ""
        text = text_of(cells[column])
        if is_formula(text) and isinstance(cells[column], str):
            self.result.error(
                row, self._cell(row, column), f"“{text[:40]}” starts with “{text[0]}”: formulas are refused"
            )
            return None
        return text

    # --- layouts ---------------------------------------------------------------------------------
    def _read_long(self, body, start):
        cols = self.header.columns
        result, mapper = self.result, self.mapper
        c_code, c_name, c_period, c_value, c_label = (
            cols[k] for k in ("area_code", "area_name", "period", "value", "label")
        )
        c_units, c_qualifier = cols.get("units", []), cols.get("qualifier")
        width = max([c for c in cols.values() if isinstance(c, int)] + c_units) + 1
        label_cache = {}
        for offset, cells in enumerate(body):
            row = self.first_row + start + offset
            result.rows_read += 1
            self._tick(result.rows_read)
            if len(cells) < width:
                cells = list(cells) + [""] * (width - len(cells))
            first = text_of(cells[0])
            if first.lower().startswith("instructions:"):
                result.rows_read -= 1
                result.skip(INSTRUCTIONS)
                continue
            code = self._text_cell(cells, c_code, row)
            name = self._text_cell(cells, c_name, row)
            label = self._text_cell(cells, c_label, row)
            if code is None or name is None or label is None:
                continue
            if not (code or name) and not label:
                result.rows_read -= 1
                result.skip(NOT_DATA)
                continue
            area, reason = mapper.area(code, name)
            if area is None:
                result.skip(reason, name or code)
                continue
            qualifier = text_of(cells[c_qualifier]) if c_qualifier is not None else ""
            unit = " ".join(text_of(cells[c]) for c in c_units).lower()
            lkey = (label, qualifier)
            found = label_cache.get(lkey)
            if found is None:
                found = mapper.label(f"{qualifier}: {label}") if qualifier else (None, ())
                if found[0] not in (LABEL_MEASURES, LABEL_IGNORED, LABEL_DIRECT):
                    found = mapper.label(label)
                label_cache[lkey] = found
            kind, measures = found
            if kind == LABEL_IGNORED:
                result.skip(IGNORED, label)
                continue
            if kind not in (LABEL_MEASURES, LABEL_DIRECT):
                result.error(
                    row,
                    self._cell(row, c_label),
                    f"“{label[:60]}” {UNMAPPED}",
                    label=label,
                )
                continue
            period = self._period(cells[c_period], row, c_period)
            value, problem = parse_value(cells[c_value])
            if problem:
                result.error(row, self._cell(row, c_value), f"The value {problem}")
                continue
            if period is None:
                continue
            if unit and ("rate" in unit or "per 1" in unit or "%" in unit or "percent" in unit):
                kept = tuple(m for m in measures if mapper.measures[m].unit != Measure.Unit.COUNT)
                if len(kept) < len(measures):
                    result.skip(UNIT_MISMATCH, f"{label} ({unit})")
                measures = kept
                if not measures:
                    continue
            # One int per row, not a tuple of four: the set holds every row of a long file.
            line = self._lines_seen.setdefault((label, qualifier), len(self._lines_seen))
            seen = (line << 96) | (area << 32) | period  # a period index is below 2**32, a pk 2**64
            if seen in self._seen:
                result.error(
                    row,
                    self._cell(row, c_label),
                    f"Another row already gives {label} for {mapper.area_names[area]}, "
                    f"{period_label(result.periods[period])}",
                )
                continue
            self._seen.add(seen)
            result.values_read += 1
            if value is None:
                result.skip(SUPPRESSED_REASON)
            if kind == LABEL_DIRECT:
                self._direct[measures[0], area, period] = value
                continue
            self._add(measures, area, period, value, self._bit(label))

    def _read_wide(self, body, start, sheet_name):
        cols = self.header.columns
        result, mapper = self.result, self.mapper
        c_code, c_name, c_period = cols["area_code"], cols["area_name"], cols["period"]
        file_period = None
        if c_period is None:
            file_period = self._file_period(sheet_name)
            if file_period is None:
                return
        # Each offence column, mapped once: (column, label, measures, bit).
        columns, unknown = [], []
        for column, label in self.header.offence_columns:
            text = " ".join(str(label).split())
            if is_formula(text):
                result.error(
                    self.first_row + self.header.row_index,
                    self._cell(self.first_row + self.header.row_index, column),
                    f"The header “{text[:40]}” starts with “{text[0]}”: formulas are refused",
                )
                continue
            kind, measures = mapper.label(label)
            if kind == LABEL_IGNORED:
                continue
            if kind not in (LABEL_MEASURES, LABEL_DIRECT):
                unknown.append((column, text))
                continue
            columns.append((column, text, measures, self._bit(text)))
        ignored = [
            text_of(label)
            for column, label in self.header.offence_columns
            if mapper.label(label)[0] == LABEL_IGNORED
        ]
        ours = 0
        for offset, cells in enumerate(body):
            row = self.first_row + start + offset
            code = self._text_cell(cells, c_code, row)
            name = self._text_cell(cells, c_name, row)
            if code is None or name is None:
                result.rows_read += 1
                continue
            if not code and not name:
                result.skip(NOT_DATA)
                continue
            result.rows_read += 1
            self._tick(result.rows_read)
            area, reason = mapper.area(code, name)
            if area is None:
                if reason == NOT_OURS and not any(
                    text_of(c) for c in cells[max(c_code or 0, c_name or 0) + 1 :]
                ):
                    result.skip(NOT_DATA)  # a note below the table: text in the first column only
                    continue
                result.skip(reason, name or code)
                continue
            ours += 1
            if c_period is not None:
                period = self._period(cells[c_period] if c_period < len(cells) else "", row, c_period)
                if period is None:
                    continue
            else:
                period = file_period
            if (area << 32) | period in self._seen:
                result.error(
                    row,
                    self._cell(row, c_name if c_name is not None else c_code),
                    f"{mapper.area_names[area]} appears twice for {period_label(result.periods[period])}",
                )
                continue
            self._seen.add((area << 32) | period)
            for ignored_label in ignored:
                result.skip(IGNORED, ignored_label)
            for column, _label, measures, bit in columns:
                cell = cells[column] if column < len(cells) else None
                value, problem = parse_value(cell)
                if problem:
                    result.error(row, self._cell(row, column), f"The value {problem}")
                    continue
                result.values_read += 1
                if value is None:
                    result.skip(SUPPRESSED_REASON)
                self._add(measures, area, period, value, bit)
        if ours:
            header_row = self.first_row + self.header.row_index
            for column, text in unknown:
                result.error(
                    header_row,
                    self._cell(header_row, column, text),
                    f"The column “{text[:60]}” {UNMAPPED}",
                    label=text,
                )

    def _file_period(self, sheet_name) -> int | None:
        stated = find_period_in_text(f"{self.header.title} {sheet_name if self.book.kind == 'excel' else ''}")
        asked = parse_period(self.options.period) if self.options.period else None
        if self.options.period and asked is None:
            self.result.error(
                None,
                "",
                f"“{self.options.period}” is not a period the importer knows ({PERIOD_EXAMPLES}).",
            )
            return None
        if asked and stated and asked != stated:
            self.result.notices.append(
                f"The file says {period_label(stated)}; you chose {period_label(asked)}, which is used."
            )
        key = asked or stated
        if key is None:
            self.result.needs = "period"
            self.result.error(
                None,
                "",
                "The file does not say which period its figures are for: choose the period "
                "(for example “year ending December 2024” or “2023/24”).",
            )
            return None
        self.result.period_note = f"{period_label(key)} ({'as you chose' if asked else 'as the file states'})"
        return self._index_period(key)

    def _read_street(self, body, start):
        cols = self.header.columns
        result, mapper = self.result, self.mapper
        c_label, c_name, c_code, c_period = (
            cols["label"],
            cols["area_name"],
            cols["area_code"],
            cols["period"],
        )
        if c_period is None:
            raise ImportFileError("A data.police.uk file needs its Month column.")
        width = max(c for c in cols.values() if c is not None) + 1
        counts = self._street_counts = Counter()  # (label, area, period) -> crimes
        area_months = self._street_area_months = set()
        lsoa_areas = {}
        first_rows = self._street_first_rows = {}
        for offset, cells in enumerate(body):
            row = self.first_row + start + offset
            result.rows_read += 1
            self._tick(result.rows_read)
            if len(cells) < width:
                if not any(text_of(c) for c in cells):
                    result.rows_read -= 1
                    result.skip(NOT_DATA)
                    continue
                cells = list(cells) + [""] * (width - len(cells))
            lsoa = cells[c_name]
            found = lsoa_areas.get(lsoa)
            if found is None:
                text = text_of(lsoa)
                if not text or (c_code is not None and not text_of(cells[c_code])):
                    found = (None, NO_LOCATION, "")
                else:
                    district = re.sub(r"\s+[0-9]{3}[A-Z]$", "", text)
                    area, reason = mapper.area("", district)
                    found = (area, reason, district)
                lsoa_areas[lsoa] = found
            area, reason, district = found
            if area is None:
                result.skip(reason, district)
                continue
            period = self._period(cells[c_period], row, c_period)
            if period is None:
                continue
            label = cells[c_label]
            if label not in first_rows:
                first_rows[label] = row
            counts[label, area, period] += 1
            area_months.add((area, period))

    def _finish(self):
        """Turn the added-up lines into figures: street counts with zeros, partial sums dropped."""
        result, mapper = self.result, self.mapper
        if result.layout == "street":
            by_measure = defaultdict(Counter)
            unknown = Counter()
            for (label, area, period), n in self._street_counts.items():
                kind, measures = mapper.label(label)
                if kind == LABEL_IGNORED:
                    result.skip(IGNORED, label, n)
                    continue
                if kind not in (LABEL_MEASURES, LABEL_DIRECT):
                    unknown[label] += n
                    continue
                result.values_read += n
                for m in measures:
                    by_measure[m][area, period] += n
            column = self.header.columns["label"]
            for label, n in unknown.items():
                row = self._street_first_rows[label]
                result.error(
                    row,
                    self._cell(row, column),
                    f"The crime type “{text_of(label)[:60]}” ({n} crimes in our areas) is not mapped to any "
                    "measure: map it (or mark it not used) on the mappings page",
                    label=text_of(label),
                )
            if unknown:
                return
            result.sums = {
                (m, area, period): counts.get((area, period), 0)
                for m, counts in by_measure.items()
                for area, period in self._street_area_months
            }
            return
        sums = result.sums
        lines = {bit: label for label, bit in self._label_bits.items()}
        for key, mask in self._masks.items():
            m, area, period = key
            wanted = self._measure_bits[m]
            if mask == wanted:
                continue
            sums.pop(key, None)
            if mask == 0:
                continue  # every line suppressed: counted under suppressed values already
            missing = [lines[bit] for bit in lines if wanted & bit and not mask & bit]
            result.skip(
                PARTIAL,
                f"{mapper.measures[m].name}, {mapper.area_names[area]}, "
                f"{period_label(result.periods[period])}: no {', '.join(missing)}",
            )
        for key, value in self._direct.items():
            if value is None:
                sums.pop(key, None)
            else:
                sums[key] = value  # a measure's own figure wins over its lines in the same file
        for m, bits in self._measure_bits.items():
            measure = mapper.measures[m]
            mapped = {label for label, ms in mapper.lines.items() if m in ms}
            if len(mapped) > 1:
                seen = sum(1 for bit in lines if bits & bit)
                if seen < len(mapped):
                    result.notices.append(
                        f"{measure.name} adds up {len(mapped)} mapped lines; this file reports {seen} "
                        "of them, and those are added up."
                    )


# --- comparing and writing ---------------------------------------------------------------------------


@dataclass
class Outcome:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    table: list = field(default_factory=list)  # per measure and area: new/changed/unchanged
    changes: list = field(default_factory=list)  # a sample of changed values (old -> new)


def compare_and_write(result: PassResult, mapper: Mapper, *, batch=None, source: str = "") -> Outcome:
    """Compare the pass's figures with the database; with a batch, write them (inside a transaction)."""
    write = batch is not None
    outcome = Outcome()
    period_ids = {}
    missing = []
    for index, key in enumerate(result.periods):
        if key in mapper.periods:
            period_ids[index] = mapper.periods[key]
        else:
            missing.append((index, key))
    if write and missing:
        for index, (kind, start, end) in missing:
            period, _ = Period.objects.get_or_create(kind=kind, start=start, end=end)
            period_ids[index] = period.pk
    by_measure = defaultdict(list)
    for key in result.sums:
        by_measure[key[0]].append(key)
    counts = defaultdict(lambda: [0, 0, 0])
    writer = ValueWriter(batch, source) if write else None
    for m in sorted(by_measure, key=lambda pk: (mapper.measures[pk].order, mapper.measures[pk].name)):
        keys = by_measure[m]
        areas = {a for _, a, _ in keys}
        known_periods = {period_ids[p] for _, _, p in keys if p in period_ids}
        existing = {}
        if known_periods:
            for area, period, value, old_source, old_batch in MeasureValue.objects.filter(
                measure_id=m, area_id__in=areas, period_id__in=known_periods
            ).values_list("area_id", "period_id", "value", "source", "batch_id"):
                existing[area, period] = (value, old_source, old_batch)
        for key in keys:
            _, area, p = key
            value = Decimal(result.sums[key]).quantize(FOUR_PLACES)
            period_id = period_ids.get(p)
            old = existing.get((area, period_id)) if period_id is not None else None
            tally = counts[m, area]
            if old is None:
                tally[0] += 1
            elif old[0] == value:
                tally[2] += 1
                continue
            else:
                tally[1] += 1
                if len(outcome.changes) < 50:
                    outcome.changes.append(
                        {
                            "measure": mapper.measures[m].name,
                            "area": mapper.area_names[area],
                            "period": period_label(result.periods[p]),
                            "old": str(old[0].normalize()),
                            "new": str(value.normalize()),
                        }
                    )
            if writer is None:
                continue
            if abs(value) > MAX_VALUE:
                raise ImportFileError(f"{value} is too large to store")
            writer.add(m, area, period_id, value, old)
    if writer is not None:
        writer.close()
    for (m, area), (new, changed, unchanged) in counts.items():
        outcome.new += new
        outcome.changed += changed
        outcome.unchanged += unchanged
        outcome.table.append(
            {
                "measure": mapper.measures[m].name,
                "area": mapper.area_names[area],
                "new": new,
                "changed": changed,
                "unchanged": unchanged,
            }
        )
    return outcome


UPSERT_COLUMNS = ["measure_id", "area_id", "period_id", "value", "source", "batch_id", "updated_at"]


def _db_datetime(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _flush(to_write: list, previous: list):
    """Upsert value tuples (UPSERT_COLUMNS) and insert the previous values of changed cells.

    Values go in with one ``INSERT ... ON CONFLICT DO UPDATE`` statement run over many rows
    (executemany on SQLite, execute_values on PostgreSQL), not ``bulk_create(update_conflicts=True)``:
    the ORM prepares every field of every row in Python and, on SQLite, splits the insert into
    statements of 142 rows (999 parameters), which made the import 3x slower (see bench/).
    """
    if to_write:
        _upsert(to_write)
        to_write.clear()
    if previous:
        ImportChange.objects.bulk_create(previous, batch_size=WRITE_BATCH)
        previous.clear()


class ValueWriter:
    """Writes an import's new and changed figures, and what each changed cell held before.

    Call ``add`` per figure and ``close`` at the end, inside the caller's transaction.
    SQLite: chunks of ``WRITE_BATCH`` rows through ``_flush``. PostgreSQL: the figures are streamed
    with COPY into a temporary table (one COPY per ``COPY_BATCH`` rows, from an in-memory buffer) and
    written by one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``; previous values are COPYed straight
    into the ImportChange table (no conflict is possible there). COPY skips the per-row parsing and
    planning of an INSERT: the import's write went from 14 s to a few seconds for 360,000 figures.
    """

    def __init__(self, batch, source: str):
        self.batch = batch
        self.source = source
        self.now = _db_datetime(timezone.now())
        self.copying = connection.vendor == "postgresql"
        if self.copying:
            self.figures, self.changes, self.rows = io.StringIO(), io.StringIO(), 0
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {STAGING} (measure_id bigint NOT NULL, area_id bigint NOT NULL, "
                    "period_id bigint NOT NULL, value numeric(14, 4) NOT NULL) ON COMMIT DROP"
                )
        else:
            self.to_write, self.previous = [], []

    def add(self, measure: int, area: int, period: int, value: Decimal, old: tuple | None):
        """One figure to write; ``old`` is (value, source, batch id) of the cell it changes, or None."""
        if not self.copying:
            self.to_write.append((measure, area, period, value, self.source, self.batch.pk, self.now))
            if old is not None:
                self.previous.append(
                    ImportChange(
                        batch=self.batch,
                        measure_id=measure,
                        area_id=area,
                        period_id=period,
                        previous_value=old[0],
                        previous_source=old[1],
                        previous_batch_id=old[2],
                    )
                )
            if len(self.to_write) >= WRITE_BATCH:
                _flush(self.to_write, self.previous)
            return
        self.figures.write(f"{measure}\t{area}\t{period}\t{value}\n")
        if old is not None:
            previous_batch = "\\N" if old[2] is None else old[2]
            self.changes.write(
                f"{self.batch.pk}\t{measure}\t{area}\t{period}\t{old[0]}\t{_copy_text(old[1])}\t{previous_batch}\n"
            )
        self.rows += 1
        if self.rows % COPY_BATCH == 0:
            self._copy()

    def _copy(self):
        with connection.cursor() as cursor:
            for buffer, target in (
                (self.figures, STAGING),
                (self.changes, f"{qn(ImportChange._meta.db_table)} ({', '.join(CHANGE_COLUMNS)})"),
            ):
                if buffer.tell():
                    buffer.seek(0)
                    cursor.cursor.copy_expert(f"COPY {target} FROM STDIN", buffer)
                    buffer.seek(0)
                    buffer.truncate()

    def close(self):
        if not self.copying:
            _flush(self.to_write, self.previous)
            return
        self._copy()
        table = qn(MeasureValue._meta.db_table)
        columns = ", ".join(qn(c) for c in UPSERT_COLUMNS)
        updates = ", ".join(
            f"{qn(c)} = EXCLUDED.{qn(c)}" for c in ("value", "source", "batch_id", "updated_at")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT measure_id, area_id, period_id, value, %s, %s, %s FROM {STAGING} "
                f"ON CONFLICT (measure_id, area_id, period_id) DO UPDATE SET {updates} "
                f"WHERE {table}.value IS DISTINCT FROM EXCLUDED.value",
                [self.source, self.batch.pk, self.now],
            )
            cursor.execute(f"DROP TABLE {STAGING}")


STAGING = "import_figures"
COPY_BATCH = 50_000
CHANGE_COLUMNS = [
    "batch_id",
    "measure_id",
    "area_id",
    "period_id",
    "previous_value",
    "previous_source",
    "previous_batch_id",
]


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _copy_text(text: str) -> str:
    """A string as a field of COPY's text format: backslash, tab and line ends escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _upsert(rows: list):
    qn = connection.ops.quote_name
    table = qn(MeasureValue._meta.db_table)
    columns = ", ".join(qn(c) for c in UPSERT_COLUMNS)
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in ("value", "source", "batch_id", "updated_at"))
    conflict = f"ON CONFLICT ({qn('measure_id')}, {qn('area_id')}, {qn('period_id')}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                f"INSERT INTO {table} ({columns}) VALUES %s {conflict}",
                rows,
                page_size=WRITE_BATCH,
            )
        else:
            placeholders = ", ".join(["%s"] * len(UPSERT_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {conflict}", rows)


def rollback(batch) -> dict:
    """Put back what the batch changed; delete what it created. Cells written since by another import stay."""
    with transaction.atomic():
        changes = {
            (c.measure_id, c.area_id, c.period_id): c
            for c in ImportChange.objects.filter(batch=batch).iterator(chunk_size=WRITE_BATCH)
        }
        restored, removed = [], []
        now = _db_datetime(timezone.now())
        for pk, m, a, p in (
            MeasureValue.objects.filter(batch=batch)
            .values_list("pk", "measure_id", "area_id", "period_id")
            .iterator(chunk_size=WRITE_BATCH)
        ):
            change = changes.pop((m, a, p), None)
            if change is None:
                removed.append(pk)
            else:
                restored.append(
                    (m, a, p, change.previous_value, change.previous_source, change.previous_batch_id, now)
                )
        for i in range(0, len(removed), WRITE_BATCH):
            MeasureValue.objects.filter(pk__in=removed[i : i + WRITE_BATCH]).delete()
        counts = {"restored": len(restored), "removed": len(removed), "kept": len(changes)}
        _flush(restored, [])
        return counts


def source_label(result: PassResult, file_name: str) -> str:
    label = SOURCE_LABELS.get(result.layout, "Import")
    if result.period_note:
        label += f", {result.period_note.split(' (')[0]}"
    text = f"{label} ({file_name})"
    return text if len(text) <= 200 else text[:197] + "…"


def summarise(result: PassResult, outcome: Outcome | None) -> dict:
    """The preview, as JSON for the batch record and the page."""
    by_measure = defaultdict(lambda: {"new": 0, "changed": 0, "unchanged": 0, "areas": []})
    if outcome:
        for row in outcome.table:
            entry = by_measure[row["measure"]]
            entry["areas"].append(row)
            for k in ("new", "changed", "unchanged"):
                entry[k] += row[k]
    return {
        "layout": result.layout,
        "sheet": result.sheet,
        "sheets": result.sheets,
        "needs": result.needs,
        "period_note": result.period_note,
        "periods": sorted({period_label(k) for k in result.periods})
        if len(result.periods) <= 200
        else [f"{len(result.periods)} periods"],
        "rows_read": result.rows_read,
        "values_read": result.values_read,
        "by_measure": [{"measure": name, **entry} for name, entry in by_measure.items()],
        "skipped": [
            {"reason": reason, "count": count, "examples": result.examples[reason].most_common(MAX_EXAMPLES)}
            for reason, count in result.skipped.most_common()
        ],
        "errors": result.errors,
        "error_count": result.error_count,
        "notices": result.notices,
        "unknown_labels": sorted(result.unknown_labels),
        "changes": outcome.changes if outcome else [],
    }


def skipped_rows(result: PassResult) -> int:
    return sum(
        n
        for reason, n in result.skipped.items()
        if reason not in (SUPPRESSED_REASON, PARTIAL, INSTRUCTIONS, NOT_DATA)
    )


__all__ = ["ImportPass", "Options", "compare_and_write", "rollback", "summarise", "SUBTOTAL"]
