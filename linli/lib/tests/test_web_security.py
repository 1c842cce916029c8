"""Web hardening (docs/security.md): every page carries the security headers, no template has
an inline script the Content-Security-Policy would have to allow, every posted form carries
the CSRF token, passwords follow the rules, and the HTTPS settings pass Django's deploy check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import translation

LINLI = Path(settings.BASE_DIR) / "linli"
HEADERS = {
    "Content-Security-Policy": lambda v: _directive(v, "script-src") == "'self'" and "frame-ancestors 'none'" in v,
    "X-Frame-Options": lambda v: v == "DENY",
    "X-Content-Type-Options": lambda v: v == "nosniff",
    "Referrer-Policy": lambda v: v == "same-origin",
    "Permissions-Policy": lambda v: "camera=()" in v and "geolocation=()" in v,
    "Cross-Origin-Opener-Policy": lambda v: v == "same-origin",
}


def _directive(policy: str, name: str) -> str:
    """The sources of one directive of a CSP."""
    for part in policy.split(";"):
        key, _, sources = part.strip().partition(" ")
        if key == name:
            return sources.strip()
    return ""


def _plain_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every URL that takes no argument, outside the admin's model pages."""
    out = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern) and pattern.converters:
            continue
        if isinstance(pattern, RegexPattern) and (pattern.regex.groups or "(" in pattern._regex):
            continue
        route = prefix + str(pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            if route == "admin/":
                out.append("/admin/")
                continue
            out += _plain_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and "logout" not in route:
            out.append("/" + route)
    return sorted(set(out))


def _missing_headers(response) -> dict:
    return {name: response.get(name) for name, ok in HEADERS.items() if not (response.get(name) and ok(response[name]))}


@pytest.mark.parametrize("who", ["anonymous", "root", "alice"])
def test_every_page_carries_the_security_headers(world, client, who):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    client.raise_request_exception = False  # an error page must carry them too
    routes = _plain_routes() + ["/static/vendor/htmx.min.js", "/no/such/page/", "/api/v1/openapi.json"]
    assert {"/", "/r/new/", "/r/track/", "/api/v1/docs", "/admin/"} <= set(routes)
    wrong = {}
    for route in routes:
        response = client.get(route)
        if missing := _missing_headers(response):
            wrong[f"{route} ({response.status_code})"] = missing
    assert wrong == {}


# --- templates ------------------------------------------------------------------------------

TEMPLATES = sorted(p for p in LINLI.rglob("*.html") if "templates" in p.parts)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
DATA_SCRIPT = re.compile(r"""type\s*=\s*["']application/(ld\+)?json["']""", re.I)
HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=\s*["']""", re.I)
FORM_POST = re.compile(r"<form\b[^>]*method\s*=\s*[\"']?post", re.I)


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 20
    assert LINLI / "templates" / "base.html" in TEMPLATES


def test_no_template_has_an_inline_script_or_event_handler():
    """The CSP allows scripts only from files of our own: inline code would not run (and must
    not be let in by loosening the policy). JSON data blocks are not code and are fine."""
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        for match in SCRIPT.finditer(text):
            attrs = match.group(1)
            if "src=" not in attrs and not DATA_SCRIPT.search(attrs):
                found.append(f"{path.relative_to(LINLI)}: <script{attrs}> without src")
        found += [f"{path.relative_to(LINLI)}: {m.group(1)}= handler" for m in HANDLER.finditer(text)]
        if "javascript:" in text.lower():
            found.append(f"{path.relative_to(LINLI)}: a javascript: URL")
    assert found == []


def test_every_posted_form_carries_the_csrf_token():
    missing = []
    for path in TEMPLATES:
        text = path.read_text()
        for match in FORM_POST.finditer(text):
            end = text.find("</form>", match.end())
            if "csrf_token" not in text[match.end() : end if end != -1 else None]:
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{path.relative_to(LINLI)}:{line}")
    assert missing == []


# --- passwords and HTTPS ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short-pw1", "too short"),
        ("3141592653", "entirely numeric"),
        ("password123", "too common"),
        ("lizhiqiang-2026", "too similar"),
    ],
)
def test_weak_passwords_are_refused(db, password, reason):
    from linli.accounts.models import User

    user = User(username="lizhiqiang-2026")
    with translation.override("en"), pytest.raises(ValidationError, match=reason):
        validate_password(password, user)


def test_a_good_password_passes(db):
    validate_password("竹林-邻里-7391")


def test_the_local_server_works_over_plain_http(settings):
    """`make run` serves http://127.0.0.1: cookies over HTTPS only would log no one in."""
    assert not settings.SESSION_COOKIE_SECURE and not settings.SECURE_SSL_REDIRECT and not settings.SECURE_HSTS_SECONDS


def test_behind_https_the_deploy_check_finds_nothing_to_warn_about(tmp_path):
    """With LINLI_HTTPS=1 (and a real secret key, hosts, DEBUG off) Django's `check --deploy`
    has no warning: secure cookies, HSTS, the redirect to https, the proxy header. Only HSTS
    preloading (W021) is left to the operator."""
    env = {
        # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Django warns of it on deploy).
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DEBUG", "SECURE_COOKIES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "LINLI_HTTPS": "1",
        "LINLI_TRUSTED_PROXIES": "1",
        "DEBUG": "0",
        "SECRET_KEY": "k3#Vq9!-not-a-real-secret-but-long-and-random-enough-x7Zp2@Lm8Rt4Yw",
        "ALLOWED_HOSTS": "linli.example.org",
        "LINLI_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    warnings = set(re.findall(r"\((\S+\.W\d+)\)", done.stdout + done.stderr))
    assert warnings == {"security.W021"}, done.stdout + done.stderr
