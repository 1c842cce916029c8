"""The back office: rule sets are edited here (per subdistrict or community); votes are run on
the pages and the API, where the rules of each step are enforced, so here they are read-only."""

from django.contrib import admin

from . import models


@admin.register(models.RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "subdistrict",
        "community",
        "participation_area",
        "participation_heads",
        "ordinary_area",
        "special_area",
        "notice_days",
        "active",
    ]
    list_filter = ["kind", "active"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "subdistrict", "community", "active"]}),
        ("Civil Code art. 278", {"fields": ["participation_area", "participation_heads", "ordinary_area",
                                             "ordinary_heads", "special_area", "special_heads", "special_items"]}),
        (None, {"fields": ["affected_consent", "notice_days", "objection_days", "seats_min", "seats_max",
                           "term_years_max"]}),
    ]  # fmt: skip


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MatterInline(admin.TabularInline):
    model = models.Matter
    extra = 0
    fields = ["position", "kind", "item", "title", "seats", "term_years"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Vote)
class VoteAdmin(ReadOnly):
    list_display = ["code", "title", "compound", "building", "stairwell", "status", "opens_at", "closes_at"]
    list_filter = ["status"]
    search_fields = ["code", "title"]
    inlines = [MatterInline]


@admin.register(models.Correction)
class CorrectionAdmin(ReadOnly):
    list_display = ["elector", "field", "old", "new", "reason", "by", "at"]
    list_select_related = ["elector__home__stairwell__building", "by"]
