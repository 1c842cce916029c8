from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import models


class OccupancyInline(admin.TabularInline):
    model = models.Occupancy
    extra = 0
    autocomplete_fields = ["home"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    """Back-office view of people. Phone and ID number are shown masked here too: seeing
    them unmasked goes through the logged reveal on the resident page, for admins as well."""

    list_display = ["name", "gender", "birth_year", "masked_phone", "hukou_registered", "lives_alone", "disabled"]
    list_filter = ["gender", "hukou_registered", "lives_alone", "disabled"]
    search_fields = ["name"]
    inlines = [OccupancyInline]
    exclude = ["phone", "id_number"]
    readonly_fields = ["masked_phone", "masked_id_number"]

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.phone_masked

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return obj.id_number_masked


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "compound", "registered"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "community", "compound", "building", "stairwell"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "role", "start", "end"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["person__name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]


@admin.register(models.PropertyServicePeriod)
class PropertyServicePeriodAdmin(admin.ModelAdmin):
    list_display = ["company", "compound", "start", "end"]
    autocomplete_fields = ["company", "compound"]


@admin.register(models.PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "organisation", "reported_on"]
    list_filter = ["kind"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person", "organisation"]


@admin.register(models.LeaderAssignment)
class LeaderAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "building", "grid_cell", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["person__name", "building__name"]
    autocomplete_fields = ["person", "building", "stairwells", "grid_cell"]


@admin.register(models.HouseholdContact)
class HouseholdContactAdmin(admin.ModelAdmin):
    list_display = ["party_member", "home", "start", "end"]
    autocomplete_fields = ["party_member", "home"]


@admin.register(models.Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["home", "visitor", "visited_at", "outcome"]
    list_filter = ["outcome"]
    autocomplete_fields = ["home", "visitor"]


@admin.register(models.RevealLog)
class RevealLogAdmin(admin.ModelAdmin):
    """Read-only: the log of reveals can't be edited or deleted from the back office."""

    list_display = ["at", "user", "person", "field", "reason", "ip"]
    list_filter = ["field"]
    search_fields = ["user__username", "person__name", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports are made on the import page; the back office only lists them."""

    list_display = ["created", "user", "file_name", "compound", "status", "total_rows", "finished"]
    list_filter = ["status"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user", "compound"]
    readonly_fields = [f.name for f in models.ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
