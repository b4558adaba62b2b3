"""Period labels as files write them, read into (kind, start, end).

"2010/11" is a financial year; "2010/11 Q3" or "Q3 2010/11" a financial-year quarter;
"year ending December 2024" (or "12 months to Dec 2024") the rolling twelve months to the end
of that month ("year ending March ..." is a financial year); "2018" a calendar year (the rolling
twelve months to December); "2018-06", "Jun 2018" or "June 2018" a month; "Apr-Jun 2011" or
"April to June 2011" a quarter.
"""

import calendar
import datetime
import re

from measures import periods
from measures.models import Period

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if n}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if n}
MONTHS["sept"] = 9
MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
YEAR = r"((?:19|20)\d\d)"
FY = r"((?:19|20)\d\d)\s*[/-]\s*(\d\d(?:\d\d)?)"

ENDING = (
    r"(?:(?:year|12 months|twelve months)\s+(?:ending|ended|to)|ye)"  # "YE Mar 2024": the ONS's "year ending"
)
ROLLING = re.compile(rf"\b{ENDING}\s+(?:end\s+(?:of\s+)?)?{MONTH}\.?\s+{YEAR}\b")
SPAN = re.compile(rf"\b{MONTH}\.?\s*{YEAR}?\s*(?:-|–|to)\s*{MONTH}\.?\s+{YEAR}\b")
QUARTER_AFTER = re.compile(rf"^(?:fy\s*)?{FY}\s*(?:,|-|–)?\s*(?:q|quarter\s*)([1-4])$")
QUARTER_BEFORE = re.compile(rf"^(?:q|quarter\s*)([1-4])\s*(?:,|-|–)?\s*(?:fy\s*)?{FY}$")
FINANCIAL_YEAR = re.compile(rf"^(?:fy|financial year)?\s*{FY}$")
FINANCIAL_YEAR_IN_TEXT = re.compile(rf"\b(?:financial year|fy)\s*{FY}\b")
CALENDAR_YEAR = re.compile(rf"^(?:calendar year\s*)?{YEAR}$")
ISO_MONTH = re.compile(rf"^{YEAR}-(\d\d)(?:-01)?$")
NAMED_MONTH = re.compile(rf"^{MONTH}\.?[\s-]*{YEAR}$")

PeriodKey = tuple[str, datetime.date, datetime.date]
# Footnotes in titles: digits stuck to the year ("December 20191,2"), superscripts, "(note 3)".
TITLE_YEAR_NOTE = re.compile(
    rf"\b{MONTH}(\.?\s+(?:19|20)\d\d)\d{{1,2}}(?:\s*,\s*\d{{1,2}})*\b", re.IGNORECASE
)
NOTE_MARKS = re.compile(
    r"[\u00b9\u00b2\u00b3\u2070-\u2079\u2020\u2021*]+|\(\s*notes?\s*[\d, and]+\)", re.IGNORECASE
)


def _clean(text) -> str:
    text = re.sub(r"\[[^\]]*\]", " ", str(text)).lower()
    return " ".join(text.replace("\u00a0", " ").split())


def _fy(first: str, second: str) -> int | None:
    year = int(first)
    follow = int(second)
    if follow == year + 1 or follow == (year + 1) % 100:
        return year
    return None


def _rolling(end_year: int, end_month: int) -> PeriodKey:
    if end_month == 3:  # the twelve months to March are a financial year
        start, end = periods.financial_year_bounds(end_year - 1)
        return (Period.Kind.YEAR, start, end)
    end = periods.month_end(end_year, end_month)
    start = datetime.date(end_year - (0 if end_month == 12 else 1), end_month % 12 + 1, 1)
    return (Period.Kind.ROLLING_YEAR, start, end)


def _span(m1: str, y1: str | None, m2: str, y2: str) -> PeriodKey | None:
    first, last = MONTHS[m1], MONTHS[m2]
    end_year = int(y2)
    start_year = int(y1) if y1 else (end_year if first <= last else end_year - 1)
    start = datetime.date(start_year, first, 1)
    end = periods.month_end(end_year, last)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12:
        return _rolling(end.year, end.month)
    if months == 3:
        fy, q = periods.quarter_of(start)
        if periods.quarter_bounds(fy, q) == (start, end):
            return (Period.Kind.QUARTER, start, end)
    if months == 1:
        return (Period.Kind.MONTH, start, end)
    return None


def parse_period(value) -> PeriodKey | None:
    """A period cell or a typed-in period, or None when it is not one we know."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return (Period.Kind.MONTH, value.replace(day=1), periods.month_end(value.year, value.month))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _clean(value)
    if not text:
        return None
    if match := QUARTER_AFTER.match(text) or QUARTER_BEFORE.match(text):
        groups = match.groups()
        first, second, quarter = groups if match.re is QUARTER_AFTER else (groups[1], groups[2], groups[0])
        year = _fy(first, second)
        if year is not None:
            start, end = periods.quarter_bounds(year, int(quarter))
            return (Period.Kind.QUARTER, start, end)
    if (match := FINANCIAL_YEAR.match(text)) and (year := _fy(*match.groups())) is not None:
        start, end = periods.financial_year_bounds(year)
        return (Period.Kind.YEAR, start, end)
    if match := CALENDAR_YEAR.match(text):
        return _rolling(int(match.group(1)), 12)
    if match := ISO_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
        return None
    if match := NAMED_MONTH.match(text):
        year, month = int(match.group(2)), MONTHS[match.group(1)]
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if match := ROLLING.fullmatch(text) or ROLLING.match(text):
        return _rolling(int(match.group(2)), MONTHS[match.group(1)])
    if match := SPAN.fullmatch(text):
        return _span(*match.groups())
    return None


def find_period_in_text(text: str) -> PeriodKey | None:
    """The period a title states ("..., year ending December 2024"), or None.

    Footnote markers are removed first, in every style: "[note 2]", superscripts, and digits stuck to
    the year ("year ending December 20191,2" is December 2019 with notes 1 and 2).
    """
    text = _clean(TITLE_YEAR_NOTE.sub(r"\1\2", NOTE_MARKS.sub(" ", str(text))))
    if match := ROLLING.search(text):
        return _rolling(int(match.group(2)), MONTHS[match.group(1)])
    if match := SPAN.search(text):
        return _span(*match.groups())
    if match := FINANCIAL_YEAR_IN_TEXT.search(text):
        year = _fy(*match.groups())
        if year is not None:
            start, end = periods.financial_year_bounds(year)
            return (Period.Kind.YEAR, start, end)
    return None


def period_label(key: PeriodKey) -> str:
    """The label the Period row will carry, without creating it."""
    kind, start, end = key
    return Period(kind=kind, start=start, end=end).make_label()


def year_and_quarter(year, quarter) -> str:
    """A period given in two cells, a year and its quarter ("2021/22" and 1, "Q1" or "1.0"), as one
    label ("2021/22 Q1") for ``parse_period``; a quarter written otherwise is kept as written, and a
    blank one makes a label no period has."""
    year_text, quarter_text = str(year if year is not None else "").strip(), str(quarter or "").strip()
    number = quarter_text.upper().removeprefix("Q").strip()
    if number.endswith(".0"):
        number = number[:-2]
    if number in {"1", "2", "3", "4"}:
        return f"{year_text} Q{number}"
    # Never the year alone: a quarter's figure left without its quarter is not the whole year's.
    return f"{year_text} {quarter_text or '(no quarter)'}".strip()
