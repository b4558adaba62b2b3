"""Open a file as sheets of rows of cells: CSV in any common encoding, XLSX, XLSM, XLS or ODS, or a zip of
CSV files (a data.police.uk download).

Rows are streamed, one at a time, so memory does not grow with the file: CSV through the csv module,
line by line; XLSX and XLSM through ``xlsx.rows``, which yields exactly the rows openpyxl's read-only
mode (``iter_rows``) would, several times faster: it picks the cells out of the sheet's XML a chunk at a
time with a regular expression, and hands openpyxl's own parser any chunk (or sheet) it does not wholly
understand; openpyxl still opens the workbook and supplies the shared strings, the styles and the sheet's
size. ODS through ``ods``, which also parses as it goes. Old binary XLS and XLSB files go through
python-calamine, which loads a whole sheet first: the bounds ``check_bounds`` applies (cells, unpacked
size) cap what it holds. A zip of CSV files is read member by member, never unpacked whole: its
data.police.uk files of one kind (every month's ``-street.csv``) are one sheet, read one after another
(``archive_sheets``). Anything else gets a plain message.
"""

import codecs
import csv
import io
import itertools
import os
import re
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl.worksheet._reader as openpyxl_sheets
from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from measures.importing import ods, sheet_process, xlsx

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and the wrapper of password-protected .xlsx
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
CHUNK = 1 << 20
# Bounds checked before a spreadsheet is read (each can be set in settings as IMPORT_MAX_...):
MAX_UNPACKED_BYTES = 400_000_000  # the zip's members added up
MAX_CELLS = 4_000_000  # python-calamine (XLS, XLSB) holds a sheet in memory, about 93 bytes a cell
MAX_RATIO = 200  # a real sheet compresses 10 to 40 times; a zip bomb thousands
SHEET_PROCESS_BYTES = 8_000_000  # an XLSX sheet's XML from which another process reads it


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


class DamagedFileError(ImportFileError):
    """The file's bytes cannot be read at all (a damaged zip): whichever sheet is looked at."""


