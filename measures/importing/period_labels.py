"""Period labels as files write them, read into (kind, start, end).

"2010/11" is a financial year; "2010/11 Q3" or "Q3 2010/11" a financial-year quarter;
"year ending December 2024" (or "12 months to Dec 2024", "YE Dec 24", "12-month period ending 31
December 2024") the rolling twelve months to the end of that month ("year ending March ..." and "FYE
March ..." are a financial year); "2018" a calendar year (the rolling twelve months to December);
"2018-06", "Jun 2018", "June 2018" or Excel's "Jun-18" a month; "Apr-Jun 2011" or "April to June
2011" a quarter. A two-digit year is this century's: "Mar 23" is March 2023.
"""

import calendar
import datetime
import re

from measures import periods
from measures.importing.xlsx import YearShown
from measures.models import Period

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if n}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if n}
MONTHS["sept"] = 9
MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
YEAR = r"((?:19|20)\d\d)"
# A year after a month in a year-ending wording or a month cell may be written with two digits
# ("YE Mar 23", Excel's "Mar-23"): always 20xx.
YEAR_OR_SHORT = r"((?:19|20)?\d\d)"
FY = r"((?:19|20)\d\d)\s*[/-]\s*(\d\d(?:\d\d)?)"

# "year ending", "12 months to", "12-month period ending", "YE" (the ONS's "year ending") and "FYE"
# (financial year ending).
ENDING = r"(?:(?:rolling\s+)?(?:year|(?:12|twelve)[\s-]months?(?:\s+period)?|12m)\s+(?:ending|ended|to)|f?ye)"
# The day a year ends on may be written ("year ending 31 March 2023"); it must be the month's last.
ROLLING = re.compile(
    rf"\b{ENDING}\s+(?:end\s+(?:of\s+)?)?(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?{MONTH}\.?(?:\s+|\s*-\s*){YEAR_OR_SHORT}\b"
)
# Not a year that begins a financial year ("January to March 2012/13" is 2013's: see _titled).
NOT_FY = r"(?!\s*[/-]\s*\d)"
SPAN = re.compile(rf"\b{MONTH}\.?\s*(?:{YEAR}{NOT_FY})?\s*(?:-|–|to)\s*{MONTH}\.?\s+{YEAR}\b{NOT_FY}")
# A heading of its own may give both years in two digits ("Apr 11 - Mar 12"); a title's text may not
# (its "Apr 11" could be a day).
SHORT_SPAN = re.compile(rf"^{MONTH}\.?[\s-]*(\d\d)\s*(?:-|–|to)\s*{MONTH}\.?[\s-]*(\d\d)$")
QUARTER_AFTER = re.compile(rf"^(?:fy\s*)?{FY}\s*(?:,|-|–)?\s*(?:q|quarter\s*)([1-4])$")
QUARTER_BEFORE = re.compile(rf"^(?:q|quarter\s*)([1-4])\s*(?:,|-|–)?\s*(?:fy\s*)?{FY}$")
FINANCIAL_YEAR = re.compile(rf"^(?:fy|financial year)?\s*{FY}$")
FINANCIAL_YEAR_IN_TEXT = re.compile(rf"\b(?:financial year|fy)\s*{FY}\b")
# A quarter cell by its end ("Quarter ending December 2012", "3 months to 31 Dec 2012").
QUARTER_ENDING = re.compile(
    rf"^(?:quarter|(?:3|three)[\s-]months?)\s+(?:ending|ended|to)\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?"
    rf"{MONTH}\.?\s+{YEAR}$"
)
CALENDAR_YEAR = re.compile(rf"^(?:calendar year\s*)?{YEAR}$")
ISO_MONTH = re.compile(rf"^{YEAR}-(\d\d)(?:-01)?$")
NAMED_MONTH = re.compile(rf"^{MONTH}\.?[\s-]*{YEAR}$")
EXCEL_MONTH = re.compile(rf"^{MONTH}-(\d\d)$")  # "Jun-18": what Excel writes for a month it read as a date
# A date written out, as Excel re-saves "2018-06": day first, as the UK writes it ("01/06/2018").
UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)?\d\d)(?:\s+\d{1,2}:\d\d(?::\d\d)?)?$")
ISO_DATE = re.compile(rf"^{YEAR}-(\d\d)-(\d\d)(?:[t\s]\d\d:\d\d(?::\d\d)?)?$")
# A year named on its own in a title ("Police recorded crime by CSP, 2012/13"); not inside a date.
FY_IN_TEXT = re.compile(rf"(?<![\d/-]){FY}(?![\d/-])")
# Words saying a title's figures are for part of a year, or for several: a financial year named beside
# them is not the figures' period ("Q3 2023/24", "April to December 2022/23", "2021/22 and 2022/23").
# Quarters, halves and periods written otherwise: "Qtr 3", "Q 3", "H1", "period 9" (a police month).
OTHER_SHORT = r"qtrs?|quarterly|q\s*\d|h[12]|periods?\s*\d{1,2}"
PART_OF_A_YEAR = re.compile(
    rf"\b(?:q[1-4]|quarters?|(?<!12 )(?<!twelve )months?|monthly|weeks?|weekly|half|to date|ytd|{OTHER_SHORT}"
    rf"|fortnights?|fortnightly|winter|spring|summer|autumn|{MONTH.replace('|may|', '|')})\b"
)
# Words saying a title's figures are twelve months' worth, whether or not its date can be read.
TWELVE_MONTHS = re.compile(
    r"\b(?:(?:12|twelve)[\s-]?months?|12m|year\s+(?:ending|ended|to(?!\s+date))|f?ye|rolling[\s-]?(?:year|12))\b"
)

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


