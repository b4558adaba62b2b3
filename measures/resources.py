"""django-import-export resources: measure values row by row, and our import template.

The importer itself (``measures.importing``) streams files and writes in bulk; this resource is
django-import-export's ordinary row-by-row import of the same rows, kept for the Django admin's
export and as the benchmark's comparison (bench/import_bench.py).
"""

import tablib
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from measures.importing.layouts import TEMPLATE_COLUMNS, TEMPLATE_INSTRUCTIONS
from measures.models import Measure, MeasureValue, Period
from partnerships.formulas import escape_formula
from partnerships.models import Area


class MeasureValueResource(resources.ModelResource):
    measure = fields.Field(
        attribute="measure", column_name="measure", widget=ForeignKeyWidget(Measure, field="slug")
    )
    area = fields.Field(attribute="area", column_name="area", widget=ForeignKeyWidget(Area, field="name"))
    period = fields.Field(
        attribute="period", column_name="period", widget=ForeignKeyWidget(Period, field="label")
    )

    class Meta:
        model = MeasureValue
        fields = ("measure", "area", "period", "value", "source")
        import_id_fields = ("measure", "area", "period")
        clean_model_instances = True
        skip_unchanged = True


def import_template_dataset() -> tablib.Dataset:
    """Our long template: a line of instructions, the header, and two example rows from this database."""
    # No tablib headers: the instructions come first, above the header row (the importer looks for
    # the header below title lines).
    dataset = tablib.Dataset()
    dataset.append([TEMPLATE_INSTRUCTIONS, "", "", "", ""])
    dataset.append(TEMPLATE_COLUMNS)
    area = Area.objects.prefetch_related("codes").order_by("name").first()
    measure = Measure.objects.order_by("order", "name").first()
    code = next(iter(area.codes.all()), None) if area else None
    if area and measure:
        start = [escape_formula(area.name), code.code if code else "", escape_formula(measure.name)]
        dataset.append([*start, "2023/24 Q1", 123])
        dataset.append([*start, "2023/24 Q2", ""])
    return dataset
