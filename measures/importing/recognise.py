"""Recognising what a file is before its rows are read: which sheet, which period, which district.

``layouts`` finds a header row in a sheet's first rows; this module uses it to choose the sheet of a
workbook holding several, finds the period a wide table is for (chosen by the person or stated in
its title), and reads an LSOA name as its district.
"""

import re

from measures.importing import layouts
from measures.importing.period_labels import (
    PeriodKey,
    file_name_words,
    find_period_in_text,
    month_first,
    names_a_shorter_period,
    parse_period,
    period_label,
    quarter_readings,
    spans_named,
    states_part_of_a_year,
    states_twelve_months,
    twelve_months_to,
)
from measures.importing.readers import DamagedFileError, ImportFileError
from measures.importing.validate import PERIOD_EXAMPLES, Options, PassResult
from measures.models import Period

SHORT_KINDS = (Period.Kind.MONTH, Period.Kind.QUARTER)


def head_of(rows) -> list:
    """The rows a header is looked for in, taken from the front of ``rows`` (the rest stay unread)."""
    head = []
    for cells in rows:
        head.append(cells)
        if len(head) >= layouts.HEADER_SEARCH_ROWS:
            break
    return head


def choose_sheet(book, options: Options, known, result: PassResult) -> str | None:
    """The sheet to read: the one asked for, the only one, or the only one with a header we recognise.

    None when several sheets could be the table: ``result`` then asks the person to choose. The sheets
    offered (``result.sheets``) are those holding a table, and the one asked for: never the cover or the
    notes, even once a sheet has been chosen.
    """
    names = book.sheet_names
    if len(names) == 1:
        result.sheets = names
        return names[0]
    chosen = None
    if options.sheet:
        # "Table P4" finds a sheet named "Table P4  " or "table p4": case and surrounding spaces ignored.
        wanted = " ".join(options.sheet.split()).casefold()
        chosen = next((name for name in names if " ".join(name.split()).casefold() == wanted), None)
        if chosen is None:
            raise ImportFileError(f"There is no sheet “{options.sheet}”. The sheets are: {', '.join(names)}.")
    held = {name: holds_table(book, name, options, known) for name in names if name != chosen}
    # A wide table naming no line anybody knows is offered only when no sheet names one: a contents
    # sheet's rows ("Table 3 | Police recorded crime by CSP area | ...") can look like a header.
    strong = TABLE in held.values()
    candidates = [
        name for name in names if name == chosen or held[name] == TABLE or held[name] and not strong
    ]
    shown = [name for name in candidates if name not in book.hidden]
    if not chosen and shown and len(shown) < len(candidates):
        # A hidden sheet (last year's figures, workings) is read only when asked for by name.
        result.notices.append(
            f"Hidden sheets not read: {', '.join(n for n in candidates if n in book.hidden)} (to import one, "
            "choose it by name)."
        )
        candidates = shown
    result.sheets = candidates
    if chosen or len(candidates) == 1:
        return chosen or candidates[0]
    if not candidates:
        raise ImportFileError(
            f"None of the sheets ({', '.join(names)}) has a header row the importer recognises."
        )
    result.ask(
        "sheet",
        f"This {'zip' if book.kind == 'zip' else 'workbook'} has several tables ({', '.join(candidates)}): "
        "which one should be imported?",
    )
    return None


TABLE, MAYBE = 2, 1  # what a sheet holds: a table, perhaps a table (a wide one naming no known line)


def holds_table(book, name: str, options: Options, known) -> int:
    """Whether the sheet's first rows hold a header row the importer recognises: TABLE, or MAYBE when it
    is a wide table none of whose columns is a line the mapping or the classification knows, or 0."""
    try:
        header = layouts.find_header(head_of(book.sheet(name).rows), options.layout, known)
    except DamagedFileError:
        raise
    except ImportFileError:
        return 0
    if header.layout == "wide" and not any(known(label) for _, label in header.offence_columns):
        return MAYBE
    return TABLE


