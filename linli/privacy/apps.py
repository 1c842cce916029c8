from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "linli.privacy"
    label = "privacy"
    verbose_name = _("Personal-information rights")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()
        # The value may be a phone or an ID number, the note names him: neither in the audit log,
        # which outlives a deletion.
        auditlog.register(models.CorrectionRequest, exclude_fields=["value", "note"])
        auditlog.register(models.DeletionRequest, exclude_fields=["note"])
