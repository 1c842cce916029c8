from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "linli.conventions"
    verbose_name = _("Conventions")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Convention)
        auditlog.register(models.Version)