# Months with a financial year beside them ("January to March 2012/13", "2012/13 (Oct to Dec)"), or a
# year after their brackets ("Quarter 3 (October - December) 2012"), and quarters in words ("2012/13
# third quarter"): rewritten by _titled with each month's own year ("january 2013 to march 2013").
MONTHS_THEN_FY = re.compile(rf"\b{MONTH}\.?\s*(?:-|–|to)\s*{MONTH}\.?\s*\)?\s*,?\s*\(?\s*{FY}(?![\d/-])")
FY_THEN_MONTHS = re.compile(rf"(?<![\d/-]){FY}\s*[,:-]?\s*\(?\s*{MONTH}\.?\s*(?:-|–|to)\s*{MONTH}\b\.?\s*\)?")
MONTHS_THEN_YEAR = re.compile(rf"\(\s*{MONTH}\.?\s*(?:-|–|to)\s*{MONTH}\.?\s*\)\s*,?\s*{YEAR}(?![\d/-])")
MONTH_THEN_FY = re.compile(rf"\b{MONTH}\.?\s+{FY}(?![\d/-])")
# Twelve months to a quarter's end ("rolling year to Q3 2023/24", "12 months ending quarter 3 of
# 2023/24", "year ending 2023/24 Q3"): rewritten by _titled as the year ending that quarter's last month.
TWELVE_TO = (
    r"(?:rolling\s+year\s+(?:to|ending|ended)|(?:rolling\s+)?(?:12|twelve)[\s-]months?\s+(?:to|ending|ended)"
    r"|year\s+(?:ending|ended))\s+(?:(?:the\s+)?end\s+of\s+)?"
)
TWELVE_TO_QUARTER = re.compile(
    rf"\b{TWELVE_TO}(?:(?:q|quarter\s*)([1-4])\s*(?:of\s+)?{FY}|{FY}\s*(?:,|-|–)?\s*(?:q|quarter\s*)([1-4]))\b"
)
QUARTER_WORDS = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def _fy_months(m1: str, m2: str, first: str, second: str) -> str | None:
    """ "january 2013 to march 2013" for January to March of 2012/13: April to December are the first
    year's months, January to March the second's."""
    start, end = _fy_month(m1, first, second), _fy_month(m2, first, second)
    return f"{start} to {end}" if start and end else None


def _fy_month(month: str, first: str, second: str) -> str | None:
    year = _fy(first, second)
    return None if year is None else f"{month} {year + (MONTHS[month] < 4)}"


def _titled(text: str) -> str:
    """A cleaned title with its months given their own years and its quarters in words as numbers, so
    that one reading serves every rule: "January to March 2012/13" is January to March 2013 (never
    2012), "2012/13 third quarter" is "2012/13 quarter 3"."""

    def fy_after(m):
        return _fy_months(*m.groups()) or m.group(0)

    def fy_before(m):
        return _fy_months(m.group(3), m.group(4), m.group(1), m.group(2)) or m.group(0)

    def year_after(m):
        m1, m2, year = m.group(1), m.group(2), int(m.group(3))
        return f"{m1} {year - (MONTHS[m1] > MONTHS[m2])} to {m2} {year}"

    def twelve_to(m):
        quarter, first, second = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(6, 4, 5)
        year = _fy(first, second)
        if year is None:
            return m.group(0)
        end = periods.quarter_bounds(year, int(quarter))[1]
        return f"year ending {calendar.month_name[end.month].lower()} {end.year}"

    text = MONTHS_THEN_FY.sub(fy_after, text)
    text = FY_THEN_MONTHS.sub(fy_before, text)
    text = MONTHS_THEN_YEAR.sub(year_after, text)
    text = TWELVE_TO_QUARTER.sub(twelve_to, text)
    # "3 months to March 2012/13", "quarter ending March 2012/13": March 2013.
    text = MONTH_THEN_FY.sub(lambda m: _fy_month(*m.groups()) or m.group(0), text)
    return QUARTER_WORDS.sub(lambda m: f"quarter {ORDINALS[m.group(1)]}", text)


