from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from partnerships.forms import HTTPS_URLS
from reviews.models import DeliverableUpdate, Evidence, QuarterlyReview, ReportingQuarter, ReviewEvent


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
    formfield_overrides = HTTPS_URLS
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
    formfield_overrides = HTTPS_URLS
    list_select_related = ["update__deliverable", "update__quarter__period", "added_by"]
    # The file itself has no public URL: it is downloaded through the app's evidence view.
    exclude = ["file"]
    readonly_fields = ["download", "original_name", "content_type", "size"]

    @admin.display(description="File")
    def download(self, obj):
        if not obj.file:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("reviews:evidence", args=[obj.pk]), obj.original_name
        )
