"""Financial-year arithmetic, as UK public bodies count.

The financial year "2010/11" runs from 1 April 2010 to 31 March 2011 and is
identified here by its first calendar year (2010). Q1 is April-June, Q2
July-September, Q3 October-December and Q4 January-March (so Q4 of 2010/11
lies in calendar 2011).
"""

import calendar
import datetime


def financial_year_of(day: datetime.date) -> int:
    """The financial year (by its first calendar year) that contains the day."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(first_year: int) -> str:
    """2010 -> "2010/11"."""
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def financial_year_bounds(first_year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(first_year, 4, 1), datetime.date(first_year + 1, 3, 31)


def quarter_bounds(first_year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """Start and end dates of quarter 1-4 of a financial year."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"A financial year has quarters 1 to 4, not {quarter}.")
    start_month = 4 + 3 * (quarter - 1)
    year = first_year + (start_month - 1) // 12
    start_month = (start_month - 1) % 12 + 1
    end_month = start_month + 2
    return datetime.date(year, start_month, 1), month_end(year, end_month)


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """(financial year, quarter) containing the day."""
    return financial_year_of(day), ((day.month - 4) % 12) // 3 + 1


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def strategy_span_label(first_year: int) -> str:
    """A three-year strategy starting in 2011/12 is "2011-14"."""
    return f"{first_year}-{(first_year + 3) % 100:02d}"
