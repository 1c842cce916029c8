from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionsConfig(AppConfig):
    name = "linli.resolutions"
    verbose_name = _("Resolutions and their follow-up")

    def ready(self):
        from auditlog.registry import auditlog

        from linli.notices import kinds

        from . import models

        kinds.register("resolution.assigned", _("A resolution for my organisation"), _("Meetings"))
        kinds.register("resolution.overdue", _("A resolution of my organisation overdue"), _("Meetings"))
        auditlog.register(models.Resolution, exclude_fields=["version"])
