"""OpenDocument spreadsheets (ODS, as the ONS publishes its tables beside XLSX), streamed a row at a time.

The sheet's XML (``content.xml``) is parsed as it is unzipped, and each row is taken out of the tree
once read, so memory holds one row, whatever the file's size. Cells and rows an ODS writes once with a
repeat count (``number-columns-repeated``, ``number-rows-repeated``) are repeated; blank ones at the end
of a row or a sheet (LibreOffice writes a million of them) are not. A sheet's names are found by
scanning the XML for its tables' start tags, without parsing it.
"""

import datetime
import html
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Iterator

from measures.importing.xlsx import NoResult, Percent, PercentAsShown

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE, ROW = f"{{{TABLE_NS}}}table", f"{{{TABLE_NS}}}table-row"
CELL, COVERED = f"{{{TABLE_NS}}}table-cell", f"{{{TABLE_NS}}}covered-table-cell"
NAME = f"{{{TABLE_NS}}}name"
ROWS_REPEATED = f"{{{TABLE_NS}}}number-rows-repeated"
COLUMNS_REPEATED = f"{{{TABLE_NS}}}number-columns-repeated"
VALUE_TYPE, VALUE = f"{{{OFFICE_NS}}}value-type", f"{{{OFFICE_NS}}}value"
FORMULA = f"{{{TABLE_NS}}}formula"  # "of:=[.B2]+[.C2]"
DATE_VALUE, BOOLEAN_VALUE = f"{{{OFFICE_NS}}}date-value", f"{{{OFFICE_NS}}}boolean-value"
PARAGRAPH = f"{{{TEXT_NS}}}p"
PARAGRAPHS = {PARAGRAPH, f"{{{TEXT_NS}}}h"}
SPACE, TAB, LINE_BREAK = f"{{{TEXT_NS}}}s", f"{{{TEXT_NS}}}tab", f"{{{TEXT_NS}}}line-break"
SPACES = f"{{{TEXT_NS}}}c"
NUMBERS = {"float", "percentage", "currency"}
MAX_COLUMNS = 16_384  # the widest sheet LibreOffice makes
# <table:table ... table:name="Table 1">, whatever the namespace's prefix (not table:table-row and kin).
TABLE_START = re.compile(rb'<([\w.-]+):table[\s/>][^>]*?\b\1:name="([^"]*)"')
CHUNK = 1 << 20


class TooManyCells(Exception):
    """The rows repeat to more cells than the importer reads."""


def sheet_names(path) -> list[str]:
    """The names of an ODS file's sheets, from its tables' start tags."""
    names, tail = [], b""
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        while chunk := content.read(CHUNK):
            data = tail + chunk
            # A tag cannot hold "<": every tag that starts before the last "<" ends before it.
            cut = data.rfind(b"<")
            names += [html.unescape(m[2].decode()) for m in TABLE_START.finditer(data, 0, cut)]
            tail = data[cut:]
        names += [html.unescape(m[2].decode()) for m in TABLE_START.finditer(tail)]
    return names


class Rows:
    """The rows of one sheet, as lists of cell values (str, float, date, datetime, bool or None).

    ``fraction_read`` says how far through the file's XML the reader is, for the progress bar.
    """

    def __init__(self, path, name: str, max_cells: int):
        self.path, self.name, self.max_cells = path, name, max_cells
        self.read = 0
        self.size = 1

    def fraction_read(self) -> float:
        return min(self.read / self.size, 1.0)

    def __iter__(self) -> Iterator[list]:
        cells_seen, blank, inside, open_elements = 0, 0, False, []
        with zipfile.ZipFile(self.path) as archive, archive.open("content.xml") as content:
            self.size = archive.getinfo("content.xml").file_size or 1
            for event, element in ElementTree.iterparse(content, events=("start", "end")):
                if event == "start":
                    open_elements.append(element)
                    if element.tag == TABLE and element.get(NAME) == self.name:
                        inside = True
                    continue
                open_elements.pop()
                if element.tag == ROW:
                    if inside:
                        cells = row_cells(element)
                        repeated = int(element.get(ROWS_REPEATED, "1"))
                        if not cells:
                            blank += repeated  # written out only when a row with something follows
                        else:
                            cells_seen += len(cells) * repeated
                            if cells_seen > self.max_cells:
                                raise TooManyCells(self.max_cells)
                            self.read = content.tell()
                            for _ in range(blank):
                                yield []
                            blank = 0
                            for _ in range(repeated):
                                yield list(cells)
                    if open_elements:
                        open_elements[-1].remove(element)  # read: out of the tree
                elif element.tag == TABLE:
                    if inside:
                        return
                    element.clear()


def row_cells(row) -> list:
    """A row's cell values, repeats written out, blank cells at its end left off."""
    cells, blank = [], 0
    for cell in row:
        if cell.tag not in (CELL, COVERED):
            continue
        repeated = min(int(cell.get(COLUMNS_REPEATED, "1")), MAX_COLUMNS)
        found = cell_value(cell) if cell.tag == CELL else None
        if found is None:
            blank += repeated
            continue
        if blank:
            cells += [None] * blank
            blank = 0
        cells += [found] * repeated
        if len(cells) > MAX_COLUMNS:
            return cells[:MAX_COLUMNS]
    return cells


def cell_value(cell):
    """A cell's value as python-calamine gives it: numbers as float (a percentage as ``Percent``), dates
    as date or datetime."""
    kind = cell.get(VALUE_TYPE)
    if kind in NUMBERS and cell.get(VALUE) is not None:
        value = float(cell.get(VALUE))
        if kind == "percentage":
            return Percent(value)  # "27.4%" is 27.4, as shown
        shown = cell.find(PARAGRAPH)
        if shown is not None and shown.text and shown.text.rstrip().endswith("%"):
            return PercentAsShown(value)  # 300 shown "300%" by a format that writes the "%" as text
        return value
    if kind == "date" and cell.get(DATE_VALUE):
        text = cell.get(DATE_VALUE)
        try:
            if len(text) == 10:
                return datetime.date.fromisoformat(text)
            return datetime.datetime.fromisoformat(text)
        except ValueError:
            return text
    if kind == "boolean":
        return cell.get(BOOLEAN_VALUE) == "true"
    text = "\n".join(inline_text(p) for p in cell if p.tag in PARAGRAPHS)
    if not text and (not kind or kind in NUMBERS) and cell.get(FORMULA):
        # A formula never worked out (no value): never a blank figure.
        return NoResult("=" + cell.get(FORMULA).split(":=", 1)[-1].lstrip("="))
    return text or None


def inline_text(element) -> str:
    """A paragraph's text, with its spaces (``<text:s text:c="3"/>``), tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == SPACE:
            parts.append(" " * int(child.get(SPACES, "1")))
        elif child.tag == TAB:
            parts.append("\t")
        elif child.tag == LINE_BREAK:
            parts.append("\n")
        else:
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
