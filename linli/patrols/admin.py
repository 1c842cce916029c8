from django.contrib import admin

from .models import Checklist, ChecklistItem, Finding, Inspection, ItemScore, Patrol


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "community", "active"]
    list_filter = ["active"]
    inlines = [ChecklistItemInline]


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ["text", "severity", "where", "found_at", "case"]
    readonly_fields = ["case"]


@admin.register(Patrol)
class PatrolAdmin(admin.ModelAdmin):
    list_display = ["kind", "compound", "organisation", "started_at", "ended_at"]
    list_filter = ["kind"]
    raw_id_fields = ["participants", "started_by"]
    inlines = [FindingInline]


class ItemScoreInline(admin.TabularInline):
    model = ItemScore
    extra = 0
    readonly_fields = ["case"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["compound", "area", "building", "date", "company", "total", "max_total", "submitted_at"]
    list_filter = ["date"]
    raw_id_fields = ["inspector"]
    inlines = [ItemScoreInline]
