"""CSV and XLSX downloads of the dashboard tables, through django-import-export.

Every table a dashboard shows is a list of plain rows; a resource is made for its columns, and
the file is written by import-export's formats. Text that a spreadsheet would run as a formula
(``measures.formulas``: starting with =, +, -, @, a tab or a carriage return) is prefixed with an
apostrophe, so it shows as text; numbers stay numbers.
"""

from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX

from measures.formulas import escape_formula

FORMATS = {"csv": CSV, "xlsx": XLSX}


class NativeWidget(widgets.Widget):
    """Keeps numbers as numbers, so a spreadsheet can add them up."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


def table_resource(columns: list[tuple[str, str]]) -> resources.Resource:
    """A resource whose fields are the table's columns: (key in each row, heading)."""
    attrs = {
        key: fields.Field(attribute=key, column_name=heading, widget=NativeWidget())
        for key, heading in columns
    }
    keys = [key for key, _ in columns]
    attrs["Meta"] = type("Meta", (), {"fields": keys, "export_order": keys})
    return type("TableResource", (resources.Resource,), attrs)()


def safe_cell(value):
    """A table's value as a spreadsheet should get it: numbers as numbers, text never run as a formula."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if value is not None and not isinstance(value, (str, int, float)):
        value = str(value)  # dates, people, partnerships: as people read them
    return escape_formula(value)


def export_response(rows: list[dict], columns: list[tuple[str, str]], fmt: str, title: str) -> HttpResponse:
    dataset = table_resource(columns).export(rows)
    clean = [[safe_cell(cell) for cell in row] for row in dataset]
    dataset.wipe()
    dataset.headers = [heading for _, heading in columns]
    for row in clean:
        dataset.append(row)
    dataset.title = title[:31]  # Excel's limit for sheet names
    file_format = FORMATS[fmt]()
    response = HttpResponse(file_format.export_data(dataset), content_type=file_format.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.{file_format.get_extension()}"'
    return response


def wants_export(request) -> tuple[str, str] | None:
    """("csv" | "xlsx", table name) when the request asks for a download."""
    fmt, table = request.GET.get("export"), request.GET.get("table", "")
    return (fmt, table) if fmt in FORMATS else None
