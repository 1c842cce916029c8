from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "linli.topics"
    verbose_name = _("Topics")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()
        auditlog.register(models.Topic, exclude_fields=["version"])
        auditlog.register(models.Comment)