@dataclass
class Sheet:
    name: str
    rows: Iterator[list]  # lists of cell values (str for CSV; str/int/float/date for spreadsheets)
    first_row: int = 1  # the spreadsheet row number of the first row yielded
    first_column: int = 0


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read, so a long import can report its progress."""

    def __init__(self, raw):
        self.raw = raw
        self.bytes_read = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.raw.readinto(buffer)
        self.bytes_read += n or 0
        return n


ROW_TAG = openpyxl_sheets.ROW_TAG
SHEET_DATA_TAG = f"{{{openpyxl_sheets.SHEET_MAIN_NS}}}sheetData"


def _rows_let_go(source, *args, **kwargs):
    """ElementTree's iterparse, as openpyxl's sheet parser uses it, but each row's element is taken out
    of the tree once the parser has read it.

    openpyxl (3.1) clears a row's element after reading it but leaves it in the tree, so a sheet of
    720,000 rows keeps 720,000 empty elements, about 80 bytes each: the one thing in a streamed read
    whose memory grew with the file (145 MB at 720,000 rows against 95 MB at 180,000). The parser only
    looks at elements as they end, which this yields as before.
    """
    sheet_data = None
    for event, element in ElementTree.iterparse(source, events=("start", "end")):
        if event == "start":
            if element.tag == SHEET_DATA_TAG:
                sheet_data = element
            continue
        yield event, element
        if element.tag == ROW_TAG and sheet_data is not None:
            sheet_data.remove(element)


# Installed for every sheet openpyxl parses in this process (the only other reader is django-import-
# export's, which reads rows the same way).
openpyxl_sheets.iterparse = _rows_let_go

# What openpyxl raises for a damaged workbook (a missing part, bad XML, a value it cannot read).
DAMAGED = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, InvalidFileException, SyntaxError)
DAMAGED_MESSAGE = "The spreadsheet is damaged, so it cannot be read ({})."


class Workbook:
    """One opened file; ``sheet_names`` lists its sheets (a CSV has one, called "CSV")."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self.kind, self.encoding = sniff(self.path)
        self._counter = None
        self.semicolons = False  # a CSV separated by semicolons (known once its rows are asked for)
        self._book = None
        self._openpyxl = None
        self._ods = None
        self._rows_read = 0
        self._rows_expected = 0
        self.hidden = set()  # the names of a workbook's hidden sheets
        # An XLSX sheet's cells under the top of a merged range one column wide (an area written once
        # over its rows): {(row, column from 0): the range's top row}; empty for any other file.
        self.merged = {}
        self.streamed = self.kind == "csv"  # read a row at a time (else python-calamine loads a sheet)
        if self.kind == "excel" and is_zip_with(self.path, "content.xml"):
            self.streamed = True
            if _contains(self.path, b"encryption-data"):  # the manifest of a password-protected ODS
                raise ImportFileError(PASSWORD_MESSAGE)
            try:
                self.sheet_names = ods.sheet_names(self.path)
            except DAMAGED as error:
                raise ImportFileError(DAMAGED_MESSAGE.format(error)) from error
            if not self.sheet_names:
                raise ImportFileError("The spreadsheet has no sheets.")
        elif self.kind == "excel" and is_zip_with(self.path, "xl/workbook.xml"):
            self.streamed = True
            # From an open file, not the path: openpyxl judges a path by its extension, and a real XLSX
            # called .xls must still be read. Read-only mode keeps the file open until ``close``.
            self._file = open(self.path, "rb")  # noqa: SIM115
            try:
                self._openpyxl = load_workbook(self._file, read_only=True, data_only=True)
            except DAMAGED as error:
                self._file.close()
                raise ImportFileError(
                    f"The spreadsheet is damaged or not a real Excel file, so it cannot be read ({error})."
                ) from error
            self.sheet_names = [ws.title for ws in self._openpyxl.worksheets]
            self.hidden = {ws.title for ws in self._openpyxl.worksheets if ws.sheet_state != "visible"}
        elif self.kind == "excel":
            try:
                # From the bytes, not the name: a real .xls renamed .xlsx, or an ODS called .xls, is read
                # as what it is (from_path goes by the extension and calls such files damaged).
                with open(self.path, "rb") as f:
                    self._book = CalamineWorkbook.from_filelike(f)
            except PasswordError as error:
                raise ImportFileError(PASSWORD_MESSAGE) from error
            except (CalamineError, ValueError, OSError) as error:
                raise ImportFileError(
                    f"The spreadsheet is damaged or not a real Excel file, so it cannot be read ({error})."
                ) from error
            self.sheet_names = [
                meta.name for meta in self._book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet
            ] or list(self._book.sheet_names)
            self.hidden = {
                meta.name for meta in self._book.sheets_metadata if meta.visible != SheetVisibleEnum.Visible
            }
        elif self.kind == "zip":
            self.streamed = True
            self._members = archive_sheets(self.path)
            self.sheet_names = list(self._members)
            self._parts = []  # (the first row of each member read, its name), in the sheet's numbering
            self._bytes_before = 0  # a sheet's members read whole so far: their unpacked bytes
            self._unpacked = 0  # all of the sheet's members, unpacked
        else:
            self.sheet_names = ["CSV"]

    def fraction_read(self) -> float:
        """How far through the file the reader is: bytes of a CSV or of an ODS's XML, rows of an XLSX
        sheet (from its declared size), or all of it once python-calamine has loaded a sheet."""
        if self.kind == "zip":
            reading = self._counter.bytes_read if self._counter is not None else 0
            return min((self._bytes_before + reading) / (self._unpacked or 1), 1.0)
        if self._counter is not None:
            return min(self._counter.bytes_read / (self.size or 1), 1.0)
        if self._ods is not None:
            return self._ods.fraction_read()
        if self._rows_expected:
            return min(self._rows_read / self._rows_expected, 1.0)
        return 1.0 if self._book is not None else 0.0

    def close(self):
        if self._openpyxl is not None:
            self._openpyxl.close()  # read-only mode keeps the zip open until told
            self._file.close()

    def sheet(self, name: str) -> Sheet:
        if self.kind == "csv":
            return Sheet(name, self._csv_rows())
        if self.kind == "zip":
            return Sheet(name, self._zip_rows(self._members[name]))
        if self._openpyxl is not None:
            first_row, rows = self._xlsx_rows(self._openpyxl[name])
            return Sheet(name, rows, first_row=first_row)
        if self.streamed and self._book is None:  # ODS
            self._ods = ods.Rows(self.path, name, limits()[1])
            first_row, rows = _from_first_filled(self._ods_rows(self._ods))
            return Sheet(name, rows, first_row=first_row)
        try:
            sheet = self._book.get_sheet_by_name(name)
            start = sheet.start or (0, 0)
            return Sheet(name, sheet.iter_rows(), first_row=start[0] + 1, first_column=start[1])
        except CalamineError as error:
            raise ImportFileError(f"Sheet “{name}” cannot be read ({error}).") from error

    def _xlsx_rows(self, worksheet) -> tuple[int, Iterator]:
        """(the row number of the first row that holds anything, the rows from there on, streamed).

        openpyxl yields every row from row 1 and column A, up to the sheet's declared size, and
        ``xlsx.rows`` yields the same rows, faster. The declared size is not trusted: writers get it
        wrong (one cell, or fewer rows or columns than the sheet holds), and openpyxl would leave out
        what lies beyond it without a word. So every row is read as far as its last cell; the declared
        rows only guide the progress bar.
        """
        self.merged = _merged_down(worksheet)
        declared = (worksheet.max_row or 0, worksheet.max_column or 0)
        self._rows_expected = declared[0] if declared != (1, 1) else 0  # "A1": the size is not known
        worksheet.reset_dimensions()
        self._rows_read = 0
        if self._read_elsewhere(worksheet):
            rows = sheet_process.rows(self.path, worksheet.title, lambda: xlsx.rows(worksheet))
        else:
            rows = xlsx.rows(worksheet)
        return _from_first_filled(self._counted(rows))

    def _read_elsewhere(self, worksheet) -> bool:
        """Whether a sheet is read by another process (``sheet_process``): one whose XML is big enough
        to pay for starting it (``IMPORT_SHEET_PROCESS_BYTES``, 8 MB: about 50,000 rows), when the
        machine has a core to spare."""
        try:
            size = worksheet.parent._archive.getinfo(worksheet._worksheet_path).file_size
        except (AttributeError, KeyError):
            return False
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return cores > 1 and size >= getattr(settings, "IMPORT_SHEET_PROCESS_BYTES", SHEET_PROCESS_BYTES)

    def _counted(self, rows) -> Iterator:
        """The rows, counting them for the progress bar; a damaged sheet's XML is an ImportFileError."""
        try:
            for cells in rows:
                self._rows_read += 1
                yield cells
        except DAMAGED as error:
            raise ImportFileError(DAMAGED_MESSAGE.format(error)) from error

    @staticmethod
    def _ods_rows(rows) -> Iterator:
        try:
            yield from rows
        except ods.TooManyCells as error:
            raise ImportFileError(
                f"The spreadsheet has more than {error.args[0]:,} cells, over the limit: save the table "
                "alone as CSV and upload that."
            ) from error
        except DAMAGED as error:
            raise ImportFileError(DAMAGED_MESSAGE.format(error)) from error

    def _csv_rows(self) -> Iterator[list]:
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as f:
            sample = f.read(8192)
        yield from self._read_csv(open(self.path, "rb", buffering=0), self.encoding, sample)  # noqa: SIM115

    def _read_csv(self, raw, encoding: str, sample: str) -> Iterator[list]:
        """The rows of a CSV file opened as ``raw`` (binary, closed here), separated as ``sample`` (its
        first few thousand characters) shows, counting the bytes read for the progress bar."""
        dialect = csv.excel
        hint = SEPARATOR_HINT.match(sample)  # "sep=;": Excel's own line naming the separator
        tabs, commas, semicolons = sample.count("\t"), sample.count(","), sample.count(";")
        if hint:
            dialect = {"\t": csv.excel_tab, ";": ExcelSemicolon}.get(hint.group(1), csv.excel)
        elif tabs > commas and tabs > semicolons:
            dialect = csv.excel_tab
        elif semicolons > commas:
            dialect = ExcelSemicolon  # as Excel writes where the decimal mark is a comma
        # Semicolons, as Excel writes where the decimal mark is a comma and a dot may part thousands.
        self.semicolons = dialect is ExcelSemicolon
        self._counter = CountingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(self._counter, CHUNK), encoding=encoding, newline="")
        try:
            rows = csv.reader(text, dialect)
            if hint:
                next(rows, None)  # Excel hides the line: the rows are numbered as it shows them
            yield from rows
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(f"The CSV file is malformed ({error}).") from error
        finally:
            text.close()

    def _zip_rows(self, members: list) -> Iterator[list]:
        """The rows of a zip's CSV files, one file after another: the header once (each file's own is
        left out when it is the first file's), and each file's first row noted (``where``)."""
        self._unpacked = sum(info.file_size for info in members)
        self._bytes_before = 0
        self._parts = []
        try:
            yield from self._zip_members(members)
        except ZIP_DAMAGED as error:
            raise DamagedFileError(f"The zip is damaged, so it cannot be read ({error}).") from error

    def _zip_members(self, members: list) -> Iterator[list]:
        header, yielded = None, 0
        with zipfile.ZipFile(self.path) as archive:
            for info in members:
                encoding, sample = _member_encoding(archive, info)
                self._parts.append((yielded + 1, info.filename))
                first = True
                for cells in self._read_csv(archive.open(info), encoding, sample):
                    if first:
                        first = False
                        if header is None:
                            header = cells
                        elif [c.strip() for c in cells] == [c.strip() for c in header]:
                            continue  # the same columns again: numbered as the file's own row 1
                        else:
                            raise ImportFileError(
                                f"{info.filename} has other columns than {members[0].filename}, so the "
                                "files cannot be read as one table. Import them separately."
                            )
                    yielded += 1
                    yield cells
                self._bytes_before += info.file_size
            self._counter = None

    def members_read(self) -> list[str]:
        """The files of a zip's sheet read so far, in order."""
        return [name for _, name in self._parts] if self.kind == "zip" else []

    def where(self, row: int) -> tuple[str, int]:
        """For a zip's sheet: the file a row (numbered through the whole sheet) is in, and its row there
        (its header, left out after the first file, counted); ("", row) otherwise."""
        name, first = "", 1
        for start, member in self._parts if self.kind == "zip" else ():
            if start > row:
                break
            name, first = member, start
        if not name:
            return "", row
        return name, row - first + (1 if first == 1 else 2)