def _fy(first: str, second: str) -> int | None:
    year = int(first)
    follow = int(second)
    if follow == year + 1 or follow == (year + 1) % 100:
        return year
    return None


def _year(text: str) -> int:
    """A year as written: "23" after a month is 2023."""
    return int(text) if len(text) == 4 else 2000 + int(text)


def _ending(match: re.Match) -> PeriodKey | None:
    """The twelve months a ``ROLLING`` match names, or None when a day is written that does not end
    its month ("12 months to 15 June 2019" is not a span of whole months the app keeps)."""
    day, month, year = match.group(1), MONTHS[match.group(2)], _year(match.group(3))
    if day is not None and int(day) != periods.month_end(year, month).day:
        return None
    return _rolling(year, month)


def twelve_months_to(key: PeriodKey) -> PeriodKey:
    """The twelve months ending when a month or quarter ends (a financial year for March)."""
    return _rolling(key[2].year, key[2].month)


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
    return _whole_months(datetime.date(start_year, first, 1), periods.month_end(end_year, last))


def _whole_months(start: datetime.date, end: datetime.date) -> PeriodKey | None:
    """The period from the first day of one month to the last of another, when it is one the tracker
    keeps: a month, a quarter of the financial year or twelve months; else None."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12:
        return _rolling(end.year, end.month)
    if months == 3 and periods.quarter_bounds(*periods.quarter_of(start)) == (start, end):
        return (Period.Kind.QUARTER, start, end)
    if months == 1:
        return (Period.Kind.MONTH, start, end)
    return None


# What a period cell may carry after its period: a revision or provisional marker ("2023/24 (provisional)",
# "2023/24 P", "2023/24r", "2023/24 (r)").
REVISION = re.compile(r"(?<=\d)\s*(?:\(\s*(?:p|r|provisional|revised)\s*\)|p|r|provisional|revised)$")
FY_SHORT = re.compile(r"^fy\s*(\d\d)\s*/\s*(\d\d)$")  # "FY23/24"
# A quarter of a financial year written with two-digit years and a slash, the quarter before or after.
SHORT_FY_QUARTER = re.compile(
    r"^(?:q|quarter\s*)([1-4])\s*,?\s*(?:fy\s*)?(\d\d)\s*/\s*(\d\d)$"
    r"|^(?:fy\s*)?(\d\d)\s*/\s*(\d\d)\s*,?\s*(?:q|quarter\s*)([1-4])$"
)
# A quarter written with its months ("2023/24 Q2 (Jul-Sep)"): the months, and the quarter's mark.
QUARTER_MONTHS = re.compile(rf"\(?\s*\b{MONTH}\.?\s*(?:-|–|to)\s*{MONTH}\b\.?\s*\)?")
QUARTER_NAMED = re.compile(r"\bq\s*[1-4]\b|\bquarter\s*[1-4]\b")
QUARTER_AND_YEAR = re.compile(
    r"(?:q|quarter)\s*([1-4])[\s(),]*((?:19|20)\d\d)|((?:19|20)\d\d)[\s(),]*(?:q|quarter)\s*([1-4])"
)
MONTHS_SHORT_YEAR = re.compile(rf"^{MONTH}\.?\s*(?:-|–|to)\s*{MONTH}\.?[\s-]*(\d\d)$")  # "Jul-Sep 23"
MONTH_YEAR_SPAN = re.compile(rf"^(\d{{1,2}})\s*/\s*{YEAR}\s*(?:-|–|to)\s*(\d{{1,2}})\s*/\s*{YEAR}$")
YEAR_M_MONTH = re.compile(rf"^{YEAR}\s*m\s*(\d\d?)$")  # the ONS's time series: "2023M04", "2023 M4"
YEAR_THEN_MONTH = re.compile(rf"^{YEAR}[\s-]+{MONTH}\.?$")  # "2023 July"
MONTH_SLASH_YEAR = re.compile(rf"^(\d{{1,2}})\s*[/.]\s*{YEAR}$")  # "09/2023"; never "2023/09" (2011/12!)
ISO_MONTH_SPAN = re.compile(rf"^{YEAR}-(\d\d)\s*(?:-|–|to)\s*{YEAR}-(\d\d)$")  # "2023-10 to 2023-12"


def parse_period(value) -> PeriodKey | None:
    """A period cell or a typed-in period, or None when it is not one we know."""
    if isinstance(value, YearShown):  # a date the sheet shows as "2023": the year, as shown
        value = str(value.year)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return (Period.Kind.MONTH, value.replace(day=1), periods.month_end(value.year, value.month))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = REVISION.sub("", _clean(value))
    if (months := QUARTER_MONTHS.search(cleaned)) and QUARTER_NAMED.search(cleaned):
        # "2023/24 Q2 (Jul-Sep)", "Q3 Oct-Dec 2023/24": the quarter, when its months are the ones named.
        rest = f"{cleaned[: months.start()]} {cleaned[months.end() :]}"
        first, last = MONTHS[months.group(1)], MONTHS[months.group(2)]
        key = parse_period(rest)
        if key and key[0] == Period.Kind.QUARTER and (key[1].month, key[2].month) == (first, last):
            return key
        if not key and (found := QUARTER_AND_YEAR.fullmatch(rest.strip(" ()[],"))):
            # "Q2 (Jul-Sep) 2023", "Jan-Mar 2024 (Q4)": the months in that year, numbered either way.
            quarter, year = int(found.group(1) or found.group(4)), int(found.group(2) or found.group(3))
            key = _whole_months(datetime.date(year, first, 1), periods.month_end(year, last))
            if (
                key
                and key[0] == Period.Kind.QUARTER
                and quarter
                in (
                    periods.quarter_of(key[1])[1],  # the financial year's
                    (first - 1) // 3 + 1,  # the calendar year's
                )
            ):
                return key
        return None
    text = _titled(cleaned)  # "Jan-Mar 2012/13": "jan 2013 to mar 2013"
    if not text:
        return None
    if match := FY_SHORT.match(text):
        text = f"20{match.group(1)}/{match.group(2)}"
    elif match := SHORT_FY_QUARTER.match(text):  # "Q2 23/24", "23/24 Q2", "FY23/24 Q2": 2023/24 Q2
        first, second = match.group(2) or match.group(4), match.group(3) or match.group(5)
        text = f"20{first}/{second} q{match.group(1) or match.group(6)}"
    if match := ISO_MONTH_SPAN.match(text):
        y1, m1, y2, m2 = (int(n) for n in match.groups())
        if 1 <= m1 <= 12 and 1 <= m2 <= 12:
            return _whole_months(datetime.date(y1, m1, 1), periods.month_end(y2, m2))
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
    if match := ISO_DATE.match(text):  # a date cell written out ("2023-03-01 00:00:00"): its month
        year, month, day = (int(n) for n in match.groups())
        try:
            datetime.date(year, month, day)
        except ValueError:
            return None
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if match := ISO_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
        return None
    if match := NAMED_MONTH.match(text):
        year, month = int(match.group(2)), MONTHS[match.group(1)]
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if match := EXCEL_MONTH.match(text):
        year, month = _year(match.group(2)), MONTHS[match.group(1)]
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if match := QUARTER_ENDING.match(text):
        day, month, year = match.group(1), MONTHS[match.group(2)], int(match.group(3))
        end = periods.month_end(year, month)
        if month % 3 or (day is not None and int(day) != end.day):
            return None  # the quarters the tracker keeps end in March, June, September and December
        return (Period.Kind.QUARTER, *periods.quarter_bounds(*periods.quarter_of(end)))
    if match := ROLLING.fullmatch(text) or ROLLING.match(text):
        return _ending(match)
    if match := SPAN.fullmatch(text):
        return _span(*match.groups())
    if match := SHORT_SPAN.match(text):
        m1, y1, m2, y2 = match.groups()
        return _span(m1, str(_year(y1)), m2, str(_year(y2)))
    if match := MONTHS_SHORT_YEAR.match(text):  # "Jul-Sep 23"
        return _span(match.group(1), None, match.group(2), str(_year(match.group(3))))
    if match := YEAR_THEN_MONTH.match(text):  # "2023 July"
        year, month = int(match.group(1)), MONTHS[match.group(2)]
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if (match := YEAR_M_MONTH.match(text)) and 1 <= int(match.group(2)) <= 12:  # "2023M04" (ONS)
        year, month = int(match.group(1)), int(match.group(2))
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if (match := MONTH_SLASH_YEAR.match(text)) and 1 <= int(match.group(1)) <= 12:  # "09/2023"
        year, month = int(match.group(2)), int(match.group(1))
        return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    if match := MONTH_YEAR_SPAN.match(text):  # "07/2023-09/2023"
        m1, y1, m2, y2 = (int(n) for n in match.groups())
        if 1 <= m1 <= 12 and 1 <= m2 <= 12:
            return _whole_months(datetime.date(y1, m1, 1), periods.month_end(y2, m2))
        return None
    return _dates_in_a_cell(text)


def _dates_in_a_cell(text: str) -> PeriodKey | None:
    """A cell giving its period's first and last days ("01/07/2023 - 30/09/2023", "2023-07-01 to
    2023-09-30", "1 July 2023 to 30 September 2023"), when they span whole months the tracker keeps; an
    American "07/01/2023 - 09/30/2023" only when the British reading is no such span."""
    if dates := DATE_SPAN.fullmatch(text):
        d1, m1, y1, d2, m2, y2 = (int(n) for n in dates.groups())
        return _dates_span(d1, m1, _year(str(y1)), d2, m2, _year(str(y2))) or month_first(text)
    if dates := ISO_DATE_SPAN.fullmatch(text):
        y1, m1, d1, y2, m2, d2 = (int(n) for n in dates.groups())
        return _dates_span(d1, m1, y1, d2, m2, y2)
    if dates := NAMED_DATE_SPAN.fullmatch(text):
        d1, m1, y1, d2, m2, y2 = dates.groups()
        return _dates_span(int(d1), MONTHS[m1], int(y1), int(d2), MONTHS[m2], int(y2))
    return None


def find_period_in_text(text: str, *, bare_year: bool = True) -> PeriodKey | None:
    """The period a title states ("..., year ending December 2024"), or None.

    Footnote markers are removed first, in every style: "[note 2]", superscripts, and digits stuck to
    the year ("year ending December 20191,2" is December 2019 with notes 1 and 2).

    ``bare_year=False`` leaves a financial year named on its own ("2022/23") unread: a column headed
    "2022/23" is not taken for a title (and dropped) but reported as a heading no measure takes.
    """
    text = _titled(_clean(TITLE_YEAR_NOTE.sub(r"\1\2", NOTE_MARKS.sub(" ", str(text)))))
    if match := ROLLING.search(text):
        return _ending(match)
    if match := SPAN.search(text):
        return _span(*match.groups())
    if match := FINANCIAL_YEAR_IN_TEXT.search(text):
        year = _fy(*match.groups())
        if year is not None:
            start, end = periods.financial_year_bounds(year)
            return (Period.Kind.YEAR, start, end)
    if not bare_year:
        return None
    # A financial year named on its own ("..., 2012/13", "..., 2022-23") is that year, as it is in a
    # period cell; but only when it is the one year named and no word says the figures are for part
    # of it: "Q3 2023/24" or "April to December 2022/23" is asked about, never read as the year.
    years = {year for match in FY_IN_TEXT.finditer(text) if (year := _fy(*match.groups())) is not None}
    if len(years) == 1 and not PART_OF_A_YEAR.search(text):
        start, end = periods.financial_year_bounds(years.pop())
        return (Period.Kind.YEAR, start, end)
    return None


YEARS_ENDING = re.compile(rf"\byears?\s+(?:ending|ended|to)\s+{MONTH}\b")
SAYS_FINANCIAL = re.compile(rf"\bfinancial\s+years?\b|\bfye\b|{FY_IN_TEXT.pattern}")


def bare_year_under(title: str, text) -> PeriodKey | str | None:
    """A column headed by a year alone ("2023") under a title that says which twelve months its years
    are: under "year ending March" the year to March 2023 (a financial year); under a title naming
    financial years, the reason it cannot be told which (a str); else None (the calendar year, as
    read)."""
    if not CALENDAR_YEAR.fullmatch(_clean(text)):
        return None
    title = _titled(_clean(NOTE_MARKS.sub(" ", str(title))))
    year = int(_clean(text)[-4:])
    if (ending := YEARS_ENDING.search(title)) and MONTHS[ending.group(1)] != 12:
        return _rolling(year, MONTHS[ending.group(1)])
    if SAYS_FINANCIAL.search(title):
        return (
            f"“{text}” over this column is a year alone, and the title speaks of financial years: "
            f"{year - 1}/{str(year)[2:]} or {year}/{str(year + 1)[2:]}? Write the financial year over the "
            "column (“2023/24”). Nothing was written."
        )
    return None


def file_name_words(name: str) -> str:
    """A file's name as words a title would use: "prc-csp-2023-24-oct-dec.csv" is "prc csp 2023-24
    oct-dec" (a hyphen between a word and a number parts them; "2023-24" and "oct-dec" stay)."""
    stem = re.sub(r"\.[a-z0-9]{2,4}$", "", str(name or ""), flags=re.IGNORECASE).replace("_", " ")
    return re.sub(r"(?<=[a-zA-Z])-(?=\d)|(?<=\d)-(?=[a-zA-Z])", " ", stem)


