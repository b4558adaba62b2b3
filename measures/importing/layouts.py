"""Find the header row and say which layout a sheet is in, and which column plays which part.

Layouts:
- ``template``: our own long template: area (or area code), measure or offence, period, value;
- ``long``: long open-data tables (area_code, area_name, period, value, indicator/group, ...);
- ``wide``: one row per area, one column per offence group, title and notes above the header;
- ``street``: data.police.uk street-level crimes, one row per crime.
"""

import re
from dataclasses import dataclass, field

from measures.importing.classification import classification
from measures.importing.period_labels import find_period_in_text, parse_period
from measures.importing.readers import ImportFileError
from measures.models import strip_note_markers

HEADER_SEARCH_ROWS = 40
TEMPLATE_COLUMNS = ["area", "area code", "measure or offence", "period", "value"]
TEMPLATE_INSTRUCTIONS = (
    "Instructions: one row per area, measure or offence line, and period. area: the area's name "
    "(or give its ONS code in area code). measure or offence: a measure's name or an offence line "
    "mapped to measures on the Imports page. period: 2023/24 (financial year), 2023/24 Q1 (quarter), "
    "June 2024 (month), or year ending December 2024 (rolling 12 months). value: a number; leave it "
    "blank when there is no figure. Delete this line before importing, or leave it: it is skipped."
)

# The line's column; the ONS open-data tables give an offence at three levels (description, subgroup,
# group): the most specific is the row's line, the others its ``levels``.
OFFENCE_LEVELS = [
    "offence description",
    "offence subgroup",
    "offence sub group",
    "offence sub-group",
    "offence group",
]
LABEL_HEADERS = [
    "measure or offence",
    "offence",
    *OFFENCE_LEVELS,
    "offence type",
    "group",
    "crime type",
    "category",
    "indicator",
    "measure",
]
NOTE_HEADERS = {"notes", "note", "comments", "comment", "footnotes", "footnote", "remarks"}
PERIOD_HEADERS = ["period", "time period", "date", "month", "quarter", "financial year", "year", "time"]
# A year column with the quarter in a column of its own (the ONS open-data tables: "Financial Year"
# 2021/22, "Financial Quarter" 1): the period is the two together.
YEAR_HEADERS = ["financial year", "year"]
QUARTER_HEADERS = ["financial quarter", "quarter", "fin quarter", "financial quarter number"]
VALUE_HEADERS = ["value", "count", "number", "offences", "number of offences", "crimes", "obs value", "rate"]
# Columns saying how each row's figure is counted ("Rate per 100,000 population", "Number").
UNIT_HEADERS = [
    "unit", "measure", "unit of measure", "units", "statistic", "statistic type", "value type",
    "measure type", "unit type", "data type", "type of value", "value unit",
]  # fmt: skip


def fold(text) -> str:
    """A heading as it is compared: note markers of every style gone, case and spaces folded."""
    text = strip_note_markers(text).lower()
    return " ".join(text.replace("_", " ").replace("\u00a0", " ").split())


PERIOD_KIND_HEADERS = {"periodicity", "frequency", "duration", "period basis", "time basis", "basis"}


def is_period_kind_header(h: str) -> bool:
    """A long table's column saying how long each row's period is ("period type", "time period length")."""
    return h in PERIOD_KIND_HEADERS or (
        "period" in h and any(word in h.split() for word in ("type", "kind", "length", "basis"))
    )


def is_area_code_header(h: str) -> bool:
    if len(h.split()) >= TITLE_WORDS:
        return False
    return (
        ("code" in h or h in {"lad22cd", "lad23cd", "csp22cd", "csp23cd", "geography code", "ons code"})
        and not any(
            w in h for w in ("lsoa", "msoa", "force", "region", "postcode", "offence", "country", "pfa")
        )
    ) or bool(re.fullmatch(r"(lad|csp|la|cty|utla|ltla)\d*cd", h))


TITLE_WORDS = 7  # a heading is a few words; a cell with more is a title ("Police recorded crime by CSP area")


def is_area_name_header(h: str) -> bool:
    if any(w in h for w in ("force", "region", "country", "lsoa", "msoa", "pfa", "code")):
        return False
    if len(h.split()) >= TITLE_WORDS:
        return False
    return (
        h in {"area", "area name", "name", "csp", "district", "geography", "local authority"}
        or "community safety partnership" in h
        or "csp" in h.split()
        or ("area" in h and "name" in h)
        or "local authority" in h
        or bool(re.fullmatch(r"(lad|csp|la)\d*nm", h))
    )


