from django.contrib import admin
from django_tasks_db.models import DBTaskResult
from simple_history.admin import SimpleHistoryAdmin

from measures.models import (
    Baseline,
    BaselineChange,
    IgnoredLabel,
    ImportBatch,
    ImportChange,
    Measure,
    MeasureComponent,
    MeasureValue,
    Period,
    SeriesBreak,
    Target,
)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["label"]
    readonly_fields = ["label"]

    def get_readonly_fields(self, request, obj=None):
        """A period's kind and dates are what figures were recorded against: fixed once it exists."""
        return ["label", "kind", "start", "end"] if obj is not None else ["label"]

    def has_delete_permission(self, request, obj=None):
        return False  # figures, baselines and targets point at periods (and protect them)


class MeasureComponentInline(admin.TabularInline):
    model = MeasureComponent
    extra = 1


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "show_per_1000", "desired_direction", "aggregation", "source"]
    list_filter = ["unit", "desired_direction", "aggregation", "priorities"]
    search_fields = ["name", "definition", "source", "components__label"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MeasureComponentInline]


@admin.register(MeasureComponent)
class MeasureComponentAdmin(admin.ModelAdmin):
    list_display = ["label", "measure"]
    list_filter = ["measure"]
    search_fields = ["label", "measure__name"]
    list_select_related = ["measure"]


@admin.register(Baseline)
class BaselineAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "partnership", "period", "value", "source"]
    list_filter = ["partnership", "measure"]
    search_fields = ["measure__name", "partnership__name", "source"]
    list_select_related = ["measure", "partnership", "period"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "partnership", "period", "value"]
    list_filter = ["partnership", "measure"]
    search_fields = ["measure__name", "partnership__name"]
    list_select_related = ["measure", "partnership", "period"]


@admin.register(MeasureValue)
class MeasureValueAdmin(admin.ModelAdmin):
    """Figures to look at. They change only through an import, which keeps a batch (who, when, old -> new)
    that can be rolled back, so dashboards, papers and kept judgements always know the figures changed."""

    list_display = ["measure", "area", "period", "value", "source", "batch", "updated_at"]
    list_filter = ["measure", "area", "period__kind"]
    search_fields = ["measure__name", "area__name", "period__label", "source"]
    list_select_related = ["measure", "area", "period"]
    show_full_result_count = False  # counting millions of rows on every page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IgnoredLabel)
class IgnoredLabelAdmin(admin.ModelAdmin):
    list_display = ["label", "normalised"]
    search_fields = ["label"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only once made: imports are previewed, applied and rolled back on the Imports page."""

    list_display = [
        "pk",
        "file_name",
        "layout",
        "status",
        "new_count",
        "changed_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "layout"]
    search_fields = ["file_name", "checksum"]
    list_select_related = ["created_by"]
    exclude = ["file"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "file"] if obj else []


@admin.register(ImportChange)
class ImportChangeAdmin(admin.ModelAdmin):
    list_display = ["batch", "measure", "area", "period", "previous_value"]
    list_select_related = ["batch", "measure", "area", "period"]
    show_full_result_count = False
    raw_id_fields = ["batch", "previous_batch", "measure", "area", "period"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] if obj else []


# django-tasks-db registers its task results as a read-only admin (no add page), which the site-wide
# admin walk in tests/test_permissions.py cannot visit; import batches show what admins need.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(SeriesBreak)
class SeriesBreakAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "starts_on", "note", "created_by"]
    list_filter = ["measure"]
    search_fields = ["measure__name", "note"]
    list_select_related = ["measure", "created_by"]


@admin.register(BaselineChange)
class BaselineChangeAdmin(admin.ModelAdmin):
    list_display = ["baseline", "old_value", "new_value", "reason", "changed_by", "changed_at"]
    search_fields = ["reason", "baseline__measure__name", "baseline__partnership__name"]
    list_select_related = ["baseline__measure", "baseline__partnership", "changed_by"]
    readonly_fields = [
        "baseline",
        "old_value",
        "new_value",
        "old_period",
        "new_period",
        "reason",
        "changed_by",
    ]

    def has_add_permission(self, request):
        return False  # re-baselining is done on the measure page, which keeps the reason
