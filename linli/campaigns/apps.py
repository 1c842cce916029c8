from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "linli.campaigns"
    verbose_name = _("Door-to-door campaigns")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()
        auditlog.register(models.Campaign)
        auditlog.register(models.Assignment, include_fields=["visitor", "source"])
        auditlog.register(models.CampaignVisit)
        auditlog.register(models.ProposedChange)
