from django.contrib import admin

from .models import Assignment, Campaign, CampaignVisit, ProposedChange


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "target", "starts_on", "ends_on", "status"]
    list_filter = ["status", "level"]
    raw_id_fields = ["created_by", "subdistrict", "community", "compound"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["campaign", "home", "visitor", "source", "state", "revisit_on"]
    list_filter = ["state", "source"]
    raw_id_fields = ["campaign", "home", "visitor"]


@admin.register(CampaignVisit)
class CampaignVisitAdmin(admin.ModelAdmin):
    list_display = ["campaign", "home", "visitor", "outcome", "visited_at"]
    raw_id_fields = ["campaign", "assignment", "home", "visitor", "recorded_by", "case"]


@admin.register(ProposedChange)
class ProposedChangeAdmin(admin.ModelAdmin):
    list_display = ["campaign", "home", "kind", "status"]
    raw_id_fields = ["campaign", "visit", "home", "person", "decided_by"]
