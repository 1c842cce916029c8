from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "linli.rosters"
    label = "rosters"
    verbose_name = _("Duty rosters")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()
        auditlog.register(models.Post)
        auditlog.register(models.Shift)
        auditlog.register(models.Duty)
        auditlog.register(models.SwapRequest)
