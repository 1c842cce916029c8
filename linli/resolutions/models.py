"""What meetings decide, and its follow-up in public (事事有着落): each decision becomes
resolutions with an organisation that owns it, a due date, a status and progress updates with
evidence. A resolution can open a case or a vote. The rules are in services.py."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation
from linli.places.models import Community, Compound

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class Resolution(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    code = models.CharField(_("code"), max_length=10, unique=True, editable=False)
    title = models.CharField(_("resolution"), max_length=200)
    text = models.TextField(_("details"), blank=True)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolutions",
        verbose_name=_("compound"),
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="resolutions"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.PROTECT, null=True, blank=True, related_name="resolutions"
    )
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("responsible organisation")
    )
    due = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    public = models.BooleanField(_("shown on the public page"), default=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    vote = models.ForeignKey("votes.Vote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["compound", "status"]), models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="resolution_percent_at_most_100"),
            models.CheckConstraint(condition=~Q(status="done") | Q(percent=100), name="resolution_done_is_100_percent"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        super().save(*args, **kwargs)


class Progress(models.Model):
    """One update: how far, what was done, with evidence."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="progress")
    percent = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    text = models.TextField(_("what was done"))
    photo = models.ImageField(_("photo"), upload_to="resolutions/", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["resolution_id", "at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_percent_at_most_100")]
