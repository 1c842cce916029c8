"""Conventions (公约): the residents' convention, civilised pet keeping, elevator use... Each
version records what adopted it: a meeting whose minutes were approved, or an owners' vote that
passed. The rules are in services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.places.models import Community, Compound


class Convention(models.Model):
    class Kind(models.TextChoices):
        RESIDENTS = "residents", _("residents' convention")  # 居民公约
        PETS = "pets", _("civilised pet keeping")  # 文明养宠公约
        ELEVATOR = "elevator", _("elevator use")  # 电梯使用公约
        MANAGEMENT = "management", _("management convention")  # 管理规约 (art. 278 item 2)
        OTHER = "other", _("other")

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    compound = models.ForeignKey(
        Compound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
        verbose_name=_("compound"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["community_id", "compound_id", "kind", "title"]
        constraints = [models.UniqueConstraint(fields=["community", "compound", "title"], name="convention_unique")]

    def __str__(self):
        return self.title

    @property
    def current(self):
        return self.versions.order_by("-number").first()


class Version(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    adopted_on = models.DateField(_("adopted on"))
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("adopted at the meeting"),
    )  # fmt: skip
    vote = models.ForeignKey(
        "votes.Vote", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("adopted by the vote"),
    )  # fmt: skip
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("convention version")
        verbose_name_plural = _("convention versions")
        ordering = ["convention_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="convention_version_once"),
            # Every version says what adopted it.
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(vote__isnull=False), name="convention_version_adopted"
            ),
        ]
