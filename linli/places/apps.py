from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "linli.places"
    verbose_name = _("Places")

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Subdistrict,
            models.Community,
            models.Compound,
            models.Building,
            models.Stairwell,
            models.Home,
            models.GridCell,
            models.Venue,
        ):
            auditlog.register(model)
