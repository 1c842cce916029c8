"""Residents' requests under the PIPL: correct what is held about me, delete me. Each request
names the community whose workers decide it (the community of the resident's home when he
asked), and keeps who decided, when and why: the request is its own audit record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.lib.crypto import EncryptedCharField
from linli.lib.masking import mask_id_number, mask_phone
from linli.people.models import Person
from linli.places.models import Community


class Status(models.TextChoices):
    PENDING = "pending", _("waiting for a decision")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class RequestFields(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created = models.DateTimeField(_("asked on"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created", "-pk"]

    @property
    def is_pending(self) -> bool:
        return self.status == Status.PENDING


class CorrectionRequest(RequestFields):
    """更正: the resident says one field of his record is wrong and what it should be."""

    class Field(models.TextChoices):
        NAME = "name", _("name")
        PHONE = "phone", _("phone")
        ID_NUMBER = "id_number", _("ID number")
        GENDER = "gender", _("gender")
        BIRTH_YEAR = "birth_year", _("year of birth")

    field = models.CharField(_("field"), max_length=12, choices=Field.choices)
    # Encrypted: it may be a phone or an ID number. Emptied by the retention sweep once decided.
    value = EncryptedCharField(_("correct value"), blank=True)

    class Meta(RequestFields.Meta):
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        indexes = [models.Index(fields=["community", "status"], name="privacy_correction_queue")]

    def __str__(self):  # no name: the audit log keeps this after a deletion
        return f"#{self.pk} · {self.field}"

    @property
    def value_masked(self) -> str:
        if self.field == self.Field.PHONE:
            return mask_phone(self.value)
        if self.field == self.Field.ID_NUMBER:
            return mask_id_number(self.value)
        return self.value


class DeletionRequest(RequestFields):
    """注销: the resident asks that linli no longer hold his personal information."""

    class Meta(RequestFields.Meta):
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        indexes = [models.Index(fields=["community", "status"], name="privacy_deletion_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="privacy_one_pending_deletion"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} · {self.get_status_display()}"
