from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partnerships.forms import HTTPS_URLS
from strategies.models import (
    CommonTheme,
    Deliverable,
    Framework,
    HorizonItem,
    Objective,
    Priority,
    Strategy,
    StrategyRefresh,
    WiderObjective,
)


@admin.register(WiderObjective)
class WiderObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "order"]
    list_filter = ["plan"]
    search_fields = ["title", "plan"]


class PriorityInline(admin.StackedInline):
    model = Priority
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "county", "first_year"]
    list_filter = ["county"]
    search_fields = ["name", "county"]
    inlines = [PriorityInline]


class CommonThemeInline(admin.TabularInline):
    model = CommonTheme
    extra = 1


@admin.register(Priority)
class PriorityAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "framework"]
    list_filter = ["framework"]
    search_fields = ["title", "context"]
    inlines = [CommonThemeInline]
    list_select_related = ["framework"]
    filter_horizontal = ["measures"]


@admin.register(CommonTheme)
class CommonThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "priority"]
    list_filter = ["priority__framework", "priority"]
    search_fields = ["title"]
    list_select_related = ["priority"]


@admin.register(Strategy)
class StrategyAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "span_label", "status", "adopted_on", "eia_date"]
    list_filter = ["status", "first_year", "framework", "partnership"]
    search_fields = ["partnership__name", "summary"]
    filter_horizontal = ["wider_objectives"]
    list_select_related = ["partnership"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["title", "strategy", "priority"]
    list_filter = ["priority__number", "strategy__partnership", "strategy__first_year"]
    search_fields = ["title"]
    list_select_related = ["strategy__partnership", "priority"]


@admin.register(Deliverable)
class DeliverableAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partnership_name", "lead_agency", "owner", "due_date", "status"]
    list_filter = [
        "status",
        "objective__strategy__partnership",
        "objective__priority__number",
        "theme",
        "lead_agency",
    ]
    search_fields = ["title", "description", "lead_agency", "owner__username", "owner__last_name"]
    list_select_related = ["objective__strategy__partnership", "owner"]
    autocomplete_fields = ["owner"]
    date_hierarchy = "due_date"

    @admin.display(description="Partnership", ordering="objective__strategy__partnership__name")
    def partnership_name(self, obj):
        return obj.objective.strategy.partnership.name


@admin.register(HorizonItem)
class HorizonItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "body", "expected_on", "status", "impact"]
    list_filter = ["kind", "status", "impact", "priorities"]
    search_fields = ["title", "body", "impact_note"]
    filter_horizontal = ["priorities", "partnerships"]
    formfield_overrides = HTTPS_URLS


@admin.register(StrategyRefresh)
class StrategyRefreshAdmin(admin.ModelAdmin):
    list_display = ["__str__", "first_year", "framework", "created_by", "created_at"]
    list_filter = ["first_year", "framework"]
    search_fields = ["framework__name"]
    readonly_fields = [
        "first_year",
        "framework",
        "priority_mapping",
        "strategies",
        "created_by",
        "created_at",
    ]