SEPARATOR_HINT = re.compile(r"\A\ufeff?sep=([,;\t|])[ \t]*\r?\n")


class ExcelSemicolon(csv.excel):
    delimiter = ";"


PASSWORD_MESSAGE = (
    "The spreadsheet is password-protected. Open it in Excel, remove the password "
    "(File › Info › Protect Workbook › Encrypt with Password, clear it), save and upload it again."
)


WEB_PAGE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.IGNORECASE
)


def sniff(path: Path) -> tuple[str, str]:
    """("csv", encoding) or ("excel", ""), or ImportFileError with a reason a person can act on."""
    with open(path, "rb") as f:
        head = f.read(8192)
    if not head.strip():
        raise ImportFileError("The file is empty.")
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as error:
            raise ImportFileError("The spreadsheet is damaged (its zip container is broken).") from error
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names:
            check_bounds(path)
            return "excel", ""
        archive_sheets(path)  # a zip of CSV files (a data.police.uk download), or a plain message
        return "zip", ""
    if head.startswith(OLE_MAGIC):
        if _contains(path, ENCRYPTED_MARKER):
            raise ImportFileError(PASSWORD_MESSAGE)
        return "excel", ""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return "csv", encoding
    if head.startswith(b"%PDF"):
        raise ImportFileError(
            "This is a PDF, not a spreadsheet: its tables cannot be read. Download the table as CSV or "
            "XLSX (the ONS and data.police.uk publish both), or copy it into a spreadsheet."
        )
    if WEB_PAGE.match(head):
        raise ImportFileError(
            "This is a web page (HTML), not a spreadsheet, whatever its name says: a page saved from a "
            "browser, or a download that returned a web page. Download the table itself as CSV or XLSX, "
            "or open this in Excel and save it as XLSX."
        )
    if bare := _utf16_without_mark(head):
        return "csv", bare
    if b"\x00" in head or _looks_binary(head):
        raise ImportFileError("This is not a spreadsheet. Upload a CSV, XLSX, XLS or ODS file.")
    return "csv", "utf-8" if _is_utf8(path) else "cp1252"


