"""The back office reads volunteering data; it is changed on the pages and the API, where the
rules are enforced. A series can be stopped here (its `active` flag): the tick then makes no
new dates for it."""

from django.contrib import admin

from . import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ActivitySeries)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "rrule", "first_start", "skip_holidays", "active"]
    list_filter = ["active"]
    fields = ["active"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Activity)
class ActivityAdmin(ReadOnly):
    list_display = ["code", "title", "organisation", "kind", "starts_at", "capacity", "state"]
    list_filter = ["state", "kind"]
    search_fields = ["code", "title"]


@admin.register(models.HoursEntry)
class HoursEntryAdmin(ReadOnly):
    list_display = ["person", "activity", "minutes", "kind", "reason", "on", "by"]
    list_filter = ["kind"]


@admin.register(models.JoinRequest)
class JoinRequestAdmin(ReadOnly):
    list_display = ["person", "organisation", "state", "created", "decided_by"]
    list_filter = ["state"]


@admin.register(models.Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ["code", "person", "period_start", "period_end", "total_minutes", "issued_at"]
    search_fields = ["code"]