def states_twelve_months(text: str) -> bool:
    """Whether a title (or a file's name) says its figures are twelve months' worth ("year ending",
    "12 months to", "YE"), whether or not the date it gives can be read: a figure for twelve
    months is never stored as a month or a quarter."""
    return bool(TWELVE_MONTHS.search(_clean(str(text).replace("_", " "))))


NUMBER_WORDS = {
    w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven".split(), start=1)
}
# Words saying a title's figures are for part of a year, with a span the importer does not read as a
# period: "3 months to December 2012", "April 2012 to December 2012", "year to date".
PART_YEAR = re.compile(
    rf"\b(?P<n>\d{{1,2}}|{'|'.join(NUMBER_WORDS)})\s+months?\s+(?:to|ending|ended|up\s+to)\s+"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{MONTH}\.?\s+(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?:q|quarter\s*)(?P<q>[1-4])\b.*?\b(?P<fy>(?:19|20)\d\d\s*[/-]\s*\d\d)\b"
    r"|\b(?P<fy2>(?:19|20)\d\d\s*[/-]\s*\d\d)\s*(?:,|-|–)?\s*(?:q|quarter\s*)(?P<q2>[1-4])\b"
    r"|\bcalendar\s+year\s+(?P<cal>(?:19|20)\d\d)\b|\b(?P<cal2>(?:19|20)\d\d)\s+calendar\s+year\b"
    rf"|\b{MONTH}\.?\s*(?:(?:19|20)\d\d{NOT_FY}\s*)?(?:to|-|–)\s*{MONTH}\.?\s+(?:19|20)\d\d\b{NOT_FY}"
    rf"|\bquarter\s+(?:ending|ended|to)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?P<qmonth>{MONTH[1:-1]})\.?\s+"
    r"(?P<qyear>(?:19|20)\d\d)\b"
)
# Two dates, day first ("01/10/2012 - 31/12/2012"): the months from the first's to the second's, when
# they are whole months.
DATE_SPAN = re.compile(
    r"(?<![\d/.-])(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)?\d\d)\s*(?:-|–|to)\s*"
    r"(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)?\d\d)(?![\d/.-])"
)
# The same in ISO dates ("2012-10-01 to 2012-12-31"), and with the months named ("1 October 2012 -
# 31 December 2012").
ISO_DATE_SPAN = re.compile(
    r"(?<![\d/.-])((?:19|20)\d\d)-(\d\d)-(\d\d)\s*(?:-|–|to)\s*((?:19|20)\d\d)-(\d\d)-(\d\d)(?![\d/.-])"
)
NAMED_DATE_SPAN = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+((?:19|20)\d\d)\s*(?:-|–|to)\s*"
    rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+((?:19|20)\d\d)\b"
)
# Words saying a title's figures are for part of a year that is no period the tracker keeps (or one it
# cannot place: "Q1-Q3"). Looked for first, so that
# "Q3 year to date 2012/13" is never read as the quarter, nor "Half year ending March 2013" as the year.
NO_PERIOD = re.compile(
    r"\b(?:half[\s-]+year|first\s+half|second\s+half)\b|\bh[12]\s+(?:19|20)\d\d"
    r"|\b(?:(?:financial\s+)?year|quarter|month)[\s-]+to[\s-]+date\b|\bytd\b|\bcumulative\b"
    r"|\b(?:19|20)\d\d(?:\s*[/-]\s*\d\d)?\s+to\s+date\b"
    r"|\bq[1-4]\s*(?:-|–|to)\s*q[1-4]\b|\bquarters\s+[1-4]\s*(?:-|–|to|and)\s*[1-4]\b"
    r"|\bq[1-4]\b[^;]*?\bto\s+q[1-4]\b"
    r"|\bweek(?:ly|s)?\b|\bfortnight(?:ly|s)?\b|\b(?:winter|spring|summer|autumn)\b"
)
# "Q3 2012", "2012 Q3": the calendar year's third quarter, or the financial year's? Not "Q3 2012/13".
YEAR_QUARTER = re.compile(
    r"\b(?:q|quarter\s*)([1-4])\s+((?:19|20)\d\d)\b(?!\s*[/-]\s*\d)"
    r"|(?<![\d/-])\b((?:19|20)\d\d)\s+(?:q|quarter\s*)([1-4])\b"
)


