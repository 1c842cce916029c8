from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "linli.people"
    verbose_name = _("People and organisations")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # Private values are masked in the audit log; their hashes are not logged at all.
        auditlog.register(
            models.Person,
            mask_fields=["phone", "id_number"],
            exclude_fields=["phone_hash", "id_hash", "updated"],
        )
        for model in (
            models.Occupancy,
            models.Organisation,
            models.Membership,
            models.PropertyServicePeriod,
            models.PartyMember,
            models.LeaderAssignment,
            models.HouseholdContact,
            models.Visit,
        ):
            auditlog.register(model)
