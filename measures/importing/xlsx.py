"""A faster way through an XLSX sheet's rows: the same rows openpyxl's read-only ``iter_rows`` gives.

``rows(worksheet)`` yields exactly what ``worksheet.iter_rows(values_only=True)`` yields for an openpyxl
``ReadOnlyWorksheet`` (opened with ``data_only=True``): the same tuples, padded with None to the sheet's
declared width, an empty row for each missing one, stopping at the declared last row. openpyxl builds
an element for every cell (about 25,000 rows of five cells a CPU second); this reads the sheet's XML
64 KB at a time and picks the rows and cells out with one regular expression, several times
faster, holding one chunk at a time.

The regular expression only decides how fast, never what is read. It understands the cells Excel and
openpyxl write (``<c r="B2" s="1" t="s"><f>..</f><v>..</v></c>``, ``<is><t>..</t></is>``); a chunk
holding anything else (rich inline text, whitespace between tags, a row or cell without its ``r``, an
attribute it does not expect, a character reference, a value openpyxl would refuse) is handed to
openpyxl's own sheet parser, and so is a whole sheet that is not plainly written (a prefixed namespace,
another encoding, comments). openpyxl still supplies the
shared strings, the styles (which numbers are dates), the epoch and the sheet's declared size.
"""

import datetime
import io
import itertools
import re
from xml.sax.saxutils import unescape

from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser, _cast_number

CHUNK = 1 << 16  # bytes of the sheet's XML read at a time (64 KB: faster than 1 MB, and less held)
HEAD_LIMIT = 16 << 20  # no <sheetData> in the first 16 MB: openpyxl reads the sheet
MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

HEAD = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:<\?xml([^<>]*)\?>)?\s*(<worksheet\s[^<>]*>)")
ENCODING = re.compile(rb'encoding\s*=\s*["\']([^"\']*)["\']')
SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b([^<>]*)>")
# One token a match: a cell (groups 1-8: column, style, type, formula, the value's element, its value,
# inline string, "</row>" if the row ends after it), a row's start (group 9 its number, group 10 ">" if
# it stays open), or any other tag (no group), which makes the chunk one for openpyxl. A cell's own row
# number is not kept: openpyxl puts a cell in the row it is in (but refuses a row 0, which the
# expression does not match).
TOKEN = re.compile(
    rb'<c r="([A-Z]{1,3})0*[1-9]\d*"(?: s="(\d+)")?(?: t="(\w+)")?'
    rb"(?:/>|>(<f(?: [^<>]*)?(?:/>|>[^<]*</f>))?"
    rb'(?:(<v>([^<]*)</v>|<v ?/>)|<is><t(?: xml:space="preserve")?>([^<]+)</t></is>)?</c>)(</row>)?'
    rb'|<row r="(\d+)"[^<>/]*(/>|>(?:</row>)?)'
    rb"|<"
)
# Bytes XML allows below 128 (openpyxl's parser refuses the others); above, the text is decoded and
# checked for the two code points it also refuses.
ALLOWED = bytes(range(32, 256)) + b"\t\n\r"
FORBIDDEN = re.compile("[\ufffe\uffff]")
REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)")
ENTITIES = {"&quot;": '"', "&apos;": "'"}  # besides &lt; &gt; &amp;, which unescape knows


class _NotSimple(Exception):
    """A chunk the regular expression does not wholly understand: openpyxl parses it."""


class _GiveUp(Exception):
    """From here on openpyxl reads the sheet (from its start, skipping the rows already yielded)."""


class _Columns(dict):
    def __missing__(self, letters):
        self[letters] = index = column_index_from_string(letters.decode())
        return index


COLUMNS = _Columns()