# data.police.uk's downloads: "2023-06/2023-06-thames-valley-street.csv" (and -outcomes, -stop-and-search).
POLICE_FILE = re.compile(r"(?:^|/)\d{4}-\d{2}-[\w-]+?-(street|outcomes|stop-and-search)\.csv$", re.IGNORECASE)


def archive_sheets(path: Path) -> dict[str, list]:
    """A zip of CSV files as sheets: {sheet name: its members, in order}. data.police.uk's files of one
    kind ("street", "outcomes", "stop-and-search") are one sheet, month after month (their names sort
    by month); any other CSV file is a sheet of its own, named as in the zip. ImportFileError for a zip
    with no CSV file in it, or one too big to read (its directory's sizes, as ``check_bounds``)."""
    with zipfile.ZipFile(path) as archive:
        infos = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            and not Path(info.filename).name.startswith(".")
        ]  # fmt: skip
    csvs = sorted((i for i in infos if i.filename.lower().endswith(".csv")), key=lambda i: i.filename)
    if not csvs:
        held = ", ".join(Path(i.filename).name for i in infos[:5]) or "nothing"
        raise ImportFileError(
            f"This zip file holds no CSV file ({held}{', ...' if len(infos) > 5 else ''}). Upload a CSV, "
            "XLSX or ODS file, or a zip of CSV files such as a data.police.uk download."
        )
    if locked := [info.filename for info in csvs if info.flag_bits & 0x1]:
        raise ImportFileError(
            f"The zip is password-protected ({locked[0]}{' and others' if len(locked) > 1 else ''}): "
            "unzip it with its password and upload the CSV files, or a zip of them without one."
        )
    _refuse_unpacked(
        csvs,
        "The zip's CSV files add up to {mb} MB, over the limit of {limit} MB: upload fewer months at a time.",
        "{name} is compressed {ratio} to 1, far more than a real table (a “zip bomb”): it is not read.",
    )
    sheets = {}
    for info in csvs:
        found = POLICE_FILE.search(info.filename)
        sheets.setdefault(found.group(1).lower() if found else info.filename, []).append(info)
    return sheets


