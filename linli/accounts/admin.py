from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import models


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("linli", {"fields": ("person", "elderly_mode")}),)
    list_display = ["username", "person", "is_staff", "is_active", "last_login"]
    autocomplete_fields = ["person"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created", "expires", "last_used", "revoked"]
    readonly_fields = ["prefix", "created", "last_used"]
    list_filter = ["revoked"]
