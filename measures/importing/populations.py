"""ONS mid-year population estimates into areas' populations by year, all or nothing.

The ONS layout: title and note rows, then a header with an area code column ("Code", "LAD code",
"ladcode21"), a name column ("Name", "Geography name") and either one "All ages" column (the year is
given by the person importing) or one column per mid-year ("Mid-2011", "mid-2012", "2013"). Areas
match by ONS code first, then by name or alias, as in the figures' import; rows for areas we do not
have (the rest of England and Wales, counties, regions) are skipped and counted. A file with none of
our areas, or any cell of ours that is not a number of people, is refused and nothing is written.
"""

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from measures.importing.layouts import fold, is_area_code_header, is_area_name_header
from measures.importing.mapping import NOT_OURS, AreaError, Mapper
from measures.importing.readers import ImportFileError, Workbook
from partnerships.models import AreaPopulation

HEADER_SEARCH_ROWS = 30
MAX_ERRORS = 50
YEAR_HEADER = re.compile(r"^(?:(?:estimated )?population )?(?:mid ?- ?)?((?:19|20)\d{2})$")
NAME_HEADERS = ("name", "geography name", "area name", "area", "laname", "local authority name")
ALL_AGES = {"all ages", "all persons", "persons", "population", "all people"}
FIRST_YEAR, LAST_YEAR = 1981, 2100