# What reading a zip's member raises when the zip is damaged (a bad CRC, deflate data cut or garbled).
ZIP_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, OSError)


def _member_encoding(archive, info) -> tuple[str, str]:
    """A zip member's encoding (a byte-order mark's, else UTF-8 if all of it is, else Windows-1252), and
    its first few thousand characters."""
    with archive.open(info) as f:
        head = f.read(8192)
        encoding = "cp1252"
        for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
            if head.startswith(bom):
                encoding = name
                break
        else:
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                decoder.decode(head)
                while chunk := f.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
                encoding = "utf-8"
            except UnicodeDecodeError:
                pass
    return encoding, head.decode(encoding, errors="replace")


def _utf16_without_mark(head: bytes) -> str:
    """ "utf-16-le" or "utf-16-be" for text in UTF-16 with no byte-order mark (as some exports write a
    tab-separated file), told by the zero byte beside each ASCII character; else ""."""
    pairs = len(head) // 2
    if pairs < 8:
        return ""
    even, odd = head[0 : pairs * 2 : 2], head[1 : pairs * 2 : 2]
    for zeros, text, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= pairs * 0.9 and text.count(0) == 0:
            try:
                head[: pairs * 2].decode(encoding)
            except UnicodeDecodeError:
                return ""
            return encoding
    return ""


def is_zip_with(path: Path, member: str) -> bool:
    """A zip holding ``member``: "xl/workbook.xml" for XLSX and XLSM, "content.xml" for ODS."""
    try:
        with zipfile.ZipFile(path) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False


MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _merged_down(worksheet) -> dict:
    """The cells under the top of each of a sheet's merged ranges one column wide (an area's name
    written once over its rows), from the sheet's ``<mergeCells>``, which follows its rows: read only
    for a sheet under ``IMPORT_SHEET_PROCESS_BYTES`` (a big sheet is an export, with none)."""
    try:
        archive, path = worksheet.parent._archive, worksheet._worksheet_path
        if archive.getinfo(path).file_size >= getattr(
            settings, "IMPORT_SHEET_PROCESS_BYTES", SHEET_PROCESS_BYTES
        ):
            return {}
        xml = archive.read(path)
    except (AttributeError, KeyError, OSError, zipfile.BadZipFile):
        return {}
    merged = {}
    for first, top, last, bottom in MERGE_CELL.findall(xml):
        if first == last and int(bottom) > int(top):
            column = _column_number(first) - 1
            for row in range(int(top) + 1, int(bottom) + 1):
                merged[row, column] = int(top)
    return merged