IDENTIFIER_WORDS = (
    "name",
    "code",
    "region",
    "force",
    "country",
    "area",
    "partnership",
    "district",
    "population",
)


@dataclass
class Header:
    layout: str
    row_index: int  # index into the sheet's rows (0 = first row yielded)
    cells: list  # the header cells as written
    columns: dict = field(default_factory=dict)  # role -> column index
    offence_columns: list = field(default_factory=list)  # (column index, label) for wide tables
    title: str = ""  # the text above the header (titles, notes)
    unheaded_columns: list = field(default_factory=list)  # columns inside the table with no heading
    header_rows: int = 1  # how many rows the header spans (merged group headings above the lines)
    # Wide tables giving each offence twice, as a number and a rate: column index -> the unit heading
    # ("Number", "Rate per 1,000 population") under the offence's (merged) heading.
    column_units: dict = field(default_factory=dict)
    # Wide tables giving each offence for several periods: column index -> the period heading over or
    # under the offence's ("Apr 2021 to Mar 2022"); such a column is that offence, for that period.
    column_periods: dict = field(default_factory=dict)


GENERIC_AREA_HEADERS = {"name", "area", "geography", "district"}
UNIT_HEADINGS = {
    "number",
    "numbers",
    "count",
    "counts",
    "number of offences",
    "number of crimes",
    "offences",
    "crimes",
    "recorded",
    "recorded offences",
    "recorded crimes",
    "total",
    "rate",
    "percentage",
    "rank",
}
# How a column under an offence is counted when it is not the offence's number: "Outcome rate (%)",
# "Proportion of all crime", "Rank". Never a figure a measure counted in numbers takes.
NOT_A_COUNT = re.compile(r"\brates?\b|%|\bper\s*cent|\bproportion\b|\bshare\b|\brank(?:ing)?\b")


UNIT_STARTS = ("rate ", "rates ", "per 1", "offences per ", "crimes per ", "number per ")
# An offence heading that carries its unit: "Violence against the person rate per 1,000 population".
INLINE_UNIT = re.compile(
    r"^(?P<offence>.+?)[\s,:;(–-]+(?P<unit>(?:crime\s+|offence\s+)?rates?\s+per\s+[\d,]+(?:\s+\w+)*"
    r"|per\s+1[\d,]*(?:\s+\w+)*|\(?%\)?|percentage(?:\s+of\s+\w+)*)\)?$",
    re.IGNORECASE,
)


def is_unit_heading(text) -> bool:
    """A heading that says how an offence is counted, not which offence: "Number", "Rate per 1,000"."""
    h = fold(text)
    if is_change_heading(text):
        return False  # "% change": a change between periods, not a unit
    return (
        h in UNIT_HEADINGS
        or h.startswith(UNIT_STARTS)
        or h in {"%", "per cent"}
        or bool(NOT_A_COUNT.search(h))
    )


# A title saying its figures are rates ("rates per 1,000 population", "per 100,000", "percentage of"), not a
# change between periods ("percentage change"), and not numbers as well ("numbers and rates").
TITLE_RATE = re.compile(
    r"\brates?\b(?!\s+of\s+change)|\bper\s+1,?000\b|\bper\s+100,?000\b"
    r"|\bper\s*cent(?:age)?s?\b(?!\s+(?:point\s+)?change)|%(?!\s*change)",
    re.IGNORECASE,
)
TITLE_COUNTS = re.compile(r"\b(?:numbers?|counts?)\b", re.IGNORECASE)
# A column of changes between periods, not a figure: "% change", "Percentage change", "Change".
CHANGE_HEADING = re.compile(
    r"(?:%|\bper\s*cent(?:age)?|\bpercentage\s+point|\bnumeric|\babsolute)\s*change\b|^change\b"
    r"|\bchange\s+(?:from|on|since|over|between)\b|\bchange\s*\(%\)"
    r"|^(?:difference|variance|movement|volume\s+change)\b|^\+\s*/\s*-|^-\s*/\s*\+",
    re.IGNORECASE,
)


def title_unit(title: str, where: str = "title") -> str:
    """The unit a title (or a sheet's name) gives every figure under it ("rates per 1,000 population"),
    or ""."""
    found = TITLE_RATE.search(title or "")
    if not found or TITLE_COUNTS.search(title):
        return ""
    return f"rates, as the {where} says"


