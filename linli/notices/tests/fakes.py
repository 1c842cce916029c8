"""A real local HTTP server standing in for WeCom, DingTalk and a webhook receiver: it checks
keys, signatures and secrets as they do, and records every request it got."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict
    raw: bytes
    status: int = 0

    @property
    def json(self):
        return json.loads(self.raw)


@dataclass
class Robot:
    """The behaviour of the fake: what it expects and how it answers."""

    wecom_key: str = "wecom-key-123"
    dingtalk_token: str = "ding-token-456"
    dingtalk_secret: str = "SECding-secret-789"
    webhook_secret: str = "hook-secret-abc"
    # Answers to give first, in order (then normal service): a status code, or "slow".
    script: list = field(default_factory=list)
    slow_seconds: float = 2.0
    seen: list[Seen] = field(default_factory=list)

    def answer(self, seen: Seen) -> tuple[int, dict]:
        if self.script:
            step = self.script.pop(0)
            if step == "slow":
                time.sleep(self.slow_seconds)
            else:
                return step, {"error": "scripted"}
        if seen.path == "/cgi-bin/webhook/send":
            if seen.query.get("key") != self.wecom_key:
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [x]"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        if seen.path == "/robot/send":
            if seen.query.get("access_token") != self.dingtalk_token:
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            timestamp, sign = seen.query.get("timestamp", ""), seen.query.get("sign", "")
            digest = hmac.new(
                self.dingtalk_secret.encode(), f"{timestamp}\n{self.dingtalk_secret}".encode(), hashlib.sha256
            ).digest()
            if not timestamp or abs(int(timestamp) - time.time() * 1000) > 3600_000:
                return 200, {"errcode": 310000, "errmsg": "sign not match, more: [timestamp]"}
            if sign != base64.b64encode(digest).decode():
                return 200, {"errcode": 310000, "errmsg": "sign not match, more: [sign]"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        if seen.path == "/hook":
            expected = "sha256=" + hmac.new(self.webhook_secret.encode(), seen.raw, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(seen.headers.get("x-linli-signature", ""), expected):
                return 401, {"error": "bad signature"}
            return 202, {"ok": True}
        return 404, {}


class Handler(BaseHTTPRequestHandler):
    robot: Robot

    def do_POST(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        # DingTalk's sign is urlencoded base64: parse_qs decodes it once, as the real service does.
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = Seen(parts.path, query, {k.lower(): v for k, v in self.headers.items()}, raw)
        self.robot.seen.append(seen)
        status, answer = self.robot.answer(seen)
        seen.status = status
        body = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout test)

    def log_message(self, *args):
        pass


class FakeServer:
    def __init__(self):
        self.robot = Robot()
        handler = type("BoundHandler", (Handler,), {"robot": self.robot})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def wecom_url(self, key=None) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key or self.robot.wecom_key}"

    def dingtalk_url(self, token=None) -> str:
        return f"{self.base}/robot/send?access_token={token or self.robot.dingtalk_token}"

    def hook_url(self) -> str:
        return f"{self.base}/hook"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """An address where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
