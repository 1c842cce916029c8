"""Back office: group channels (addresses and secrets are write-only: typed in, never shown
again), deliveries (with retry), and notifications."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import dispatch
from .models import Announcement, ChannelConfig, Delivery, Notification

SECRET_FIELDS = ("url", "secret", "mentions")


class ChannelConfigForm(forms.ModelForm):
    """The address, secret and mentions are typed in but never sent back to the browser; left
    empty on a change, they keep what is stored."""

    class Meta:
        model = ChannelConfig
        fields = [
            "channel",
            "name",
            "stairwell",
            "organisation",
            "url",
            "secret",
            "markdown",
            "mentions",
            "kinds",
            "quiet_from",
            "quiet_until",
            "active",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        for name in SECRET_FIELDS:
            field = self.fields[name]
            field.widget.attrs["autocomplete"] = "off"
            if editing:
                field.required = False
                stored = bool(getattr(self.instance, name))
                note = _("Stored; leave empty to keep it.") if stored else _("Not set.")
                field.help_text = f"{field.help_text} {note}".strip()

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            stored = ChannelConfig.objects.get(pk=self.instance.pk)
            for name in SECRET_FIELDS:
                if not data.get(name):
                    data[name] = getattr(stored, name)
                    setattr(self.instance, name, data[name])
        return data


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    form = ChannelConfigForm
    list_display = ["name", "channel", "place", "address", "active"]
    list_filter = ["channel", "active"]
    search_fields = ["name"]
    autocomplete_fields = ["stairwell", "organisation"]

    @admin.display(description=_("stairwell or organisation"))
    def place(self, obj):
        return obj.stairwell or obj.organisation

    @admin.display(description=_("webhook address"))
    def address(self, obj):
        return obj.url_display


@admin.action(description=_("Retry the selected failed deliveries"))
def retry_deliveries(modeladmin, request, queryset):
    failed = list(queryset.filter(status=Delivery.Status.FAILED))
    for delivery in failed:
        dispatch.retry(delivery)
    modeladmin.message_user(
        request,
        ngettext("%(n)s delivery queued again.", "%(n)s deliveries queued again.", len(failed)) % {"n": len(failed)},
        messages.SUCCESS,
    )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created", "channel", "kind", "recipient", "status", "attempts", "error", "next_try"]
    list_filter = ["status", "channel", "error"]
    list_select_related = ["config"]
    date_hierarchy = "created"
    actions = [retry_deliveries]
    # The address itself (a phone, an email) is not shown: only its masked form.
    fields = ["channel", "kind", "recipient", "payload", "key", "status", "attempts", "error", "last_error"]
    fields += ["next_try", "created", "sent_at"]
    readonly_fields = fields

    @admin.display(description=_("address"))
    def recipient(self, obj):
        return obj.target_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created"
    search_fields = ["title"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["published", "title", "audience_label", "author_label", "pinned", "expires"]
    list_select_related = ["community", "compound", "building", "stairwell", "organisation"]
    date_hierarchy = "published"
    search_fields = ["title"]
    raw_id_fields = ["author", "community", "compound", "building", "stairwell", "organisation"]
