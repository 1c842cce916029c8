from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotesConfig(AppConfig):
    name = "linli.votes"
    verbose_name = _("Owners' votes")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, notify

        notify.register_kinds()

        # Ballots keep their own history (BallotRecord), corrections their own log (Correction).
        auditlog.register(models.RuleSet)
        auditlog.register(models.Vote, exclude_fields=["result", "salt", "version"])
