from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "linli.notices"
    verbose_name = _("Notifications")

    def ready(self):
        from auditlog.registry import auditlog

        from linli.cases.signals import case_notification

        from . import models
        from .case_events import on_case_notification

        case_notification.connect(on_case_notification, dispatch_uid="linli.notices.case_events")
        # Who changed a group channel is logged; its address, secret and mentions never are.
        auditlog.register(models.ChannelConfig, exclude_fields=["url", "secret", "mentions"])