def rows(worksheet):
    """The sheet's rows as ``worksheet.iter_rows(values_only=True)`` yields them, read faster.

    The loop is ``ReadOnlyWorksheet._cells_by_row``'s (values only, from A1) over the rows ``_parsed``
    finds; if it gives up, openpyxl reads the sheet from the start and the rows already yielded are
    skipped.
    """
    if not worksheet.parent.data_only:
        yield from worksheet.iter_rows(values_only=True)
        return
    max_col = worksheet.max_column
    max_row = worksheet.max_row
    empty_row = []
    if max_col is not None:
        empty_row = (None,) * max_col
    counter = 1  # the number of the next row to yield: counter - 1 rows have been
    idx = 1
    try:
        for found in _parsed(worksheet, max_col):
            for idx, row in found:
                if max_row is not None and idx > max_row:
                    break
                while counter < idx:  # some rows are missing
                    counter += 1
                    yield empty_row
                if counter <= idx:
                    counter += 1
                    yield row
            else:
                continue
            break
    except _GiveUp:
        yield from itertools.islice(worksheet.iter_rows(values_only=True), counter - 1, None)
        return
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            yield empty_row


def _parsed(worksheet, max_col):
    """The sheet's rows a chunk at a time: each chunk's (row number, the row's padded tuple) in order."""
    with worksheet._get_source() as source:
        head = b""
        while not (found := SHEET_DATA.search(head, max(len(head) - CHUNK - 100, 0))):
            data = source.read(CHUNK)
            if not data or len(head) > HEAD_LIMIT:
                raise _GiveUp
            head += data
        root = _root(head, found)
        _check(worksheet, head[: found.start()] + b"</worksheet>")  # what openpyxl would refuse first
        reader = _Reader(worksheet, root, max_col)
        if found.group(2).endswith(b"/"):  # <sheetData/>: no rows
            _epilogue(worksheet, root, head[found.end() :], source)
            return
        buffer = head[found.end() :]
        eof = False
        while True:
            end = buffer.find(b"</sheetData>")
            if end >= 0:
                rest = buffer[end + len(b"</sheetData>") :]
                buffer = buffer[:end]
                if b"<!" in buffer or b"<?" in buffer:
                    raise _GiveUp
                if buffer:
                    yield reader.rows(buffer)
                _epilogue(worksheet, root, rest, source)
                return
            if eof:
                raise _GiveUp  # no </sheetData>: openpyxl says what is wrong
            if b"<!" in buffer or b"<?" in buffer:  # comments, CDATA: cut nowhere, openpyxl reads
                raise _GiveUp
            cut = _last_row_end(buffer)
            if cut:
                yield reader.rows(buffer[:cut])
                buffer = buffer[cut:]
            data = source.read(CHUNK)
            eof = not data
            buffer += data


def _root(head, found):
    """The worksheet's start tag, if the sheet is plainly written (else _GiveUp)."""
    match = HEAD.match(head)
    if not match or found.group(1) or found.group(2).strip(b" /"):
        raise _GiveUp
    declaration, root = match.groups()
    if declaration:
        encoding = ENCODING.search(declaration)
        if encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
            raise _GiveUp
    if b" " + MAIN_NS not in root.replace(b"\n", b" ").replace(b"\t", b" ").replace(b"\r", b" "):
        raise _GiveUp
    return root


def _last_row_end(buffer):
    """Where the last complete row in ``buffer`` ends (0 if none does)."""
    cut = buffer.rfind(b"</row>")
    cut = cut + len(b"</row>") if cut >= 0 else 0
    start = buffer.rfind(b"<row")
    if start >= cut:
        close = buffer.find(b">", start)
        if close > 0 and buffer[close - 1] == ord("/"):
            cut = close + 1
    return cut


class NoResult(str):
    """A formula cell with no saved result (the file was written by a program that does not calculate,
    and never opened and saved in a spreadsheet): its formula, never a missing figure."""


