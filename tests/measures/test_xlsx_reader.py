"""The fast XLSX reader yields exactly what openpyxl's read-only ``iter_rows(values_only=True)`` yields.

Every case is read both ways and compared row by row, value by value, type by type (and, for a damaged
sheet, the rows before the error and the error's type), with the declared size and after
``reset_dimensions()``, and with the reader's chunks at their real size and at 200 bytes (so chunk
boundaries fall all through each sheet). Each case also says which way it must be read: wholly by the
fast path, partly by openpyxl's parser (a chunk it does not understand), or wholly by openpyxl.
"""

# ruff: noqa: E501 - the sheets' XML reads best a row to a line

import datetime
import re
import warnings
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from measures.importing import sheet_process, xlsx
from measures.importing.readers import ImportFileError
from measures.importing.readers import Workbook as ImportWorkbook
from measures.importing.xlsx import NoResult

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ROOT = f'<worksheet xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
# Styles: 0 plain, 1 a built-in date (14), 2 a custom date-time, 3 a duration ([h]:mm), 4 a number.
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="165" formatCode="[h]:mm"/>'
    '</numFmts><cellXfs count="5">'
    '<xf numFmtId="{first}"/><xf numFmtId="14" applyNumberFormat="1"/>'
    '<xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/>'
    '<xf numFmtId="2" applyNumberFormat="1"/></cellXfs></styleSheet>'
)
SHARED = ["area", "value", "Cherwell", "Oxford & Abingdon", "line\nbreak"]
RICH = '<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space="preserve"> and plain</t></r></si>'


def write_parts(path, sheets, *, styles=True, first_style=0, date1904=False, shared=SHARED):
    """An XLSX written part by part: ``sheets`` maps a sheet's name to its whole XML."""
    names = list(sheets)
    book = f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
    if date1904:
        book += '<workbookPr date1904="1"/>'
    book += "<sheets>" + "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
    )
    book += "</sheets></workbook>"
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    rels += f'<Relationship Id="rId90" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    if styles:
        rels += f'<Relationship Id="rId91" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{TYPES}.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared) + RICH
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", XML + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPES}.sheet.main+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{TYPES}.styles+xml"/>{overrides}</Types>'
        ))  # fmt: skip
        archive.writestr(
            "_rels/.rels",
            XML + f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", XML + book)
        archive.writestr(
            "xl/_rels/workbook.xml.rels", XML + f'<Relationships xmlns="{RELS}">{rels}</Relationships>'
        )
        archive.writestr("xl/sharedStrings.xml", XML + f'<sst xmlns="{MAIN}">{strings}</sst>')
        if styles:
            archive.writestr("xl/styles.xml", XML + STYLES.replace("{first}", str(first_style)))
        for i, name in enumerate(names, 1):
            text = sheets[name]
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml", text if isinstance(text, bytes) else text.encode()
            )
    return path


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet(rows, dimension="A1:E12", root=ROOT, head=XML, tail=""):
    """A worksheet's XML around ``rows`` (the inside of <sheetData>)."""
    size = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{head}{root}{size}<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetData>{rows}</sheetData>{tail}</worksheet>'


def plain_rows(first, last, width=5):
    """Rows as Excel writes them: text in the shared strings, numbers, a date."""
    out = []
    for n in range(first, last + 1):
        cells = [f'<c r="A{n}" t="s"><v>{n % 3}</v></c>', f'<c r="B{n}"><v>{n * 7}</v></c>']
        cells.append(f'<c r="C{n}" s="1"><v>{45000 + n}</v></c>')
        cells += [f'<c r="{"DEFGH"[j]}{n}"><v>{n}.5</v></c>' for j in range(width - 3)]
        out.append(f'<row r="{n}" spans="1:{width}">{"".join(cells)}</row>')
    return "".join(out)


PLAIN = plain_rows(1, 12)
INLINE_ROW = '<row r="6"><c r="A6" t="inlineStr"><is><t>inline</t></is></c><c r="B6"><v>1</v></c></row>'

