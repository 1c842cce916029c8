from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "linli.volunteers"
    verbose_name = _("Volunteering")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()
        # Who decided a join request, changed or cancelled an activity, confirmed or adjusted hours.
        for model in (
            models.JoinRequest,
            models.Activity,
            models.ActivitySeries,
            models.HoursEntry,
            models.Certificate,
        ):
            auditlog.register(model)