class _Parser(WorkSheetParser):
    """openpyxl's parser (values only), but a formula with no saved result is a ``NoResult``, not None."""

    styles = None  # the workbook's _Styles, for the numbers shown as percentages

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        value = cell["value"]
        if cell["data_type"] == "n" and isinstance(value, int | float) and not isinstance(value, bool):
            if self.styles is not None and self.styles[cell["style_id"]] in SHOWN_AS:
                cell["value"] = SHOWN_AS[self.styles[cell["style_id"]]](value)
        if cell["value"] is None and cell["data_type"] != "inlineStr":
            formula = element.find(FORMULA_TAG)
            # An empty text result is written <v></v>; a formula never worked out has no <v> at all
            # (or <v/>, as openpyxl writes one, with no type).
            if formula is not None and (cell["data_type"] != "str" or element.find(VALUE_TAG) is None):
                cell["value"] = NoResult("=" + (formula.text or ""))
        return cell


def _parser(worksheet, source):
    parent = worksheet.parent
    parser = _Parser(
        source,
        worksheet._shared_strings,
        data_only=True,
        epoch=parent.epoch,
        date_formats=parent._date_formats,
        timedelta_formats=parent._timedelta_formats,
    )
    parser.styles = _Styles(parent)
    return parser


def _check(worksheet, document):
    """Parse the sheet's parts before its rows as openpyxl does; anything it refuses, it reports."""
    try:
        for _ in _parser(worksheet, io.BytesIO(document)).parse():
            raise _GiveUp
    except Exception as error:
        raise _GiveUp from error


def _epilogue(worksheet, root, rest, source):
    """Parse the sheet's parts after its rows as openpyxl does: if it finds damage there (or rows),
    openpyxl reads the sheet again, to raise its own error (or yield those rows)."""
    try:
        for _ in _parser(worksheet, _Joined(root + rest, source)).parse():
            raise _GiveUp
    except Exception as error:
        raise _GiveUp from error


class _Joined:
    """A file that reads ``first`` and then ``rest``."""

    def __init__(self, first, rest):
        self.first, self.rest = first, rest

    def read(self, size=-1):
        if self.first:
            data, self.first = self.first, b""
            return data
        return self.rest.read(size)


class Percent(float):
    """A number shown as a percentage (0.274 shown "27.4%"): what a person typed and sees is 27.4."""


class PercentAsShown(float):
    """A number shown with a "%" its format writes as text (300 shown "300%" by '0"%"'): a percentage
    as it is, not multiplied."""


PERCENT, PERCENT_AS_TEXT = "%", '"%"'
YEAR_SHOWN = "yyyy"  # a date shown as its year alone: read as the year the sheet shows ("2023")
YEAR_ONLY = re.compile(r"^(?:\[[^\]]*\])*\s*y+\s*$", re.IGNORECASE)  # "yyyy", "[$-809]yyyy"


# Text a number format shows as written ('0.0"%"', '0.0\%'): a "%" there is not a percentage.
LITERALS = re.compile(r'"[^"]*"|\\.')
# A "%" written as text straight after the number ('0"%"', '0.0" %"', '0\%'): the number shown is a
# percentage as it stands (27 shows "27%"). A "%" in other words ('0" (100%)"') says nothing of it.
PERCENT_AFTER = re.compile(r'[0#?]\s*(?:"\s*%\s*"|\\%)')


# What a number is, by what its format shows (a kind from _Styles).
SHOWN_AS = {PERCENT: Percent, PERCENT_AS_TEXT: PercentAsShown}


class _Styles(dict):
    """Style id (as written) -> None (a plain number), False (a date), True (a duration), PERCENT or
    PERCENT_AS_TEXT."""

    def __init__(self, parent):
        super().__init__()
        self.parent = parent
        self.dates, self.durations = parent._date_formats, parent._timedelta_formats

    def __missing__(self, s):
        style = int(s) if s else 0
        kind = (style in self.durations) if style in self.dates else None
        if kind is False and YEAR_ONLY.match(LITERALS.sub("", _number_format(self.parent, style))):
            kind = YEAR_SHOWN
        if kind is None:
            shown = _number_format(self.parent, style)
            if PERCENT in LITERALS.sub("", shown):
                kind = PERCENT
            elif PERCENT_AFTER.search(shown):
                kind = PERCENT_AS_TEXT
        self[s] = kind
        return kind