def is_change_heading(text) -> bool:
    """A column of changes between two periods ("% change"), which is never a figure to store."""
    return bool(CHANGE_HEADING.search(" ".join(str(text or "").split())))


# A column adding up the others beside it ("Total", "Year to date"), never a line: "Total recorded crime"
# and "Total theft offences" are lines, and keep their names.
SUM_HEADING = re.compile(
    r"^(?:grand\s+)?totals?$|^(?:financial\s+|fiscal\s+)?year[\s-]+to[\s-]+date$|^f?ytd$|^total\s+to\s+date$",
    re.IGNORECASE,
)


def is_sum_heading(text) -> bool:
    return bool(SUM_HEADING.match(" ".join(str(text or "").split())))


def is_aside(text) -> bool:
    """A column beside a wide table's figures that is never one to store: a change between periods,
    notes, or a sum of the others."""
    return is_change_heading(text) or is_sum_heading(text) or fold(text) in NOTE_HEADERS


def is_rate(unit: str) -> bool:
    """A unit that is a rate or a share, which a measure counted in numbers never takes."""
    u = unit.lower()
    return (
        "rate" in u
        or "per 1" in u
        or "%" in u
        or "percent" in u
        or "per cent" in u
        or bool(NOT_A_COUNT.search(u))
    )


def classify(cells: list, known=None) -> Header | None:
    """The layout a row would be the header of, or None when it is no header.

    ``known(label)`` says whether the mapping knows an offence line; a wide table whose area column
    is only called "name" or "area" needs at least one known line to count as a header.
    """
    folded = [fold(c) for c in cells]
    present = [h for h in folded if h]
    if len(present) < 2:
        return None

    def first(predicate, exclude=()):
        for i, h in enumerate(folded):
            if h and i not in exclude and predicate(h):
                return i
        return None

    def named(names, exclude=()):
        for name in names:
            for i, h in enumerate(folded):
                if h == name and i not in exclude:
                    return i
        return None

    if "crime type" in folded and "lsoa name" in folded:
        columns = {
            "label": folded.index("crime type"),
            "area_name": folded.index("lsoa name"),
            "area_code": folded.index("lsoa code") if "lsoa code" in folded else None,
            "period": folded.index("month") if "month" in folded else None,
            "location": folded.index("location") if "location" in folded else None,
            "reported_by": folded.index("reported by") if "reported by" in folded else None,
            "crime_id": folded.index("crime id") if "crime id" in folded else None,
        }
        return Header("street", 0, cells, columns)

    code = first(is_area_code_header)
    name = first(is_area_name_header)
    if code is None and name is None:
        return None
    taken = {i for i in (code, name) if i is not None}
    value = named(VALUE_HEADERS, taken)
    period = named(PERIOD_HEADERS, taken)
    quarter = None
    year = named(YEAR_HEADERS, taken | {value})
    if year is not None and (period is None or folded[period] in YEAR_HEADERS + QUARTER_HEADERS):
        quarter = named(QUARTER_HEADERS, taken | {value, year})
        if quarter is not None:
            period = year
    label = named(LABEL_HEADERS, taken | {value, period, quarter})
    if value is not None and period is not None and label is not None:
        levels = [
            i
            for i in (named([h], taken | {value, period, quarter, label}) for h in OFFENCE_LEVELS)
            if i is not None
        ]
        used = taken | {value, period, quarter, label, *levels}
        units = [i for i, h in enumerate(folded) if h in UNIT_HEADERS and i not in used]
        qualifier = named(["indicator"], used | set(units))
        # A column saying how long each row's period is ("period_type": "Rolling 12 months").
        period_kind = first(is_period_kind_header, used | set(units) | {qualifier})
        if folded[value] != "value" and is_rate(folded[value]):
            units.insert(0, value)  # a column of values headed "rate": its heading is every row's unit
        layout = "template" if set(present) <= set(TEMPLATE_COLUMNS) else "long"
        columns = {
            "area_code": code,
            "area_name": name,
            "period": period,
            "value": value,
            "label": label,
            "units": units,
            "qualifier": qualifier,
            "quarter": quarter,
            "period_kind": period_kind,
            "levels": levels if folded[label] in ("offence", *OFFENCE_LEVELS) else [],
        }
        return Header(layout, 0, cells, columns)

    force = first(lambda h: "force" in h)
    period = named(PERIOD_HEADERS, taken)
    offence_columns, period_columns = [], []
    for i, h in enumerate(folded):
        if not h or i in taken or i in (force, period):
            continue
        if any(word in h.split() for word in IDENTIFIER_WORDS) and (
            "name" in h or "code" in h or h in IDENTIFIER_WORDS
        ):
            continue
        # "year ending March 2024" beside a title: a title row, not offences.
        if find_period_in_text(h, bare_year=False):
            if parse_period(cells[i]) is not None:
                period_columns.append((i, cells[i]))
            continue
        offence_columns.append((i, cells[i]))
    if len(period_columns) > 1 and all(is_aside(label) for _, label in offence_columns):
        # Periods over the offences ("Apr 2021 to Mar 2022" merged over its offence columns): the
        # offences are in the row below (``_combine_header_rows``); or one offence's periods, with a
        # change between them or notes beside them ("Percentage change", "Notes"), which the pass
        # leaves out.
        offence_columns = sorted(period_columns + offence_columns)
    if not offence_columns:
        return None
    generic = all(folded[i] in GENERIC_AREA_HEADERS for i in taken)
    if generic and known is not None and not any(known(label) for _, label in offence_columns):
        return None
    columns = {"area_code": code, "area_name": name, "force": force, "period": period}
    return Header("wide", 0, cells, columns, offence_columns)


