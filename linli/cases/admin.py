from django.contrib import admin

from . import models


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "default_kind", "handler_kind", "is_dispute", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["active", "default_kind", "handler_kind"]


@admin.register(models.DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "reply_days", "resolve_days"]


@admin.register(models.CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    date_hierarchy = "date"


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["compound", "category", "organisation"]
    list_filter = ["category"]
    autocomplete_fields = ["compound", "organisation"]


class EventInline(admin.TabularInline):
    model = models.Event
    extra = 0
    can_delete = False
    fields = ["at", "type", "action", "from_status", "to_status", "actor_label", "public", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "category", "compound", "status", "organisation", "submitted_at", "resolve_due"]
    list_filter = ["status", "category", "kind", "escalation"]
    search_fields = ["code", "title"]
    date_hierarchy = "submitted_at"
    raw_id_fields = ["reporter", "home", "merged_into", "building", "stairwell"]
    readonly_fields = ["code", "status", "version", "submitted_at", "first_reply_at", "resolved_at", "closed_at"]
    exclude = ["reporter_phone"]  # private: shown masked on the case page, revealed with a logged reason
    inlines = [EventInline]
    list_select_related = ["category", "compound", "organisation"]


class PartyInline(admin.TabularInline):
    model = models.MediationParty
    extra = 0
    raw_id_fields = ["person", "home"]


class SessionInline(admin.StackedInline):
    model = models.MediationSession
    extra = 0


@admin.register(models.Mediation)
class MediationAdmin(admin.ModelAdmin):
    list_display = ["case", "mediator", "outcome", "concluded_at", "follow_up_on"]
    list_filter = ["outcome"]
    raw_id_fields = ["case"]
    inlines = [PartyInline, SessionInline]