def file_period(stated_in: str, options: Options, result: PassResult) -> PeriodKey | None:
    """The one period a table with no period column is for: the person's choice, else what its title says.

    None (with an error in ``result``) when neither says, or the choice is not a period, or it is a
    month or a quarter and the title (or the file's name) says the figures are twelve months' worth
    even though its date could not be read ("12 months to 15 June 2019"): a rolling 12-month figure
    is never stored as a month or a quarter.
    """
    stated = find_period_in_text(stated_in)
    part, span = states_part_of_a_year(stated_in)
    asked = parse_period(options.period) if options.period else None
    said, readings = quarter_readings(stated_in)
    if said and (asked or not options.period):
        # "Q3 2012": the person says which quarter it is; no other period is taken for it.
        words = (
            f"“{said}”, the calendar year's quarter ({period_label(readings[0])}, "
            f"{span_words(readings[0])}) or the financial year's ({period_label(readings[1])}, "
            f"{span_words(readings[1])})"
        )
        if asked is None:
            result.ask(
                "period",
                f"The file's title says {words}: which period are its figures for?",
                [period_label(key) for key in readings],
            )
            return None
        if asked not in readings:
            result.error(
                None,
                "",
                f"The file's title says {words}, but the period given is {period_label(asked)} "
                f"({span_words(asked)}). Give the quarter the figures are for. Nothing was written.",
            )
            return None
        stated, part, span = asked, "", None
    named = list(dict.fromkeys(key for key in [*spans_named(stated_in), stated] if key))
    if (
        len(named) == 1
        and named[0][0] in SHORT_KINDS
        and not stated
        and states_twelve_months(stated_in)
        and (asked or not options.period)
    ):
        # "Quarter ending December 2012" and "rolling 12 months" in one title: the quarter, or the
        # twelve months to its end?
        short = named[0]
        words = f"{period_label(short)} and twelve months"
        if asked is None:
            result.ask(
                "period",
                f"The file's title names {words}: which are its figures for?",
                [period_label(short), period_label(twelve_months_to(short))],
            )
            return None
        if asked != short and not (asked[0] not in SHORT_KINDS and asked[2] == short[2]):
            result.error(
                None,
                "",
                f"The file's title names {words} (to {short[2]:%-d %B %Y}), and the period given "
                f"({period_label(asked)}) is neither. Give the period its figures are for. Nothing was "
                "written.",
            )
            return None
        stated, part, span = asked, "", None
    if len(named) > 1 and (asked or not options.period):
        # "Q4 2012/13 and year ending March 2013": two periods, and the figures are for one of them.
        listed = ", ".join(period_label(key) for key in named[:-1]) + f" and {period_label(named[-1])}"
        count = {2: "two", 3: "three"}.get(len(named), str(len(named)))
        if asked is None:
            result.ask(
                "period",
                f"The file's title names {count} periods, {listed}: which are its figures for?",
                [period_label(key) for key in named],
            )
            return None
        if asked not in named:
            result.error(
                None,
                "",
                f"The file's title names {count} periods, {listed}, and the period given "
                f"({period_label(asked)}) is none of them. Give the period its figures are for. Nothing was "
                "written.",
            )
            return None
        stated, part, span = asked, "", None
    stated = stated or span  # "3 months to December 2012": 2012/13 Q3
    american = month_first(part) if part and not span else None
    if american and asked == american:
        # "10/01/2012 - 12/31/2012" with 2012/13 Q3 given: the person says the dates are month first.
        part, stated = "", american
    if part and not span:
        # "6 months to September 2012", "April to December 2012", "year to date": no period the
        # tracker keeps, and storing them as one (a year, a quarter) would be a wrong figure.
        result.error(
            None,
            "",
            f"The file's title says its figures are for “{part}”: part of a year that is not a month, a "
            "quarter of the financial year or twelve months, or one the importer cannot place, so no period "
            "the tracker stores"
            + (f" (the period given is {period_label(asked)})" if asked else "")
            + (
                f". Read month first, as American dates are written, they are {span_words(american)}: if "
                f"so, give the period {period_label(american)}"
                if american
                else ". Import a table for a month, a quarter or twelve months"
            )
            + ". Nothing was written.",
        )
        return None
    if options.period and asked is None:
        result.error(
            None,
            "",
            f"“{options.period}” is not a period the importer knows ({PERIOD_EXAMPLES}).",
        )
        return None
    # "prc-csp-2023-24-oct-dec.csv" titled "..., 2023/24": the year, or the quarter its name gives?
    from_name = (
        spans_named(file_name_words(options.file_name)) if stated and stated[0] not in SHORT_KINDS else []
    )
    if from_name and stated not in from_name:
        if asked is None:
            gives = ", ".join(period_label(key) for key in from_name)
            result.ask(
                "period",
                f"The file's name, “{options.file_name}”, gives {gives}, but its title says "
                f"{period_label(stated)} ({span_words(stated)}): which period are its figures for?",
                [period_label(key) for key in [*from_name, stated]],
            )
            return None
        if asked in from_name:
            stated = asked  # the person says the name is right
    if asked and stated and asked != stated:
        # A period given by hand must agree with the span the file states: the 12 months to December
        # are never stored as December, nor as a quarter.
        result.error(
            None,
            "",
            f"The file states its figures are for {period_label(stated)} ({span_words(stated)}), but the "
            f"period given is {period_label(asked)} ({span_words(asked)}). Leave the period blank to use "
            "the file's, or check that this is the right file. Nothing was written.",
        )
        return None
    if (
        asked
        and not stated
        and asked[0] in SHORT_KINDS
        and (states_twelve_months(stated_in) or states_twelve_months(file_name_words(options.file_name)))
    ):
        said = "title" if states_twelve_months(stated_in) else "name"
        result.error(
            None,
            "",
            f"The file's {said} says its figures are for twelve months (a year ending, or 12 months to, a "
            f"date the importer could not read), but the period given is {period_label(asked)} "
            f"({span_words(asked)}): a twelve-month figure is never stored as a month or a quarter. Give "
            "the twelve months instead (for example “year ending December 2024” or “2023/24”). Nothing "
            "was written.",
        )
        return None
    shorter = (
        names_a_shorter_period(stated_in) if asked and not stated and asked[0] not in SHORT_KINDS else ""
    )
    if shorter:
        # "Quarter ending December 2012" (unread) with 2012/13 given: a quarter's figures stored as a year.
        result.error(
            None,
            "",
            f"The file's title speaks of “{shorter}”, a period shorter than twelve months, which the "
            f"importer cannot read, but the period given is {period_label(asked)} ({span_words(asked)}). "
            "Give the period the figures are for (for example “2012/13 Q3” or “December 2012”). Nothing "
            "was written.",
        )
        return None
    key = asked or stated
    if key is None:
        result.ask(
            "period",
            "The file does not say which period its figures are for: which period is it? "
            "(for example “year ending December 2024” or “2023/24”)",
        )
        return None
    result.period_note = f"{period_label(key)} ({'as you chose' if asked else 'as the file states'})"
    return key


def span_words(key: PeriodKey) -> str:
    kind, start, end = key
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return f"{months} month{'s' if months != 1 else ''}, {start:%-d %b %Y} to {end:%-d %b %Y}"


def lsoa_district(name: str) -> str:
    """ "Cherwell 001A" -> "Cherwell": data.police.uk names each crime's LSOA after its district."""
    return re.sub(r"\s+[0-9]{3}[A-Z]$", "", name)