# name: (sheet XML, how it must be read: "fast", "chunk" (openpyxl parses some chunks) or "sheet")
HAND_WRITTEN = {
    "plain, as Excel writes": (sheet(PLAIN), "fast"),
    "inline strings": (
        sheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c><c r="B1" t="inlineStr"/>'
            '<c r="C1" t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c>'
            '<c r="D1"><is><t>not inline</t></is></c><c r="E1" t="inlineStr"><v>5</v></c></row>'
        ),
        "fast",
    ),
    "rich inline strings": (
        sheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>bold</t></r><r><t>, plain</t></r></is></c><c r="B1"><v>2</v></c></row>'
        ),
        "chunk",
    ),
    "an empty inline string": (
        sheet('<row r="1"><c r="A1" t="inlineStr"><is><t></t></is></c></row>'),
        "chunk",
    ),
    "rich-text shared string": (
        sheet('<row r="1"><c r="A1" t="s"><v>5</v></c><c r="B1" t="s"><v>3</v></c></row>'),
        "fast",
    ),
    "str results with entities": (
        sheet(
            '<row r="1"><c r="A1" t="str"><f>"a"&amp;"b"</f><v>a &amp; b &lt;c&gt; &quot;q&quot; &apos;</v></c>'
            '<c r="B1" t="str"><f>B2</f><v></v></c><c r="C1" t="str"><f>X</f><v>Ünïcödé €</v></c></row>'
        ),
        "fast",
    ),
    "character references": (sheet('<row r="1"><c r="A1" t="str"><v>&#65;&#x42;</v></c></row>'), "chunk"),
    "errors, booleans, ISO dates, unknown types": (
        sheet(
            '<row r="1"><c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B1" t="b"><v>1</v></c>'
            '<c r="C1" t="b"><v>0</v></c><c r="D1" t="d"><v>2024-03-01T12:30:00</v></c>'
            '<c r="E1" t="d"><v>2024-03-01</v></c></row>'
            '<row r="2"><c r="A2" t="n"><v>3</v></c><c r="B2" t="foo"><v>x</v></c><c r="C2" t="d"><v>12:30:00</v></c></row>'
        ),
        "fast",
    ),
    "formulas with cached values, shared formulas": (
        sheet(
            '<row r="1"><c r="A1"><f>SUM(B1:C1)</f><v>3</v></c><c r="B1"><v>1</v></c><c r="C1"><v>2</v></c></row>'
            '<row r="2"><c r="A2"><f t="shared" ref="A2:A4" si="0">B2*2</f><v>4</v></c></row>'
            '<row r="3"><c r="A3"><f t="shared" si="0"/><v>6</v></c><c r="B3"><f/></c></row>'
            '<row r="4"><c r="A4" s="1"><f t="shared" si="0"/><v>45000</v></c><c r="B4"><f>NOW()</f></c></row>'
        ),
        "chunk",  # B3 and B4 have no saved result: openpyxl's parser reads their chunk (below)
    ),
    "numbers": (
        sheet(
            '<row r="1"><c r="A1"><v>0.1</v></c><c r="B1"><v>1E-7</v></c><c r="C1"><v>1e20</v></c>'
            '<c r="D1"><v>-42</v></c><c r="E1"><v>-0.5</v></c></row>'
            '<row r="2"><c r="A2"><v>12345678901234567890</v></c><c r="B2" s="4"><v>3.25</v></c>'
            '<c r="C2" s="2"><v>45000.5</v></c><c r="D2" s="3"><v>1.75</v></c><c r="E2" s="1"><v>45000</v></c></row>'
        ),
        "fast",
    ),
    "date out of range": (
        sheet('<row r="1"><c r="A1" s="1"><v>99999999</v></c><c r="B1" s="1"><v>-5</v></c></row>'),
        "chunk",
    ),
    "rows without r": (sheet('<row><c r="A1"><v>1</v></c></row><row><c r="A2"><v>2</v></c></row>'), "chunk"),
    "cells without r": (
        sheet(
            '<row r="1"><c><v>1</v></c><c t="s"><v>0</v></c></row><row r="2"><c s="1"><v>45000</v></c></row>'
        ),
        "chunk",
    ),
    "self-closing and empty rows, empty cells": (
        sheet(
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="2" spans="1:5"/><row r="3"></row>'
            '<row r="4"><c r="B4" s="1"/><c r="C4"></c><c r="D4" t="s"/></row><row r="5" spans="1:5" ht="20" customHeight="1"/>'
        ),
        "fast",
    ),
    "t before s": (
        sheet(
            '<row r="1"><c r="A1" t="s" s="1"><v>1</v></c><c r="B1" t="n" s="1"><v>45000</v></c><c r="C1"><v>3</v></c></row>'
        ),
        "chunk",
    ),
    "extra attributes cm, vm, ph": (
        sheet(
            '<row r="1"><c r="A1" s="1" cm="1"><v>45000</v></c><c r="B1" vm="1"><v>2</v></c><c r="C1" t="s" ph="1"><v>1</v></c><c r="D1"><v>4</v></c></row>'
        ),
        "chunk",
    ),
    "pretty-printed": (
        sheet(
            '\n  <row r="1" spans="1:2">\n    <c r="A1" t="s">\n      <v>0</v>\n    </c>\n    <c r="B1"><v>5</v></c>\n  </row>\n'
            '  <row r="2">\n    <c r="A2" s="1"><v>45000</v></c>\n  </row>\n'
        ),
        "chunk",
    ),
    "x: prefixed": (
        f'{XML}<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:B2"/><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>',
        "sheet",
    ),
    "no dimension": (sheet(PLAIN, dimension=None), "fast"),
    "dimension A1": (sheet(PLAIN, dimension="A1"), "fast"),
    "dimension smaller than the data, with a gap": (
        sheet(
            '<row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>4</v></c></row><row r="2"><c r="C2"><v>3</v></c></row>'
            '<row r="6"><c r="A6"><v>6</v></c></row><row r="7"><c r="A7"><v>7</v></c></row>',
            dimension="A1:B4",
        ),
        "fast",
    ),
    "dimension larger than the data": (sheet(plain_rows(1, 3), dimension="A1:G40"), "fast"),
    "gaps of several rows, sparse columns": (
        sheet(
            '<row r="3"><c r="C3"><v>1</v></c></row><row r="9"><c r="A9"><v>0</v></c><c r="AB9"><v>2</v></c></row>'
            '<row r="20"><c r="AAA20" t="s"><v>1</v></c></row>',
            dimension="A1:AAA25",
        ),
        "fast",
    ),
    # With no size declared, openpyxl makes a row as wide as its last cell (A9 here, so AB9 is lost):
    # the fast path leaves such a chunk to openpyxl; with the size declared it places each cell itself.
    "a row's cells out of order": (
        sheet(
            '<row r="3"><c r="C3"><v>1</v></c></row><row r="9"><c r="AB9"><v>2</v></c><c r="A9"><v>0</v></c></row>',
            dimension="A1:AB25",
        ),
        {False: "fast", True: "chunk"},
    ),
    "rows out of order and repeated": (
        sheet(
            '<row r="2"><c r="A2"><v>2</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="4"><c r="A4"><v>4</v></c></row><row r="4"><c r="A4"><v>5</v></c></row>',
            dimension=None,
        ),
        "fast",
    ),
    "cells out of order, repeated, numbered for another row": (
        sheet(
            '<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c><c r="A1"><v>9</v></c></row>'
            '<row r="2"><c r="B7"><v>7</v></c></row>',
            dimension=None,
        ),
        "chunk",  # no size declared: openpyxl's rule for cells out of order (the last one sets the width)
    ),
    "carriage returns in a str value": (
        sheet('<row r="1"><c r="A1" t="str"><v>one\r\ntwo\rthree\nfour</v></c></row>'),
        "fast",
    ),
    "a non-simple row among simple ones": (
        sheet(
            plain_rows(1, 5)
            + INLINE_ROW
            + "<row>"
            + plain_rows(7, 7)[len('<row r="7" spans="1:5">') :]
            + plain_rows(8, 12)
        ),
        "chunk",
    ),
    "a comment in the rows": (sheet(plain_rows(1, 3) + "<!-- a note -->" + plain_rows(4, 6)), "sheet"),
    "empty sheetData": (sheet("").replace("<sheetData></sheetData>", "<sheetData/>"), "fast"),
    "no rows": (sheet(""), "fast"),
    "another encoding": (
        sheet(
            '<row r="1"><c r="A1" t="str"><v>caf\u00e9</v></c></row>', head=XML.replace("UTF-8", "ISO-8859-1")
        ).encode("latin-1"),
        "sheet",
    ),
    "parts after the rows": (
        sheet(
            plain_rows(1, 3),
            tail='<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>',
        ),
        "fast",
    ),
    "a namespace declared on a row": (
        sheet('<row r="1" xmlns="urn:other"><c r="A1"><v>1</v></c></row>'),
        "chunk",
    ),
    "damaged: a tag left open": (
        sheet(plain_rows(1, 4) + '<row r="5"><c r="A5"><v>1</c></row>' + plain_rows(6, 8)),
        "chunk",
    ),
    "damaged: a forbidden character": (
        sheet(plain_rows(1, 4) + '<row r="5"><c r="A5" t="str"><v>a\x01b</v></c></row>'),
        "chunk",
    ),
    "damaged: row 0": (sheet('<row r="0"><c r="A0"><v>1</v></c></row>'), "chunk"),
    "damaged: a cell in row 0": (
        sheet('<row r="1"><c r="A0"><v>1</v></c><c r="B01"><v>2</v></c></row>'),
        "chunk",
    ),
    "rows numbered 0 and 07": (
        sheet('<row r="0"><c r="A1"><v>0</v></c></row><row r="07"><c r="A7"><v>7</v></c></row>'),
        "fast",
    ),
    "a row inside a row": (
        sheet('<row r="1"><c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v></c></row></row>'),
        "chunk",
    ),
    "a cell outside a row": (sheet('<c r="A1"><v>1</v></c><row r="2"><c r="A2"><v>2</v></c></row>'), "chunk"),
    "damaged: no such shared string": (
        sheet(plain_rows(1, 3) + '<row r="4"><c r="A4" t="s"><v>99</v></c></row>'),
        "chunk",
    ),
    "damaged: an unknown entity": (sheet('<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>'), "chunk"),
    "damaged: cut short": (sheet(PLAIN)[:-40], "sheet"),
    "damaged: a row left open": (sheet(plain_rows(1, 3) + '<row r="4"><c r="A4"><v>1</v></c>'), "chunk"),
    "damaged: a part after the rows": (sheet(PLAIN, tail='<pageMargins left="wide" right="0.7"/>'), "sheet"),
    "another main namespace (strict)": (
        sheet(PLAIN, root='<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main">'),
        "sheet",
    ),
}


