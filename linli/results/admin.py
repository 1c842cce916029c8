from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ReportTemplate


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "title", "updated_at")
    list_select_related = ("subdistrict", "community")
    fieldsets = (
        (None, {"fields": ("subdistrict", "community")}),
        (
            None,
            {
                "fields": (
                    "title",
                    "intro",
                    "closing",
                    "heading_indicators",
                    "heading_compare",
                    "heading_chart",
                    "heading_cases",
                ),
                "description": "{place} {month} {children} {generated}",
            },
        ),
        (_("Charts"), {"fields": ("chart_trend", "chart_compare", "chart_categories")}),
    )
