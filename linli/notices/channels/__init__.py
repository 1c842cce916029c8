"""One module per channel, all with `send(delivery) -> None` (see base.py)."""

from importlib import import_module

from ..models import Channel
from .base import DeliveryError, Sender

MODULES = {
    Channel.IN_APP: "inapp",
    Channel.EMAIL: "email",
    Channel.SMS: "sms",
    Channel.WECOM: "wecom",
    Channel.DINGTALK: "dingtalk",
    Channel.WEBHOOK: "webhook",
}


def sender(channel: str) -> Sender:
    try:
        return import_module(f"{__name__}.{MODULES[channel]}")
    except KeyError:
        raise DeliveryError("internal", f"unknown channel {channel!r}", permanent=True) from None


__all__ = ["DeliveryError", "Sender", "sender"]