def _from_first_filled(rows) -> tuple[int, Iterator]:
    """(the row number of the first row that holds anything, the rows from there on).

    Spreadsheet readers yield every row from row 1; leading blank rows are skipped here (as
    python-calamine skips them), so the header is looked for in the first rows that hold something.
    """
    first_row = 1
    for cells in rows:
        if any(c is not None and c != "" for c in cells):
            return first_row, itertools.chain([cells], rows)
        first_row += 1
    return first_row, iter(())


def limits() -> tuple[int, int, int]:
    """(unpacked bytes, cells, compression ratio) a spreadsheet may reach before it is read."""
    return (
        getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES),
        getattr(settings, "IMPORT_MAX_CELLS", MAX_CELLS),
        getattr(settings, "IMPORT_MAX_RATIO", MAX_RATIO),
    )


def check_bounds(path: Path):
    """Refuse a spreadsheet too big to read, from its zip directory and sheet dimensions alone.

    Nothing is unpacked whole: the sizes come from the zip's directory, and each sheet's cell count
    from its ``<dimension ref="A1:F1000">`` (in the first kilobytes of the sheet) or, when a sheet
    lacks one, by counting its cells as it streams past. A 300 KB file that unpacks to 86 MB (a zip
    bomb, or a sheet of a million formatted empty cells) is refused before the reader loads it.
    """
    _, max_cells, _ = limits()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        _refuse_unpacked(
            infos,
            "The spreadsheet unpacks to {mb} MB, over the limit of {limit} MB: save the table alone as CSV "
            "and upload that.",
            "The spreadsheet is compressed {ratio} to 1 inside, far more than a real table (a “zip bomb”): "
            "it is not read. Save the table as CSV and upload that.",
        )
        cells = 0
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                cells += _sheet_cells(archive, info)
            elif info.filename == "content.xml":
                cells += _count(archive, info, b"<table:table-cell")
            if cells > max_cells:
                raise ImportFileError(
                    f"The spreadsheet has more than {max_cells:,} cells, over the limit: save the table "
                    "alone as CSV and upload that."
                )


def _refuse_unpacked(infos, too_big: str, bomb: str):
    """A zip's members refused from its directory alone, before anything is unpacked: all of them over
    ``IMPORT_MAX_UNPACKED_BYTES`` (``too_big``, with {mb} and {limit}), or one of over a megabyte
    compressed more than ``IMPORT_MAX_RATIO`` to 1 (``bomb``, with {name} and {ratio})."""
    max_unpacked, _cells, max_ratio = limits()
    unpacked = sum(info.file_size for info in infos)
    if unpacked > max_unpacked:
        raise ImportFileError(too_big.format(mb=unpacked // 1_000_000, limit=max_unpacked // 1_000_000))
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 1_000_000 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise ImportFileError(bomb.format(name=info.filename, ratio=ratio))


DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _sheet_cells(archive, info) -> int:
    with archive.open(info) as f:
        head = f.read(4096)
    found = DIMENSION.search(head)
    if found and found.group(3):
        first_col, first_row, last_col, last_row = found.groups()
        columns = _column_number(last_col) - _column_number(first_col) + 1
        return columns * (int(last_row) - int(first_row) + 1)
    return _count(archive, info, b"<c ")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _count(archive, info, marker: bytes) -> int:
    """How often ``marker`` occurs in a zip member, read in chunks (never whole)."""
    n, tail = 0, b""
    with archive.open(info) as f:
        while chunk := f.read(CHUNK):
            n += (tail + chunk).count(marker)  # the tail is shorter than the marker: none counted twice
            tail = chunk[-(len(marker) - 1) :]
    return n


def _looks_binary(head: bytes) -> bool:
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) // 100


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        try:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _contains(path: Path, marker: bytes) -> bool:
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker) :]
    return False