def find_header(rows: list[list], requested: str = "", known=None, *, sheet_name: str = "") -> Header:
    """The first row, among the first few, that is a header (of the requested layout, if given).

    A header may span several rows: group headings in merged cells ("Victim-based crime" above its
    lines) over the lines' own headings. Rows below the first header row that hold only text, with
    nothing in its area columns, are combined into it, the lowest heading of each column winning.
    """
    titles = []
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = classify(cells, known)
        if header is not None and (not requested or _fits(header.layout, requested)):
            header = _combine_header_rows(header, rows, index, requested, known)
            if header.layout == "wide" and index > 0:
                _offences_over_units(header, rows[index - 1])
                _units_over_offences(header, rows[index - 1])
                _periods_over_offences(header, rows[index - 1])
                _offences_over_periods(header, rows[index - 1])
                _offences_over_parts(header, rows[index - 1])
            header.title = " ".join(titles)
            if header.layout == "wide":
                _units_in_headings(header)
            unit = title_unit(header.title) or title_unit(sheet_name, "sheet's name")
            if header.layout == "wide" and unit:
                # "Rates per 1,000 population" in the title or the sheet's name: every figure below is
                # one, unless its own heading says otherwise ("Number" under an offence).
                for i, _ in header.offence_columns:
                    header.column_units.setdefault(i, unit)
            if requested:
                header.layout = requested
            # Every column without a heading, the last ones too: a CSV's header row ending in a comma
            # has one more (empty) cell, and figures below it would otherwise go unread, unsaid.
            header.unheaded_columns = [i for i in range(len(header.cells)) if not fold(header.cells[i])]
            return header
        titles.extend(str(c) for c in cells if c not in (None, ""))
    for cells in rows[:HEADER_SEARCH_ROWS]:
        other = _other_police_file(cells)
        if other:
            raise ImportFileError(other)
    if requested:
        raise ImportFileError(
            f"The columns do not fit the layout “{requested}”: {expected_columns(requested)} "
            f"No such header was found in the first {HEADER_SEARCH_ROWS} rows."
        )
    if turned := _transposed(rows[:HEADER_SEARCH_ROWS]):
        raise ImportFileError(turned)
    raise ImportFileError(
        f"No header row found in the first {HEADER_SEARCH_ROWS} rows: the columns were not recognised. "
        "Expected one of: our template (area, measure or offence, period, value); a table with one row per "
        "area (a column such as “Community Safety Partnership name” or “area code”) and one column per "
        "offence group; a long table (area_code, area_name, period, value, indicator); or a "
        "data.police.uk street-level file (Month, LSOA name, Crime type)."
    )


def _transposed(rows) -> str:
    """A plain message for a table turned on its side: offences down a column (three or more lines the
    classification knows) and no header found across, or ""."""
    from measures.importing.classification import classification

    known = classification()
    width = max((len(cells) for cells in rows), default=0)
    for column in range(min(width, 5)):
        named = [
            text for cells in rows if column < len(cells) and (text := str(cells[column] or "").strip())
            and known.find(text)
        ]  # fmt: skip
        if len(named) >= 3:
            return (
                f"The offences run down column {chr(65 + column)} ({', '.join(named[:2])}, ...) with no "
                "header across: the table seems turned on its side. The importer reads one row per area and "
                "one column per offence. Turn it (in Excel: copy it, then Paste Special › Transpose) and "
                "import that."
            )
    return ""