class PopulationImportError(ImportFileError):
    """The file is refused; ``errors`` lists each reason (row and cell where there is one)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(errors[0] if len(errors) == 1 else f"{len(errors)} problems: " + " ".join(errors))


@dataclass
class PopulationImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    areas: set = field(default_factory=set)
    years: set = field(default_factory=set)
    skipped: Counter = field(default_factory=Counter)  # reason -> rows

    @property
    def not_ours(self) -> int:
        return self.skipped[NOT_OURS]

    def describe(self) -> str:
        years = sorted(self.years)
        span = f"mid-{years[0]}" if len(years) == 1 else f"mid-{years[0]} to mid-{years[-1]}"
        text = (
            f"Populations for {len(self.areas)} of our areas, {span}: {self.created} added, "
            f"{self.updated} changed, {self.unchanged} unchanged."
        )
        skipped = "; ".join(f"{rows} {reason.lower()}" for reason, rows in sorted(self.skipped.items()))
        return text + (f" Rows skipped: {skipped}." if skipped else "")


@dataclass
class _Header:
    row_number: int
    code: int | None
    name: int | None
    years: dict[int, int]  # column -> mid-year
    first_column: int
    labels: list[str]

    def cell_name(self, column: int, row_number: int) -> str:
        letters, n = "", self.first_column + column + 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        return f"{letters}{row_number} ({self.labels[column]})"


def population_import(*, path: Path | str, year: int | None = None, source: str = "") -> PopulationImport:
    """Read the file and save every population of ours in one transaction, or refuse it whole."""
    book = Workbook(path)
    found = _find_header(book, year)
    if found is None:
        raise PopulationImportError(
            [
                "No header row with an area code or name column and either an “All ages” column or a "
                "column per year (“Mid-2011”, “Mid-2012”…) was found in the file."
            ]
        )
    header, rows = found
    source = source or f"ONS mid-year population estimates ({Path(path).name})"
    result = PopulationImport()
    wanted, errors = _read_rows(header, rows, Mapper(), result)
    if errors:
        extra = len(errors) - MAX_ERRORS
        raise PopulationImportError(errors[:MAX_ERRORS] + ([f"…and {extra} more."] if extra > 0 else []))
    if not wanted:
        raise PopulationImportError(
            [
                "None of the areas in this file are ours (no ONS code or name matches an area), so nothing "
                "was imported."
            ]
        )
    _save(wanted, source, result)
    return result


def population_import_upload(*, uploaded_file, year: int | None = None, source: str = "") -> PopulationImport:
    """An uploaded file, read from a temporary copy (the reader sniffs and streams a path)."""
    suffix = Path(uploaded_file.name).suffix.lower()[:8]
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        for chunk in uploaded_file.chunks():
            copy.write(chunk)
        copy.flush()
        source = source or f"ONS mid-year population estimates ({Path(uploaded_file.name).name})"
        return population_import(path=copy.name, year=year, source=source)


def _find_header(book: Workbook, year: int | None):
    for sheet_name in book.sheet_names:
        sheet = book.sheet(sheet_name)
        rows = iter(sheet.rows)
        for offset, cells in enumerate(rows):
            if offset >= HEADER_SEARCH_ROWS:
                break
            header = _header(cells, sheet.first_row + offset, sheet.first_column, year)
            if header is not None:
                return header, enumerate(rows, start=header.row_number + 1)
    return None


def _header(cells, row_number: int, first_column: int, year: int | None) -> _Header | None:
    labels = [str(c if c is not None else "").strip() for c in cells]
    folded = [fold(label) for label in labels]
    code = next((i for i, h in enumerate(folded) if h and is_area_code_header(h)), None)
    name = next((i for i, h in enumerate(folded) if h in NAME_HEADERS), None)
    if name is None:
        name = next(
            (i for i, h in enumerate(folded) if h and h != "geography" and is_area_name_header(h)), None
        )
    if code is None and name is None:
        return None
    years = {}
    for i, h in enumerate(folded):
        match = YEAR_HEADER.match(h)
        if match and FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            years[i] = int(match.group(1))
    all_ages = next((i for i, h in enumerate(folded) if h in ALL_AGES), None)
    if years and year is not None:
        years = {i: y for i, y in years.items() if y == year}
        if not years:
            raise PopulationImportError([f"The file has no column for mid-{year}."])
    elif not years and all_ages is not None:
        if year is None:
            raise PopulationImportError(
                [f"The file has one “{labels[all_ages]}” column: say which mid-year it is (e.g. 2011)."]
            )
        years = {all_ages: year}
    if not years:
        return None
    return _Header(row_number, code, name, years, first_column, labels)


def _read_rows(header: _Header, rows, mapper: Mapper, result: PopulationImport):
    wanted: dict[tuple[int, int], tuple[int, int]] = {}  # (area, year) -> (population, row)
    errors = []
    for row_number, cells in rows:
        code = _cell(cells, header.code)
        name = _cell(cells, header.name)
        if not str(code or "").strip() and not str(name or "").strip():
            continue  # blank lines and notes under the table
        area_id, reason = mapper.area(code, name)
        if isinstance(reason, AreaError):
            errors.append(f"Row {row_number}: {reason[0].lower()}{reason[1:]}.")
            continue
        if area_id is None:
            result.skipped[reason] += 1
            continue
        for column, year in header.years.items():
            raw = _cell(cells, column)
            population = _people(raw)
            where = header.cell_name(column, row_number)
            if population is None:
                errors.append(
                    f"Row {row_number}, cell {where}: “{raw if raw is not None else ''}” is not a "
                    "number of people."
                )
                continue
            earlier = wanted.get((area_id, year))
            if earlier is not None and earlier[0] != population:
                errors.append(
                    f"Row {row_number}: {mapper.area_names[area_id]} appears again (first on row "
                    f"{earlier[1]}) with a different mid-{year} population."
                )
                continue
            wanted[area_id, year] = (population, row_number)
    return wanted, errors


def _cell(cells, column: int | None):
    if column is None or column >= len(cells):
        return None
    return cells[column]


def _people(raw) -> int | None:
    """A positive whole number of people: 134,257 or 134257.0; anything else is refused."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() and raw > 0 else None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    text = str(raw if raw is not None else "").strip().replace(",", "").replace(" ", "")
    if not text.isdigit() or int(text) <= 0:
        return None
    return int(text)


@transaction.atomic
def _save(wanted, source: str, result: PopulationImport):
    existing = {
        (p.area_id, p.year): p
        for p in AreaPopulation.objects.select_for_update().filter(area_id__in={a for a, _ in wanted})
    }
    for (area_id, year), (population, _) in sorted(wanted.items()):
        result.areas.add(area_id)
        result.years.add(year)
        record = existing.get((area_id, year))
        if record is None:
            AreaPopulation.objects.create(area_id=area_id, year=year, population=population, source=source)
            result.created += 1
        elif record.population != population or record.source != source:
            record.population, record.source = population, source
            record.save()  # one at a time, so each change is in the audit trail
            result.updated += 1
        else:
            result.unchanged += 1
