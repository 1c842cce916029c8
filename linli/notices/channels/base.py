"""What every channel shares: the interface, the error it raises, and one careful HTTP POST.

A channel is a module with `send(delivery) -> None`. It returns when the channel accepted the
message and raises DeliveryError with a reason otherwise; it never logs or returns the
address or secret of a group channel (a WeCom webhook's key is in its URL).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings

from ..models import Delivery

TIMEOUT = 5  # seconds: a slow channel must not hold a worker


class Sender(Protocol):
    def send(self, delivery: Delivery) -> None: ...


class DeliveryError(Exception):
    """The channel did not take the message. `code` is one of Delivery.Error; `permanent`
    means retrying cannot help (a malformed address, a wrong secret)."""

    def __init__(self, code: str, detail: str = "", *, permanent: bool = False):
        self.code, self.detail, self.permanent = code, detail[:300], permanent
        super().__init__(f"{code}: {detail}" if detail else code)


def scrub(text: str, *secrets: str) -> str:
    """The text with every secret (and the query of every URL given) replaced by ***."""
    for secret in secrets:
        if not secret:
            continue
        text = text.replace(secret, "***")
        query = urlsplit(secret).query
        if query:
            text = text.replace(query, "***")
    return text


def check_url(url: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError(Delivery.Error.BAD_ADDRESS, "not an http(s) address", permanent=True)


def post_json(url: str, body: bytes | dict, *, headers: dict | None = None, timeout: float | None = None) -> bytes:
    """POST a JSON body; the answer's body if the status is 2xx, else DeliveryError.
    Error details name the status or the network error, never the URL."""
    check_url(url)
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "linli-notices/1", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout or TIMEOUT) as response:  # noqa: S310 (http(s) checked)
            return response.read(65536)
    except urllib.error.HTTPError as exc:
        # 4xx other than "too many" and "timeout" will not get better by trying again.
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        code = Delivery.Error.GONE if exc.code in (404, 410) else Delivery.Error.HTTP
        raise DeliveryError(code, f"HTTP {exc.code}", permanent=permanent) from None
    except TimeoutError:
        raise DeliveryError(Delivery.Error.TIMEOUT, f"no answer within {timeout or TIMEOUT} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(Delivery.Error.TIMEOUT, f"no answer within {timeout or TIMEOUT} s") from None
        raise DeliveryError(Delivery.Error.UNREACHABLE, _reason(exc.reason)) from None
    except (ConnectionError, OSError) as exc:
        raise DeliveryError(Delivery.Error.UNREACHABLE, _reason(exc)) from None
    except ValueError:
        raise DeliveryError(Delivery.Error.BAD_ADDRESS, "malformed address", permanent=True) from None


def _reason(reason) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return type(reason).__name__ if not isinstance(reason, str) else reason


def json_answer(raw: bytes) -> dict:
    try:
        answer = json.loads(raw.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def absolute(link: str) -> str:
    """The link as an address people can open from a message outside linli."""
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.NOTICES_BASE_URL.rstrip("/") + link if settings.NOTICES_BASE_URL else link


def plain_text(payload: dict) -> str:
    """Title, text and link, one per line: for email bodies, SMS and text robot messages."""
    parts = [payload.get("title", ""), payload.get("body", ""), absolute(payload.get("link", ""))]
    return "\n".join(p for p in parts if p)


def truncate_bytes(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8 (WeCom counts bytes), cut at a character boundary."""
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"