def _other_police_file(cells) -> str:
    """What a data.police.uk download other than the street-level crimes is, in plain words, or ""."""
    folded = {fold(c) for c in cells}
    if "outcome type" in folded and "lsoa name" in folded:
        return (
            "This is a data.police.uk outcomes file (what became of each crime: “Outcome type”), not the "
            "street-level crimes: import the month's street file instead (its name ends “-street.csv”). "
            "Nothing was written."
        )
    if "object of search" in folded or "legislation" in folded and "type" in folded:
        return (
            "This is a data.police.uk stop and search file, not the street-level crimes: import the "
            "month's street file instead (its name ends “-street.csv”). Nothing was written."
        )
    return ""


def _is_heading_row(cells, header: Header) -> bool:
    """Text only, at least one heading, and nothing in the area columns: a header's second row."""
    present = [c for c in cells if c not in (None, "") and str(c).strip()]
    if not present:
        return False
    if any(isinstance(c, int | float) and not isinstance(c, bool) for c in present):
        return False
    if any(str(c).strip().replace(",", "").replace(".", "").isdigit() for c in present):
        return False
    for role in ("area_code", "area_name"):
        i = header.columns.get(role)
        # Nothing in the area columns, or their heading again ("Area name" in both rows of the header).
        if i is not None and i < len(cells) and str(cells[i] or "").strip():
            if fold(cells[i]) != fold(header.cells[i] if i < len(header.cells) else ""):
                return False
    return True


def _combine_header_rows(header: Header, rows, index: int, requested: str, known) -> Header:
    header.row_index = index
    if header.layout != "wide":
        return header
    combined = list(header.cells)
    units, periods = {}, {}
    below = index + 1
    while below < len(rows) and below - index < 4 and _is_heading_row(rows[below], header):
        lower = rows[below]
        width = max(len(combined), len(lower))
        over = carried_across(combined, width)
        new = []
        for i in range(width):
            upper = combined[i] if i < len(combined) else ""
            text = str(lower[i]).strip() if i < len(lower) and lower[i] is not None else ""
            if text and is_unit_heading(text) and over[i]:
                units[i] = text  # "Number" under a merged offence heading: that offence, as a number
                new.append(over[i])
            elif text and over[i] and is_unit_heading(over[i]) and not is_unit_heading(text):
                units[i] = over[i]  # an offence under a merged "Rate per 1,000 population": a rate
                new.append(lower[i])
            elif text and over[i] and parse_period(text) is not None and parse_period(over[i]) is None:
                periods[i] = text  # a period under a merged offence heading: that offence, that period
                new.append(over[i])
            elif text and over[i] and parse_period(over[i]) is not None and parse_period(text) is None:
                periods[i] = over[i]  # an offence under a merged period heading
                new.append(lower[i])
            elif text and over[i] and is_change_heading(over[i]) and not is_change_heading(text):
                new.append(f"{text} ({over[i]})")  # an offence under a merged "% change": its change
            elif text and over[i] and (whole := qualified(over[i], text)):
                new.append(whole)  # "With injury" under a merged "Violence against the person"
            else:
                new.append((lower[i] if text else None) or upper)
        combined = new
        below += 1
    if below == index + 1:
        return header
    merged = classify(combined, known)
    if merged is None or (requested and not _fits(merged.layout, requested)):
        return header
    merged.row_index = below - 1
    merged.header_rows = below - index
    merged.column_units = {i: u for i, u in units.items() if any(c == i for c, _ in merged.offence_columns)}
    merged.column_periods = {
        i: p for i, p in periods.items() if any(c == i for c, _ in merged.offence_columns)
    }
    return merged


def carried_across(cells, width: int) -> list[str]:
    """Each of ``width`` columns' heading in a row whose headings are merged across columns: a merged
    cell's text is in its first column only, so each blank column takes the heading to its left."""
    carried, over = "", []
    for i in range(width):
        text = str(cells[i]).strip() if i < len(cells) and cells[i] is not None else ""
        carried = text or carried
        over.append(carried)
    return over


def over_offences(header: Header, above) -> list[str]:
    """The headings in the row above the header over each column, merged cells carried across, from
    the first offence column on: a title above the area columns is not a heading over the offences."""
    first = min((i for i, _ in header.offence_columns), default=len(header.cells))
    cells = ["" if i < first else cell for i, cell in enumerate(above)]
    return carried_across(cells, len(header.cells))


