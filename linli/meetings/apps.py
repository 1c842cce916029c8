from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "linli.meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from auditlog.registry import auditlog

        from linli.notices import kinds

        from . import models

        group = _("Meetings")
        kinds.register("meeting.invited", _("An invitation to a meeting"), group)
        kinds.register("meeting.changed", _("A meeting I am invited to moved"), group)
        kinds.register("meeting.cancelled", _("A meeting I am invited to cancelled"), group)
        for model in (models.Meeting, models.Booking, models.OpeningHours):
            auditlog.register(model, exclude_fields=["checkin_token"] if model is models.Meeting else None)