def quarter_readings(text: str) -> tuple[str, list[PeriodKey]]:
    """A title's quarter of a year written alone ("Q3 2012", "2012 Q3") and the two quarters it can be:
    the calendar year's (July to September 2012: 2012/13 Q2) and the financial year's (2012/13 Q3);
    ("", []) when the title names none."""
    found = YEAR_QUARTER.search(_titled(_clean(str(text).replace("_", " "))))
    if not found:
        return "", []
    quarter, year = int(found.group(1) or found.group(4)), int(found.group(2) or found.group(3))
    calendar_quarter = periods.quarter_bounds(*periods.quarter_of(datetime.date(year, 3 * quarter - 2, 1)))
    # Quoted as the title writes it ("Q3 2012"), where its words are those read.
    written = re.search(re.escape(found.group(0)), " ".join(str(text).split()), re.IGNORECASE)
    return (written or found).group(0), [
        (Period.Kind.QUARTER, *calendar_quarter),
        (Period.Kind.QUARTER, *periods.quarter_bounds(year, quarter)),
    ]


# Words a title gives a period shorter than twelve months in, read or not: a hand-given twelve months is
# refused beside them ("Quarter ending December 2012", "Dec 2012", "2012 Q3").
SHORTER = re.compile(
    rf"\b(?:quarters?|q[1-4]\b|months?|(?:{OTHER_SHORT})\b|(?P<month>{MONTH})\.?\s+(?:\d\d\b|(?:19|20)\d\d))"
)
RELEASE = re.compile(r"\s+(?:release|edition|publication|update|bulletin)\b")
NOT_THE_PERIOD = re.compile(
    r"(?:published|updated|released|issued|extracted|produced|as\s+at|on)\s+(?:\d{1,2}\s+)?$"
)
# "April to December" with no year of its own (the year elsewhere: "2012/13 (April to December)").
BARE_MONTHS = re.compile(rf"\b{MONTH}\.?\s+(?:to|-|–)\s+{MONTH}\b(?!\.?\s+(?:19|20)\d\d)")


