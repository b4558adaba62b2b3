"""CSV and XLSX downloads of the dashboard tables, through django-import-export.

Every table a dashboard shows is a list of plain rows; a resource is made for its columns, and
the file is written by import-export's formats. Text that a spreadsheet would run as a formula
(``partnerships.formulas``: starting with =, +, -, @, a tab or a carriage return) is prefixed with an
apostrophe, so it shows as text; numbers stay numbers and dates stay dates (``partnerships.spreadsheets``).
"""

from django.http import HttpResponse
from django.utils.text import slugify
from import_export import fields, resources, widgets

from partnerships.spreadsheets import FORMATS, safe_cell

__all__ = ["export_response", "safe_cell", "wants_export"]


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


def export_response(rows: list[dict], columns: list[tuple[str, str]], fmt: str, title: str) -> HttpResponse:
    dataset = table_resource(columns).export(rows)
    dataset.title = title[:31]  # Excel's limit for sheet names
    file_format = FORMATS[fmt]()
    response = HttpResponse(file_format.export_data(dataset), content_type=file_format.get_content_type())
    response["Content-Disposition"] = f'attachment; filename="{slugify(title)}.{file_format.get_extension()}"'
    return response


def wants_export(request) -> tuple[str, str] | None:
    """("csv" | "xlsx", table name) when the request asks for a download."""
    fmt, table = request.GET.get("export"), request.GET.get("table", "")
    return (fmt, table) if fmt in FORMATS else None
