from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    verbose_name = _("Requests and disputes")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, rules  # noqa: F401  (rules registers the named permissions)

        for model in (models.Category, models.DeadlineRule, models.CalendarDay, models.RoutingRule):
            auditlog.register(model)
        # Cases keep their own history (Event); the audit log records changes made around it,
        # e.g. in the back office, with private values masked.
        auditlog.register(models.Case, mask_fields=["reporter_phone"], exclude_fields=["secret_hash", "version"])
