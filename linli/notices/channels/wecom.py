"""WeCom (企业微信) group robot: POST JSON to the robot's webhook address
(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...), which answers {"errcode": 0}.

Text: {"msgtype": "text", "text": {"content": ..., "mentioned_mobile_list": [...]}}, at most
2048 bytes. Markdown: {"msgtype": "markdown", "markdown": {"content": ...}}, at most 4096
bytes; WeCom's Markdown cannot @mention by mobile number, so mentions go with text only.
"""

from ..models import Delivery
from .base import DeliveryError, absolute, json_answer, plain_text, post_json, scrub, truncate_bytes

# errcodes that retrying cannot fix: a wrong or deleted webhook key, a malformed message.
PERMANENT = {93000: Delivery.Error.GONE, 40008: Delivery.Error.REJECTED, 44004: Delivery.Error.REJECTED}


def body(delivery: Delivery) -> dict:
    config, payload = delivery.config, delivery.payload
    if config.markdown:
        lines = [f"**{payload.get('title', '')}**"]
        if payload.get("body"):
            lines.append(f"> {payload['body']}")
        if link := absolute(payload.get("link", "")):
            lines.append(f"[{link}]({link})")
        return {"msgtype": "markdown", "markdown": {"content": truncate_bytes("\n".join(lines), 4096)}}
    text = {"content": truncate_bytes(plain_text(payload), 2048)}
    if mentions := config.mention_list():
        text["mentioned_mobile_list"] = mentions
    return {"msgtype": "text", "text": text}


def send(delivery: Delivery) -> None:
    config = delivery.config
    if config is None:
        raise DeliveryError(Delivery.Error.GONE, "the group channel was deleted", permanent=True)
    answer = json_answer(post_json(config.url, body(delivery)))
    errcode = answer.get("errcode", -1)
    if errcode != 0:
        detail = scrub(f"errcode {errcode}: {answer.get('errmsg', 'no answer')}", config.url)
        raise DeliveryError(PERMANENT.get(errcode, Delivery.Error.REJECTED), detail, permanent=errcode in PERMANENT)
