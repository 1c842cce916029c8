"""DingTalk (钉钉) custom robot: POST JSON to https://oapi.dingtalk.com/robot/send?access_token=...
With the "加签" security setting the address also carries `timestamp` (milliseconds) and
`sign` = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}"))).
The robot answers {"errcode": 0, "errmsg": "ok"}; 310000 is a failed security check (wrong
secret, missing keyword, address not allowed).

Text: {"msgtype": "text", "text": {"content"}, "at": {"atMobiles": [...], "isAtAll": false}};
the content must name each "@mobile" for the mention to show. Markdown: {"msgtype":
"markdown", "markdown": {"title", "text"}, "at": {...}}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from ..models import Delivery
from .base import DeliveryError, absolute, json_answer, plain_text, post_json, scrub

SECURITY_CHECK_FAILED = 310000


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def body(delivery: Delivery) -> dict:
    config, payload = delivery.config, delivery.payload
    mentions = config.mention_list()
    at = {"atMobiles": mentions, "isAtAll": False}
    tail = " ".join(f"@{m}" for m in mentions)
    if config.markdown:
        lines = [f"#### {payload.get('title', '')}"]
        if payload.get("body"):
            lines.append(f"> {payload['body']}")
        if link := absolute(payload.get("link", "")):
            lines.append(f"[{link}]({link})")
        if tail:
            lines.append(tail)
        return {
            "msgtype": "markdown",
            "markdown": {"title": payload.get("title", "")[:60], "text": "\n\n".join(lines)},
            "at": at,
        }
    content = plain_text(payload) + (f"\n{tail}" if tail else "")
    return {"msgtype": "text", "text": {"content": content}, "at": at}


def send(delivery: Delivery) -> None:
    config = delivery.config
    if config is None:
        raise DeliveryError(Delivery.Error.GONE, "the group channel was deleted", permanent=True)
    url = signed_url(config.url, config.secret)
    answer = json_answer(post_json(url, body(delivery)))
    errcode = answer.get("errcode", -1)
    if errcode == 0:
        return
    detail = scrub(f"errcode {errcode}: {answer.get('errmsg', 'no answer')}", config.url, config.secret)
    if errcode == SECURITY_CHECK_FAILED:
        raise DeliveryError(Delivery.Error.BAD_SECRET, detail, permanent=True)
    if errcode == 300001:  # the access token is not valid: the robot was removed
        raise DeliveryError(Delivery.Error.GONE, detail, permanent=True)
    raise DeliveryError(Delivery.Error.REJECTED, detail)
