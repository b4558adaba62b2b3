"""Downloads a spreadsheet can use: numbers stay numbers and dates stay dates (so a column adds up and
sorts), and text a spreadsheet would run as a formula is escaped by the one rule in
``partnerships.formulas``. Every download (the dashboard tables, the audit trail's export in the admin)
writes through these formats.

django-import-export's own escaping (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) is off: it turns every
cell into text and only strips a leading ``=``.
"""

import datetime
from decimal import Decimal

from import_export.formats.base_formats import CSV, XLSX

from partnerships.formulas import escape_formula


def safe_cell(value):
    """A value as a spreadsheet should get it: numbers as numbers, dates as dates, text never run as a
    formula, and anything else (a person, a partnership) as people read it."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the local wall-clock time, as the pages show it.
        return value.replace(tzinfo=None) if value.tzinfo is None else _local(value)
    if value is not None and not isinstance(value, (str, int, float, datetime.date)):
        value = str(value)
    return escape_formula(value)


def _local(value: datetime.datetime) -> datetime.datetime:
    from django.utils import timezone

    return timezone.localtime(value).replace(tzinfo=None)


class _SafeCells:
    def export_data(self, dataset, **kwargs):
        clean = [[safe_cell(cell) for cell in row] for row in dataset]
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        for row in clean:
            dataset.append(row)
        return super().export_data(dataset, **kwargs)


class SafeCSV(_SafeCells, CSV):
    pass


class SafeXLSX(_SafeCells, XLSX):
    pass


FORMATS = {"csv": SafeCSV, "xlsx": SafeXLSX}
