"""A generic signed webhook: POST a JSON body with

    X-Linli-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>
    X-Linli-Delivery:  <the delivery's idempotency key: the same on every retry>
    X-Linli-Event:     <the event kind>

The receiver checks the signature over the exact bytes it received and ignores a delivery key
it has seen before. Any 2xx answer is success.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from ..models import Delivery
from .base import DeliveryError, absolute, post_json


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def body(delivery: Delivery) -> bytes:
    payload = delivery.payload
    document = {
        "id": delivery.key,
        "kind": delivery.kind,
        "title": payload.get("title", ""),
        "body": payload.get("body", ""),
        "link": absolute(payload.get("link", "")),
        "created": delivery.created.isoformat(),
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def send(delivery: Delivery) -> None:
    config = delivery.config
    if config is None:
        raise DeliveryError(Delivery.Error.GONE, "the group channel was deleted", permanent=True)
    raw = body(delivery)
    headers = {
        "X-Linli-Signature": signature(config.secret, raw),
        "X-Linli-Delivery": delivery.key,
        "X-Linli-Event": delivery.kind,
    }
    try:
        post_json(config.url, raw, headers=headers)
    except DeliveryError as exc:
        if exc.detail in ("HTTP 401", "HTTP 403"):  # the receiver did not accept our signature
            raise DeliveryError(Delivery.Error.BAD_SECRET, exc.detail, permanent=True) from None
        raise
