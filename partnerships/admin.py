from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from import_export import resources
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from partnerships.models import (
    Area,
    AreaAlias,
    AreaCode,
    AreaPopulation,
    AuditEvent,
    Membership,
    Merger,
    Notification,
    Partnership,
    PartnershipArea,
    User,
)
from partnerships.spreadsheets import SafeCSV, SafeXLSX


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["partnership", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "organisation",
        "is_scrutiny_member",
        "is_superuser",
        "is_active",
    ]
    list_filter = ["is_scrutiny_member", "is_superuser", "is_active", "memberships__partnership"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation"]
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Role in the tracker", {"fields": ["is_scrutiny_member", "job_title", "organisation"]}),
    )
    inlines = [MembershipInline]


class AreaCodeInline(admin.TabularInline):
    model = AreaCode
    extra = 1


class AreaAliasInline(admin.TabularInline):
    model = AreaAlias
    extra = 1
    fields = ["name"]


class AreaPopulationInline(admin.TabularInline):
    model = AreaPopulation
    extra = 1
    fields = ["year", "population", "source"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "population", "codes_list"]
    search_fields = ["name", "codes__code", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AreaCodeInline, AreaAliasInline, AreaPopulationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("codes")

    @admin.display(description="ONS codes")
    def codes_list(self, obj):
        return ", ".join(code.code for code in obj.codes.all())


@admin.register(AreaCode)
class AreaCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["code", "area__name"]
    list_select_related = ["area"]


@admin.register(AreaPopulation)
class AreaPopulationAdmin(SimpleHistoryAdmin):
    list_display = ["area", "year", "population", "source"]
    list_filter = ["year"]
    search_fields = ["area__name", "area__codes__code", "source"]
    list_select_related = ["area"]


@admin.register(AreaAlias)
class AreaAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "area"]
    search_fields = ["name", "area__name"]
    list_select_related = ["area"]


class PartnershipAreaInline(admin.TabularInline):
    model = PartnershipArea
    extra = 1


@admin.register(Partnership)
class PartnershipAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "areas__name"]
    list_filter = ["areas"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnershipAreaInline, MembershipInline]


@admin.register(PartnershipArea)
class PartnershipAreaAdmin(admin.ModelAdmin):
    list_display = ["partnership", "area", "start", "end"]
    list_filter = ["partnership", "area"]
    search_fields = ["partnership__name", "area__name"]
    list_select_related = ["partnership", "area"]


@admin.register(Merger)
class MergerAdmin(SimpleHistoryAdmin):
    list_display = ["successor", "effective_from", "is_pilot", "ended_on"]
    list_filter = ["is_pilot"]
    search_fields = ["successor__name", "predecessors__name", "note"]
    filter_horizontal = ["predecessors"]
    list_select_related = ["successor"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "partnership", "role"]
    list_filter = ["role", "partnership"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "partnership__name"]
    autocomplete_fields = ["user", "partnership"]
    list_select_related = ["user", "partnership"]


class AuditEventResource(resources.ModelResource):
    class Meta:
        model = AuditEvent
        fields = ["at", "username", "action", "model", "object_id", "object_repr", "changes", "reason"]
        export_order = fields


@admin.register(AuditEvent)
class AuditEventAdmin(ExportMixin, admin.ModelAdmin):
    """Search and export the audit trail; it cannot be edited."""

    resource_classes = [AuditEventResource]
    formats = [SafeCSV, SafeXLSX]  # one formula rule for every download
    list_display = ["at", "username", "action", "model", "object_repr", "short_changes"]
    list_filter = ["action", "model", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "model", "object_repr", "changes", "reason", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description="What changed")
    def short_changes(self, obj):
        return (obj.changes[:120] + "…") if len(obj.changes) > 120 else obj.changes

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What each person was told and when it was emailed; made by the app, not by hand."""

    list_display = ["created_at", "user", "kind", "subject", "read_at", "emailed_at"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "subject", "message"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