MONTH_SPAN = re.compile(rf"{MONTH}\.?\s*(?:((?:19|20)\d\d)\s*)?(?:to|-|–)\s*{MONTH}\.?\s+((?:19|20)\d\d)")


def names_a_shorter_period(text: str) -> str:
    """The words in a title that give a period shorter than twelve months ("quarter", "Dec 2012"), even
    when the importer cannot read it, or "": not a date it was published or extracted on."""
    text = _titled(_clean(str(text).replace("_", " ")))
    if TWELVE_MONTHS.search(text):
        return ""
    for found in SHORTER.finditer(text):
        published = NOT_THE_PERIOD.search(text[: found.start()]) or RELEASE.match(text[found.end() :])
        if not (found.group("month") and published):
            return found.group(0)
    return ""


def states_part_of_a_year(text: str) -> tuple[str, PeriodKey | None]:
    """A title's words giving a span the title's period is not otherwise read from, and the period
    when it is one the tracker keeps: "3 months to December 2012" and "Quarter 3 2012/13" (2012/13 Q3),
    "calendar year 2012" (twelve months to December); ("year to date", None), ("April to December",
    None) for part of a year that is no such period; ("", None) when the title says none of these."""
    text = _titled(_clean(str(text).replace("_", " ")))
    if unplaced := NO_PERIOD.search(text):
        return unplaced.group(0), None
    if dates := DATE_SPAN.search(text):
        d1, m1, y1, d2, m2, y2 = (int(n) for n in dates.groups())
        return dates.group(0), _dates_span(d1, m1, _year(str(y1)), d2, m2, _year(str(y2)))
    if dates := ISO_DATE_SPAN.search(text):
        y1, m1, d1, y2, m2, d2 = (int(n) for n in dates.groups())
        return dates.group(0), _dates_span(d1, m1, y1, d2, m2, y2)
    if dates := NAMED_DATE_SPAN.search(text):
        d1, m1, y1, d2, m2, y2 = dates.groups()
        return dates.group(0), _dates_span(int(d1), MONTHS[m1], int(y1), int(d2), MONTHS[m2], int(y2))
    if bare := BARE_MONTHS.search(text):
        if (MONTHS[bare.group(2)] - MONTHS[bare.group(1)]) % 12 != 11:
            return bare.group(0), None
        # "April to March" is a whole year: with one financial year named ("2012/13 (April to March)"),
        # that year.
        years = {year for match in FY_IN_TEXT.finditer(text) if (year := _fy(*match.groups())) is not None}
        if MONTHS[bare.group(1)] == 4 and len(years) == 1:
            return bare.group(0), (Period.Kind.YEAR, *periods.financial_year_bounds(years.pop()))
    found = PART_YEAR.search(text)
    if not found:
        return "", None
    if found.group("q"):  # "Quarter 3 2012/13", "Q3 (Oct-Dec) 2012/13": that quarter
        return found.group(0), parse_period(f"{found.group('fy')} Q{found.group('q')}")
    if found.group("q2"):  # "2012/13 - Q3", "2012-13 Q3 (provisional)"
        return found.group(0), parse_period(f"{found.group('fy2')} Q{found.group('q2')}")
    if found.group("cal") or found.group("cal2"):  # "calendar year 2012": the twelve months to December
        return found.group(0), parse_period(f"calendar year {found.group('cal') or found.group('cal2')}")
    if found.group("qmonth"):  # "quarter ending December 2012": its three months
        n, end_month, year = 3, MONTHS[found.group("qmonth")], int(found.group("qyear"))
    elif found.group("n"):
        n = NUMBER_WORDS.get(found.group("n")) or int(found.group("n"))
        end_month, year = MONTHS[found.group(2)], int(found.group("year"))
    elif span := MONTH_SPAN.match(found.group(0)):
        m1, y1, end_month, year = (
            MONTHS[span.group(1)],
            span.group(2),
            MONTHS[span.group(3)],
            int(span.group(4)),
        )
        y1 = int(y1) if y1 else year if m1 <= end_month else year - 1
        n = (year - y1) * 12 + end_month - m1 + 1
    else:
        return found.group(0), None
    if not 1 <= n <= 11:
        return "", None  # twelve months (or more): not part of a year
    first = datetime.date(year, end_month, 1)
    for _ in range(n - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    kind = Period.Kind.MONTH if n == 1 else Period.Kind.QUARTER if n == 3 and end_month % 3 == 0 else ""
    return found.group(0), (kind, first, periods.month_end(year, end_month)) if kind else None


def spans_named(text: str) -> list[PeriodKey]:
    """Each period the tracker keeps that a title's words give a span for ("Q3 2012/13 and Q3
    2011/12": two), in order, each once: ``states_part_of_a_year`` again on what is left."""
    text, found = _titled(_clean(str(text).replace("_", " "))), []
    for _ in range(4):
        part, span = states_part_of_a_year(text)
        if not part:
            break
        if span and span not in found:
            found.append(span)
        text = text.replace(part, " ; ", 1)
    return found


def month_first(part: str) -> PeriodKey | None:
    """The period two dates give read month first, as American dates are written ("10/01/2012 -
    12/31/2012": October to December 2012), when read day first (as the UK writes them) they give none."""
    found = DATE_SPAN.fullmatch(part)
    if not found:
        return None
    d1, m1, y1, d2, m2, y2 = (int(n) for n in found.groups())
    y1, y2 = _year(str(y1)), _year(str(y2))
    if _dates_span(d1, m1, y1, d2, m2, y2):
        return None
    return _dates_span(m1, d1, y1, m2, d2, y2)


def _dates_span(d1: int, m1: int, y1: int, d2: int, m2: int, y2: int) -> PeriodKey | None:
    """The period from one date to another when they are whole months the tracker keeps; else None."""
    try:
        start, end = datetime.date(y1, m1, d1), datetime.date(y2, m2, d2)
    except ValueError:
        return None
    if start.day != 1 or end != periods.month_end(end.year, end.month) or end < start:
        return None
    return _whole_months(start, end)


STREET_MONTH = re.compile(r"^((?:19|20)\d\d)-(\d\d)$")


def parse_month(value) -> PeriodKey | None:
    """The month a data.police.uk Month cell gives, also once Excel has re-saved it: "2018-06", a date
    cell, "Jun-18", "01/06/2018" (day first, as the UK writes dates; "6/1/2018", a month's first day only
    month first, as an American Excel writes it) or "2018-06-01". Each crime's day
    does not matter (data.police.uk gives none): only its month is counted."""
    text = _clean(value)
    if match := STREET_MONTH.match(text):
        # data.police.uk's own form first: "2011-12" is December 2011 here, never the financial year.
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))
    parsed = parse_period(value)
    if parsed is not None:
        return parsed if parsed[0] == Period.Kind.MONTH else None
    if match := UK_DATE.match(text):
        day, month, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
        if day != 1 and month == 1 and day <= 12:
            # A month re-saved as a date is its first day: "6/1/2018" read day first is 6 January, not a
            # month's first day, so it was written month first (an American Excel): June 2018.
            day, month = month, day
    elif match := ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    return (Period.Kind.MONTH, datetime.date(year, month, 1), periods.month_end(year, month))


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