def _number_format(parent, style: int) -> str:
    """The number format of a style, as written ("0.0%"), or ""."""
    try:
        fmt_id = parent._cell_styles[style].numFmtId
    except (IndexError, AttributeError):
        return ""
    if fmt_id in BUILTIN_FORMATS:
        return BUILTIN_FORMATS[fmt_id]
    custom = getattr(parent, "_number_formats", [])
    return custom[fmt_id - 164] if 0 <= fmt_id - 164 < len(custom) else ""


class _Shared(dict):
    """A shared string by its index as written (b"12"): one dict look-up instead of int() and an index."""

    def __init__(self, strings):
        super().__init__()
        self.strings = strings

    def __missing__(self, raw):
        value = self[raw] = self.strings[int(raw)]
        return value


class _Reader:
    """Turns chunks of whole ``<row>`` elements into (row number, padded tuple)."""

    def __init__(self, worksheet, root, max_col):
        self.worksheet = worksheet
        self.root = root
        self.max_col = max_col
        self.last_row = 0  # openpyxl's row counter: a row without r follows the one before
        self.styles = _Styles(worksheet.parent)
        self.epoch = worksheet.parent.epoch
        self.shared = worksheet._shared_strings
        self.by_index = _Shared(self.shared)

    def rows(self, chunk):
        """The chunk's rows: a list, or openpyxl's parser's rows as it finds them."""
        try:
            found = self.simple(chunk)
        except _NotSimple:
            return self.openpyxl_rows(chunk)
        if found:
            self.last_row = found[-1][0]
        return found

    def openpyxl_rows(self, chunk):
        """openpyxl's parser on the chunk alone, counting on from the last row number seen."""
        document = self.root + b"<sheetData>" + chunk + b"</sheetData></worksheet>"
        parser = _parser(self.worksheet, io.BytesIO(document))
        parser.row_counter = self.last_row
        for idx, cells in parser.parse():
            self.last_row = idx
            yield idx, _get_row(cells, self.max_col)

    def simple(self, chunk):
        """The chunk's rows, or _NotSimple if anything in it is not understood."""
        if chunk.translate(None, ALLOWED) or b"xmlns" in chunk or b"]]>" in chunk:
            raise _NotSimple
        plain = chunk.isascii()
        if not plain:
            try:
                if FORBIDDEN.search(chunk.decode("utf-8")):
                    raise _NotSimple
            except UnicodeDecodeError:
                raise _NotSimple from None
        if b"&" in chunk or b"\r" in chunk:
            if REFERENCE.search(chunk):
                raise _NotSimple
            plain = False
        try:
            return self.convert(TOKEN.findall(chunk), plain)
        except _NotSimple:
            raise
        except Exception as error:  # a value openpyxl would refuse: it says so, at its row
            raise _NotSimple from error

    def convert(self, tokens, plain):
        """Rows from the tokens; a value is converted from its bytes when ``plain`` (ASCII, nothing to
        unescape), else from its text."""
        max_col = self.max_col
        styles, epoch, shared, columns, value = self.styles, self.epoch, self.by_index, COLUMNS, self.value
        found = []
        append = found.append
        row_r = None  # the open row's number, as written
        new_row = cells = None
        fixed = bool(max_col)
        idx = 0
        for col, s, t, formula, v_element, v, inline, row_end, r, opened in tokens:
            if col:
                if row_r is None:
                    raise _NotSimple  # a cell outside a row
                if not v:
                    if formula and (t != b"str" or not v_element):
                        raise _NotSimple  # a formula never worked out: openpyxl's parser (below) says so
                    v = None
                    if inline and t == b"inlineStr":
                        v = inline.decode("ascii") if plain else _text(inline)
                elif not plain:
                    v = value(v, s, t)
                elif t == b"s":
                    v = shared[v]
                elif not t or t == b"n":
                    if v.isdigit():
                        v = int(v)
                    else:
                        v = float(v) if b"." in v or b"E" in v or b"e" in v else int(v)  # openpyxl's cast
                    kind = styles[s]
                    if kind is None:
                        pass
                    elif kind is PERCENT:
                        v = Percent(v)
                    elif kind is PERCENT_AS_TEXT:
                        v = PercentAsShown(v)
                    elif kind is YEAR_SHOWN:
                        v = _year_shown(v, epoch)
                    else:
                        try:
                            v = from_excel(v, epoch, timedelta=kind)
                        except (OverflowError, ValueError):
                            raise _NotSimple from None  # openpyxl warns and makes it "#VALUE!"
                elif t == b"b":
                    v = bool(int(v))
                else:
                    v = value(v, s, t)
                column = columns[col]
                if fixed:
                    if column <= max_col:
                        new_row[column - 1] = v
                elif column == len(cells) + 1:  # the next column: Excel writes a row's cells in order
                    cells.append(v)
                elif column > len(cells):
                    cells += [None] * (column - len(cells) - 1)
                    cells.append(v)
                else:
                    raise _NotSimple  # out of order or twice: openpyxl says which cell wins
                if row_end:
                    append((idx, tuple(new_row if fixed else cells)))
                    row_r = new_row = cells = None
            elif r:
                if row_r is not None:
                    raise _NotSimple  # a row inside a row
                idx = int(r)
                if fixed:
                    new_row = [None] * max_col
                else:
                    cells = []
                if opened == b">":
                    row_r = r
                else:  # <row r="3"/> or <row r="3"></row>
                    append((idx, self.finish(new_row, cells)))
                    new_row = cells = None
            else:
                raise _NotSimple  # a tag the expression does not know
        if row_r is not None:
            raise _NotSimple
        return found

    def value(self, v, s, t):
        """``WorkSheetParser.parse_cell``'s value (data only) from a ``<v>``'s bytes, unescaped."""
        v = _text(v) or None
        if v is None:
            return None
        if not t or t == b"n":
            v = _cast_number(v)
            kind = self.styles[s]
            if kind in SHOWN_AS:
                return SHOWN_AS[kind](v)
            if kind is YEAR_SHOWN:
                return _year_shown(v, self.epoch)
            if kind is not None:
                try:
                    v = from_excel(v, self.epoch, timedelta=kind)
                except (OverflowError, ValueError):
                    raise _NotSimple from None
        elif t == b"s":
            v = self.shared[int(v)]
        elif t == b"b":
            v = bool(int(v))
        elif t == b"d":
            v = from_ISO8601(v)
        elif t == b"inlineStr":
            v = None
        return v

    def finish(self, new_row, cells):
        """The row's tuple: padded to the sheet's width, or (no width declared) to its last cell."""
        return tuple(new_row if new_row is not None else cells)


class YearShown(datetime.datetime):
    """A date shown as its year alone ("yyyy"): the same date as openpyxl reads, which a period cell
    reads as the year the sheet shows ("2023"), never as the date's month (January 2023)."""


def _year_shown(v, epoch) -> YearShown:
    try:
        day = from_excel(v, epoch)
    except (OverflowError, ValueError):
        raise _NotSimple from None  # openpyxl warns and makes it "#VALUE!"
    if not isinstance(day, datetime.datetime):
        raise _NotSimple
    return YearShown(day.year, day.month, day.day, day.hour, day.minute, day.second, day.microsecond)


def _text(raw):
    """A text node's bytes as the XML parser gives them: decoded, line ends normalised, unescaped."""
    return unescape(raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"), ENTITIES)


def _get_row(cells, max_col):
    """``ReadOnlyWorksheet._get_row`` (values only, from column A) for openpyxl's parsed cells."""
    if not cells and not max_col:
        return ()
    max_col = max_col or cells[-1]["column"]
    new_row = [None] * max_col
    for cell in cells:
        column = cell["column"]
        if 1 <= column <= max_col:
            new_row[column - 1] = cell["value"]
    return tuple(new_row)