@pytest.fixture(params=[xlsx.CHUNK, 200], ids=["64 KB chunks", "200-byte chunks"])
def chunk(request, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK", request.param)
    return request.param


def outcome(rows):
    """The rows read (each value with its type) and the type of the error that stopped them, if any. A
    formula with no saved result is None to openpyxl, and ``NoResult`` to ours: both are None here."""
    got = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for row in rows:
                got.append(
                    (
                        type(row),
                        [
                            (None, None)
                            if v is None or isinstance(v, NoResult)
                            else (datetime.datetime, v)  # a date shown as its year: the same date
                            if isinstance(v, xlsx.YearShown)
                            else (type(v), v)
                            for v in row
                        ],
                    )
                )
        except Exception as error:  # noqa: BLE001 - the error's type is compared
            return got, type(error)
    return got, None


def counted(calls, name, function):
    def wrapper(*args, **kwargs):
        calls[name] += 1
        return function(*args, **kwargs)

    return wrapper


def compare(path, monkeypatch, reset=False):
    """Read every sheet of ``path`` both ways; assert they agree; return how each sheet was read."""
    ways = []
    for index in range(len(load_workbook(path, read_only=True).worksheets)):
        book = load_workbook(path, read_only=True, data_only=True)
        worksheet = book.worksheets[index]
        if reset:
            worksheet.reset_dimensions()
        calls = {"chunk": 0, "sheet": 0}
        with monkeypatch.context() as patch:
            patch.setattr(xlsx._Reader, "openpyxl_rows", counted(calls, "chunk", xlsx._Reader.openpyxl_rows))
            patch.setattr(
                ReadOnlyWorksheet, "iter_rows", counted(calls, "sheet", ReadOnlyWorksheet.iter_rows)
            )
            ours = outcome(xlsx.rows(worksheet))
        theirs = outcome(worksheet.iter_rows(values_only=True))
        assert ours == theirs
        book.close()
        ways.append("sheet" if calls["sheet"] else "chunk" if calls["chunk"] else "fast")
    return ways


@pytest.mark.parametrize("reset", [False, True], ids=["declared size", "reset_dimensions"])
@pytest.mark.parametrize("case", HAND_WRITTEN)
def test_hand_written_sheets_read_as_openpyxl_reads_them(case, reset, chunk, tmp_path, monkeypatch):
    text, way = HAND_WRITTEN[case]
    path = write_parts(tmp_path / "book.xlsx", {"Data": text})
    assert compare(path, monkeypatch, reset=reset) == [way[reset] if isinstance(way, dict) else way]


@pytest.mark.parametrize("first_style", [0, 14], ids=["plain default style", "date default style"])
@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_styles_and_epochs(first_style, date1904, chunk, tmp_path, monkeypatch):
    """Which numbers are dates comes from the styles (a cell without s has style 0); the epoch from the
    workbook."""
    rows = sheet(
        PLAIN + '<row r="13"><c r="A13"><v>45000</v></c><c r="B13" s="3"><v>0.5</v></c></row>', "A1:E13"
    )
    path = write_parts(tmp_path / "book.xlsx", {"Data": rows}, first_style=first_style, date1904=date1904)
    for reset in (False, True):
        assert compare(path, monkeypatch, reset=reset) == ["fast"]


def test_no_styles_part(chunk, tmp_path, monkeypatch):
    path = write_parts(tmp_path / "book.xlsx", {"Data": sheet(PLAIN)}, styles=False)
    assert compare(path, monkeypatch) == ["fast"]


def openpyxl_book(path, date1904=False):
    book = Workbook()
    if date1904:
        book.epoch = datetime.datetime(1904, 1, 1)
    data = book.active
    data.title = "Data"
    data.append(["text", "int", "float", "bool", "date", "datetime", "time", "formula", None, "last"])
    values = [0.1, 1e-7, 1e20, -3.5, 0, -7, 2**40, 1.0]
    for n, number in enumerate(values, start=2):
        data.append([f"row {n} & <more>", n, number, n % 2 == 0, datetime.date(2024, 1, n),
                     datetime.datetime(2024, 1, n, 12, 30), datetime.time(n, 15), f"=B{n}*2", None, "x"])  # fmt: skip
    data["E2"].number_format = "dd/mm/yyyy"
    data["F3"].number_format = "yyyy-mm-dd hh:mm:ss"
    data["B4"].number_format = "[h]:mm"
    data["C5"].number_format = "0.00"
    data.cell(row=15, column=30, value="far")  # AD15, after a gap
    data.cell(row=20, column=2, value=datetime.timedelta(hours=30))
    sparse = book.create_sheet("Sparse")
    sparse["C3"] = 1
    sparse["AA10"] = "wide"
    sparse["B7"] = None
    book.create_sheet("Empty")
    several = book.create_sheet("Several")
    for n in range(1, 60):
        several.append([f"area {n}", "line", f"2024 Q{n % 4 + 1}", n * 1.5])
    years = book.create_sheet("Years")
    for n in range(1, 5):
        years.append([datetime.datetime(2020 + n, n, 1), datetime.datetime(2020 + n, n, 1)])
        years.cell(row=n, column=1).number_format = "yyyy"
        years.cell(row=n, column=2).number_format = "mmm-yy"
    book.save(path)
    return path


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_workbooks_openpyxl_writes(date1904, chunk, tmp_path, monkeypatch):
    path = openpyxl_book(tmp_path / "book.xlsx", date1904)
    # Data's formulas have no saved result (openpyxl does not work them out): its parser reads them
    assert compare(path, monkeypatch) == ["chunk", "fast", "fast", "fast", "fast"]
    assert len(compare(path, monkeypatch, reset=True)) == 5
    book = load_workbook(path, read_only=True, data_only=True)
    years = [row[0] for row in xlsx.rows(book["Years"])]
    assert all(isinstance(year, xlsx.YearShown) for year in years)
    assert [row[1].__class__ for row in xlsx.rows(book["Years"])] == [datetime.datetime] * 4
    book.close()


def test_the_fallback_is_needed(tmp_path, monkeypatch):
    """Break the check (any tag the expression does not know no longer makes a chunk openpyxl's) and
    some cases come out wrong: the fallback is what makes them right."""
    lenient = re.compile(xlsx.TOKEN.pattern[: -len(b"|<")])
    monkeypatch.setattr(xlsx, "TOKEN", lenient)
    wrong = []
    cases = ("rich inline strings", "extra attributes cm, vm, ph", "t before s")
    for case in cases:
        path = write_parts(tmp_path / f"{case}.xlsx", {"Data": HAND_WRITTEN[case][0]})
        try:
            compare(path, monkeypatch)
        except AssertionError:
            wrong.append(case)
    assert wrong == list(cases)


def test_a_damaged_sheet_is_an_import_file_error(tmp_path):
    path = write_parts(tmp_path / "book.xlsx", {"Data": HAND_WRITTEN["damaged: a tag left open"][0]})
    book = ImportWorkbook(path)
    try:
        with pytest.raises(ImportFileError, match="damaged"):
            list(book.sheet("Data").rows)
    finally:
        book.close()


def test_the_importer_reads_through_the_fast_reader(tmp_path, monkeypatch):
    path = write_parts(tmp_path / "book.xlsx", {"Data": sheet(PLAIN)})
    used = []
    monkeypatch.setattr(
        xlsx._Reader, "simple", lambda self, chunk, f=xlsx._Reader.simple: used.append(1) or f(self, chunk)
    )
    book = ImportWorkbook(path)
    try:
        rows = list(book.sheet("Data").rows)
    finally:
        book.close()
    assert used and len(rows) == 12 and rows[0][:2] == ("value", 7)


@pytest.mark.parametrize("chunk", [64, 1 << 16], indirect=True)
def test_a_formula_with_no_saved_result_is_read_as_its_formula(chunk, tmp_path):
    rows = [
        '<row r="1"><c r="A1"><f>SUM(B1:C1)</f><v>3</v></c><c r="B1"><f>NOW()</f><v /></c>'
        '<c r="C1" t="str"><f>""</f><v></v></c><c r="D1"><f t="shared" si="0"/></c><c r="E1"><v>2</v></c>'
        '<c r="F1" t="str"><f>A1</f></c></row>'
    ]
    path = write_parts(tmp_path / "book.xlsx", {"Data": sheet("".join(rows), dimension="A1:F1")})
    [row] = list(xlsx.rows(load_workbook(path, read_only=True, data_only=True).worksheets[0]))
    # An empty text result (<v></v>) is blank, as the spreadsheet shows; a text formula with no <v> at all
    # was never worked out.
    assert row == (3, "=NOW()", None, "=", 2, "=A1")
    assert [type(v) for v in row] == [int, NoResult, type(None), NoResult, int, NoResult]


def test_a_text_formula_with_no_value_at_all_is_no_result_even_alone_in_its_chunk(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="str"><f>A1</f></c><c r="C1" t="str"><f>A1</f><v></v></c></row>'
    path = write_parts(tmp_path / "book.xlsx", {"Data": sheet(rows, dimension="A1:C1")})
    [row] = list(xlsx.rows(load_workbook(path, read_only=True, data_only=True).worksheets[0]))
    assert row == (1, "=A1", None) and type(row[1]) is NoResult


# --- a big sheet read by another process ----------------------------------------------------------------


def read_through(path, name, settings, elsewhere):
    """A sheet's rows as the importer reads them, in this process or (``elsewhere``) another."""
    settings.IMPORT_SHEET_PROCESS_BYTES = 0 if elsewhere else 10**12
    book = ImportWorkbook(path)
    try:
        return outcome(book.sheet(name).rows)
    finally:
        book.close()


@pytest.mark.parametrize(
    "case",
    [
        "numbers",
        "rich inline strings",
        "gaps of several rows, sparse columns",
        "damaged: a tag left open",
        "damaged: no such shared string",
    ],
)
def test_another_process_reads_a_sheet_as_this_one_does(case, tmp_path, settings):
    """The same rows, and for a damaged sheet the same rows before the same error (this process reads
    it again, the other having failed)."""
    path = write_parts(tmp_path / "book.xlsx", {"Data": HAND_WRITTEN[case][0]})
    assert read_through(path, "Data", settings, True) == read_through(path, "Data", settings, False)


def test_another_process_reads_openpyxls_workbooks(tmp_path, settings, monkeypatch):
    path = openpyxl_book(tmp_path / "book.xlsx")
    here = {name: read_through(path, name, settings, False) for name in ("Data", "Sparse", "Several")}
    # The rows come from the other process: reading here would fail.
    monkeypatch.setattr(xlsx, "rows", lambda worksheet: iter(()).throw(AssertionError("read here")))
    for name, rows in here.items():
        assert read_through(path, name, settings, True) == rows
    assert here["Several"][0][-1][1][0] == (str, "area 59")


def big_book(path, rows=20_000):
    book = Workbook(write_only=True)
    data = book.create_sheet("Data")
    data.append(["area", "line", "period", "value"])
    for n in range(rows):
        data.append([f"Area {n % 300}", f"Line {n % 20}", f"2024 Q{n % 4 + 1}", n])
    book.save(path)
    return path


def test_if_the_other_process_stops_this_one_reads_on(tmp_path, settings, monkeypatch):
    """Three rows sent, then the other process fails: the rows go on from the fourth, read here."""
    path = big_book(tmp_path / "big.xlsx", rows=50)
    expected = read_through(path, "Data", settings, False)
    calls = []
    rows = xlsx.rows
    monkeypatch.setattr(xlsx, "rows", lambda worksheet: calls.append(1) or rows(worksheet))
    program = (
        "import pickle, sys; sys.path.insert(0, sys.argv[1]); from openpyxl import load_workbook; "
        "from measures.importing import xlsx; sheet = load_workbook(sys.argv[2], read_only=True, "
        "data_only=True)[sys.argv[3]]; sheet.reset_dimensions(); "
        "pickle.dump(list(xlsx.rows(sheet))[:3], sys.stdout.buffer); sys.exit(1)"
    )
    monkeypatch.setattr(sheet_process, "PROGRAM", program)
    got = read_through(path, "Data", settings, True)
    assert got == expected and calls == [1]
    monkeypatch.setattr(sheet_process, "PROGRAM", "import sys; sys.exit(3)")  # sends nothing
    assert read_through(path, "Data", settings, True) == expected and calls == [1, 1]


def test_the_other_process_ends_when_the_reading_stops(tmp_path, monkeypatch):
    """A preview that stops early (the header not found, too many errors) leaves no process behind: the
    other one, blocked on a full pipe, is ended."""
    path = big_book(tmp_path / "big.xlsx")
    started = []
    popen = sheet_process.subprocess.Popen

    def recorded(*args, **kwargs):
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(sheet_process.subprocess, "Popen", recorded)
    rows = sheet_process.rows(path, "Data", lambda: iter(()))
    assert next(rows) == ("area", "line", "period", "value")
    assert next(rows) == ("Area 0", "Line 0", "2024 Q1", 0)
    rows.close()
    assert started[0].poll() is not None