def _offences_over_units(header: Header, above) -> None:
    """Offence headings in the row above the header (merged over two or more columns), and under them
    how each column counts ("Number", "Rate per 1,000 population"): each such column is that offence,
    in that unit."""
    if not any(is_unit_heading(label) for _, label in header.offence_columns):
        return
    over = over_offences(header, above)
    offence_columns = []
    for i, label in header.offence_columns:
        if is_unit_heading(label) and over[i]:
            header.column_units[i] = str(label).strip()
            label = over[i]
        offence_columns.append((i, label))
    header.offence_columns = offence_columns


def qualified(over, text) -> str:
    """A sub-heading that names a line only with the heading merged over it ("With injury" under
    "Violence against the person", "Business property" under "Robbery"): the line's wording the
    classification knows, or "" (a line on its own, "Arson" under "Criminal damage and arson", stays)."""
    lines = classification()
    over, text = str(over).strip(), str(text).strip()
    for whole in (f"{over} {text}", f"{over} - {text}", f"{over} of {text}", f"{text} {over}"):
        if lines.find(whole) is not None:
            return whole
    return ""


def _offences_over_parts(header: Header, above) -> None:
    """Offence headings in the row above the header, merged over sub-headings that name their lines
    only with them ("Violence against the person" over "With injury" and "Without injury")."""
    over = over_offences(header, above)
    header.offence_columns = [
        (i, (over[i] and qualified(over[i], label)) or label) for i, label in header.offence_columns
    ]


def _units_in_headings(header: Header) -> None:
    """Offence headings that carry their unit ("Robbery rate per 1,000 population"): that offence, in
    that unit, so that a rate is never read as a count nor asked about as a line of its own."""
    offence_columns = []
    for i, label in header.offence_columns:
        text = " ".join(str(label).split())
        found = None if is_change_heading(text) else INLINE_UNIT.match(text)
        if found and i not in header.column_units:
            header.column_units[i] = found["unit"]
            label = found["offence"]
        offence_columns.append((i, label))
    header.offence_columns = offence_columns


def _units_over_offences(header: Header, above) -> None:
    """A unit heading in the row above the header, merged over offence columns ("Rate per 1,000
    population" over Violence, Robbery, ...): each offence column under it is in that unit."""
    over = over_offences(header, above)
    for i, label in header.offence_columns:
        if (
            i not in header.column_units
            and over[i]
            and is_unit_heading(over[i])
            and not is_unit_heading(label)
        ):
            header.column_units[i] = over[i]


def _periods_over_offences(header: Header, above) -> None:
    """Periods in the row above the header, each merged over its offence columns ("Year ending March
    2012" over Violence and Criminal damage, then "Year ending March 2013" over them again): each
    column is its offence for that period, never the periods' figures added up into one."""
    over = over_offences(header, above)
    for i, _ in header.offence_columns:
        if i not in header.column_periods and over[i] and parse_period(over[i]) is not None:
            header.column_periods[i] = over[i]
    if header.column_periods:
        # "% change" merged over the offences again beside the periods': each is that offence's change.
        header.offence_columns = [
            (i, f"{label} ({over[i]})" if over[i] and is_change_heading(over[i]) else label)
            for i, label in header.offence_columns
        ]


def _offences_over_periods(header: Header, above) -> None:
    """Offence headings in the row above the header, each merged over a column per period ("Violence
    against the person" over "Year ending March 2012", "Year ending March 2013", "% change"): each
    period column is that offence for that period (the change is left out as a change)."""
    over = over_offences(header, above)
    offence_columns = []
    for i, label in header.offence_columns:
        if over[i] and i not in header.column_periods and parse_period(label) is not None:
            if (
                parse_period(over[i]) is None
                and not is_unit_heading(over[i])
                and not is_change_heading(over[i])
            ):
                header.column_periods[i] = str(label).strip()
                label = over[i]
        offence_columns.append((i, label))
    header.offence_columns = offence_columns


def _fits(found: str, requested: str) -> bool:
    return found == requested or {found, requested} <= {"template", "long"}


def expected_columns(layout: str) -> str:
    return {
        "template": "our template has the columns area, measure or offence, period and value.",
        "long": "a long table has an area code or name, a period, a value and an offence or indicator "
        "column.",
        "wide": "a wide table has an area name or code column and one column per offence group.",
        "street": "a data.police.uk file has the columns Month, LSOA code, LSOA name and Crime type.",
    }.get(layout, "")
