"""Open a file as sheets of rows of cells: CSV in any common encoding, XLSX, XLSM, XLS or ODS.

Files are streamed: CSV through the csv module, spreadsheets through python-calamine (a Rust
reader, ten times faster than openpyxl's read-only mode). Anything else gets a plain message.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and the wrapper of password-protected .xlsx
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
CHUNK = 1 << 20


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the person who uploaded it."""


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


class Workbook:
    """One opened file; ``sheet_names`` lists its sheets (a CSV has one, called "CSV")."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.size = self.path.stat().st_size
        self.kind, self.encoding = sniff(self.path)
        self._counter = None
        self._book = None
        if self.kind == "excel":
            try:
                self._book = CalamineWorkbook.from_path(str(self.path))
            except PasswordError as error:
                raise ImportFileError(PASSWORD_MESSAGE) from error
            except (CalamineError, ValueError, OSError) as error:
                raise ImportFileError(
                    f"The spreadsheet is damaged or not a real Excel file, so it cannot be read ({error})."
                ) from error
            self.sheet_names = [
                meta.name for meta in self._book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet
            ] or list(self._book.sheet_names)
        else:
            self.sheet_names = ["CSV"]

    @property
    def bytes_read(self) -> int:
        """How far through the file the reader is (CSV), or the whole file once a sheet is loaded."""
        if self._counter is not None:
            return self._counter.bytes_read
        return self.size if self._book is not None else 0

    def sheet(self, name: str) -> Sheet:
        if self.kind == "csv":
            return Sheet(name, self._csv_rows())
        try:
            sheet = self._book.get_sheet_by_name(name)
            start = sheet.start or (0, 0)
            return Sheet(name, sheet.iter_rows(), first_row=start[0] + 1, first_column=start[1])
        except CalamineError as error:
            raise ImportFileError(f"Sheet “{name}” cannot be read ({error}).") from error

    def _csv_rows(self) -> Iterator[list]:
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as f:
            sample = f.read(8192)
        dialect = csv.excel
        tabs, commas, semicolons = sample.count("\t"), sample.count(","), sample.count(";")
        if tabs > commas and tabs > semicolons:
            dialect = csv.excel_tab
        elif semicolons > commas:
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=";,")
            except csv.Error:
                pass
        raw = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed when the rows are read
        self._counter = CountingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(self._counter, CHUNK), encoding=self.encoding, newline="")
        try:
            yield from csv.reader(text, dialect)
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(f"The CSV file is malformed ({error}).") from error
        finally:
            text.close()


PASSWORD_MESSAGE = (
    "The spreadsheet is password-protected. Open it in Excel, remove the password "
    "(File › Info › Protect Workbook › Encrypt with Password, clear it), save and upload it again."
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
            return "excel", ""
        raise ImportFileError("This is a zip file, not a spreadsheet. Upload a CSV, XLSX or ODS file.")
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
    if b"\x00" in head or _looks_binary(head):
        raise ImportFileError("This is not a spreadsheet. Upload a CSV, XLSX, XLS or ODS file.")
    return "csv", "utf-8" if _is_utf8(path) else "cp1252"


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
