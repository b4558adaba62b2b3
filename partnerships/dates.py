"""The one bound on every date people type or send: 1 January 1990 to 31 December 2100.

Dates far outside it (9999-12-31, year 1) are typing mistakes or probes, and break what works out
quarters and years from them (the admin's date hierarchy, financial years); refusing them is a form
error, never a 500. The dashboards' quarter filter uses the same years.
"""

import datetime

from django.core.exceptions import ValidationError

EARLIEST_YEAR = 1990
LATEST_YEAR = 2100
EARLIEST = datetime.date(EARLIEST_YEAR, 1, 1)
LATEST = datetime.date(LATEST_YEAR, 12, 31)


def validate_plausible_date(value: datetime.date) -> None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(
            "Give a date between %(earliest)s and %(latest)s.",
            code="implausible_date",
            params={"earliest": EARLIEST.strftime("%-d %B %Y"), "latest": LATEST.strftime("%-d %B %Y")},
        )
