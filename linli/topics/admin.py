"""The back office reads topics; they are changed on the pages and the API, where the rules of
each step (who, which state, a reason) are enforced."""

from django.contrib import admin

from . import models


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Topic)
class TopicAdmin(ReadOnly):
    list_display = ["code", "title", "level", "community", "compound", "status", "threshold", "created"]
    list_filter = ["status", "level"]
    search_fields = ["code", "title"]


@admin.register(models.Comment)
class CommentAdmin(ReadOnly):
    list_display = ["pk", "topic", "author", "created", "hidden", "hidden_reason"]
    list_filter = ["hidden"]
