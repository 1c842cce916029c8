from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElevatorsConfig(AppConfig):
    name = "linli.elevators"
    verbose_name = _("Added elevators")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # Who changed the plan (total, coefficients, adoption), a milestone or the upkeep, and when.
        # The frozen shares are written once, in bulk, at adoption: the project's entry covers them.
        for model in (models.ElevatorProject, models.Milestone, models.MaintenancePlan):
            auditlog.register(model)
