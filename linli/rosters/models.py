"""Duty rosters: posts (gates, patrol points) of a compound, shifts at a post, the people on
duty for a shift, swap requests approved by an organiser."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Post(models.Model):
    compound = models.ForeignKey("places.Compound", on_delete=models.PROTECT, related_name="duty_posts")
    name = models.CharField(_("post name"), max_length=60)
    description = models.TextField(_("post description"), blank=True)
    active = models.BooleanField(_("post in use"), default=True)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        constraints = [models.UniqueConstraint(fields=["compound", "name"], name="rosters_post_unique_name")]

    def __str__(self):
        return self.name


class Shift(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shifts")
    starts = models.DateTimeField(_("shift starts"))
    ends = models.DateTimeField(_("shift ends"))
    needed = models.PositiveSmallIntegerField(_("people needed"), default=1)
    note = models.CharField(_("shift note"), max_length=200, blank=True)
    gap_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts", "post_id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="rosters_shift_ends_after_start"),
            models.CheckConstraint(condition=Q(needed__gte=1), name="rosters_shift_needs_someone"),
            models.UniqueConstraint(fields=["post", "starts"], name="rosters_shift_unique_start"),
        ]

    def __str__(self):
        starts, ends = timezone.localtime(self.starts), timezone.localtime(self.ends)
        return f"{self.post} {starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"


class Duty(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="duties")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="duties")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="rosters_duty_once_per_shift")]


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("swap awaiting approval")
    APPROVED = "approved", _("swap approved")
    DECLINED = "declined", _("swap declined")


class SwapRequest(models.Model):
    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="swaps")
    to_person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason for the swap"), max_length=200, blank=True)
    status = models.CharField(_("swap state"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            models.UniqueConstraint(
                fields=["duty"], condition=Q(status="pending"), name="rosters_one_pending_swap_per_duty"
            )
        ]
