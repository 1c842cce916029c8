from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "linli.patrols"
    label = "patrols"
    verbose_name = _("Patrols and hygiene inspections")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()
        for model in (models.Patrol, models.Finding, models.Checklist, models.ChecklistItem, models.Inspection):
            auditlog.register(model)
        auditlog.register(models.ItemScore)
