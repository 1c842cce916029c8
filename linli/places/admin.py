from django.contrib import admin

from . import models


@admin.register(models.Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "subdistrict"]
    list_filter = ["subdistrict"]
    search_fields = ["name"]


@admin.register(models.Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "kind", "built_year"]
    list_filter = ["kind", "community"]
    search_fields = ["name", "alias"]
    list_select_related = ["community"]


@admin.register(models.Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "kind", "floors"]
    list_filter = ["kind", "compound__community"]
    search_fields = ["name", "compound__name"]
    list_select_related = ["compound"]
    autocomplete_fields = ["compound"]


@admin.register(models.Stairwell)
class StairwellAdmin(admin.ModelAdmin):
    list_display = ["name", "building"]
    search_fields = ["name", "building__name", "building__compound__name"]
    list_select_related = ["building__compound"]
    autocomplete_fields = ["building"]


@admin.register(models.Home)
class HomeAdmin(admin.ModelAdmin):
    list_display = ["number", "stairwell", "floor", "area", "area_source", "is_vacant"]
    list_filter = ["area_source", "is_vacant"]
    search_fields = ["number", "stairwell__building__name", "stairwell__building__compound__name"]
    list_select_related = ["stairwell__building__compound"]
    autocomplete_fields = ["stairwell"]


@admin.register(models.GridCell)
class GridCellAdmin(admin.ModelAdmin):
    list_display = ["name", "community"]
    search_fields = ["name"]
    autocomplete_fields = ["stairwells"]


@admin.register(models.Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "compound", "capacity"]
    autocomplete_fields = ["compound"]
