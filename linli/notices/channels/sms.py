"""Text messages through a provider interface. The provider is a class named by
settings.NOTICES_SMS_BACKEND with `send(phone, text)` raising DeliveryError; the console
backend (the default) prints the message with the number masked, the memory backend keeps it
for tests. A real provider (Aliyun, Tencent Cloud) is one small class behind the same method."""

from __future__ import annotations

import sys
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from linli.lib.masking import mask_phone
from linli.lib.normalize import normalize_phone

from ..models import Delivery
from .base import DeliveryError, plain_text

MAX_CHARS = 300  # providers split long texts into several billed messages: keep it short


class SmsBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[sms to {mask_phone(phone)}]\n{text}\n")
        sys.stdout.flush()


class MemorySmsBackend(SmsBackend):
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


@cache
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


def backend() -> SmsBackend:
    return _backend(settings.NOTICES_SMS_BACKEND)


def send(delivery: Delivery) -> None:
    try:
        phone = normalize_phone(delivery.target)
    except ValueError:
        raise DeliveryError(Delivery.Error.BAD_ADDRESS, "not a mobile number", permanent=True) from None
    text = plain_text(delivery.payload)
    backend().send(phone, text[:MAX_CHARS])
