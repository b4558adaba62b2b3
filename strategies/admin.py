from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from strategies.models import (
    CommonTheme,
    Deliverable,
    DeliverableUpdate,
    Evidence,
    Framework,
    HorizonItem,
    Objective,
    Priority,
    QuarterlyReview,
    ReportingQuarter,
    ReviewEvent,
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


@admin.register(ReportingQuarter)
class ReportingQuarterAdmin(SimpleHistoryAdmin):
    list_display = ["period", "status", "opens_on", "due_on"]
    list_filter = ["status"]
    search_fields = ["period__label"]
    list_select_related = ["period"]
    actions = ["open_quarters", "close_quarters"]

    @admin.action(description="Open the selected quarters for updates")
    def open_quarters(self, request, queryset):
        queryset.update(status=ReportingQuarter.Status.OPEN)

    @admin.action(description="Close the selected quarters")
    def close_quarters(self, request, queryset):
        queryset.update(status=ReportingQuarter.Status.CLOSED)


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    readonly_fields = ["action", "user", "at", "comment"]
    can_delete = False


@admin.register(QuarterlyReview)
class QuarterlyReviewAdmin(SimpleHistoryAdmin):
    list_display = ["partnership", "quarter", "status", "updated_at"]
    list_filter = ["status", "quarter", "partnership"]
    search_fields = ["partnership__name"]
    list_select_related = ["partnership", "quarter__period"]
    inlines = [ReviewEventInline]


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    list_display = ["review", "action", "user", "at"]
    list_filter = ["action"]
    search_fields = ["comment", "review__partnership__name", "user__username"]
    list_select_related = ["review__partnership", "review__quarter__period", "user"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["title", "url", "original_name", "content_type", "size", "added_by", "added_at"]
    readonly_fields = ["original_name", "content_type", "size", "added_by", "added_at"]


@admin.register(DeliverableUpdate)
class DeliverableUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["deliverable", "quarter", "status", "rag", "progress", "updated_by", "updated_at"]
    list_filter = ["rag", "status", "quarter", "deliverable__objective__strategy__partnership"]
    search_fields = ["deliverable__title", "commentary"]
    list_select_related = ["deliverable", "quarter__period", "updated_by"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "update", "original_name", "content_type", "size", "added_by", "added_at"]
    list_filter = ["content_type"]
    search_fields = ["title", "original_name", "url", "update__deliverable__title"]
    list_select_related = ["update__deliverable", "update__quarter__period", "added_by"]
    # The file itself has no public URL: it is downloaded through the app's evidence view.
    exclude = ["file"]
    readonly_fields = ["download", "original_name", "content_type", "size"]

    @admin.display(description="File")
    def download(self, obj):
        if not obj.file:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("strategies:evidence", args=[obj.pk]), obj.original_name
        )


@admin.register(HorizonItem)
class HorizonItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "body", "expected_on", "status", "impact"]
    list_filter = ["kind", "status", "impact", "priorities"]
    search_fields = ["title", "body", "impact_note"]
    filter_horizontal = ["priorities", "partnerships"]


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
