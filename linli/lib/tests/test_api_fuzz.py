"""schemathesis over the whole OpenAPI schema (issue 11, item 4): no 5xx, no schema violation.

Every operation of /api/v1 is called with inputs generated from its schema, valid and invalid
(huge integers, NUL characters, overlong strings, bad dates, wrong types), as a community worker
(大新社区, reaches most operations) and as a resident (富丰新城 1栋1单元101), each with an API
token. A response must not be a 5xx, its status code must be documented for the operation, and
its body must match the documented schema.

The world (the shared grid, plus one of every object in 富丰新城 made as the authorization test
makes them) is built once per module and held in an outer transaction; every example runs in a
savepoint rolled back after it, so no example sees another's writes. Path parameters are
sometimes replaced by the ids and codes of real objects, so operations get past their 404.

Repeatable: the seed is fixed and Hypothesis' example database is off. The number of examples
per operation and role is LINLI_FUZZ_EXAMPLES (default in DEFAULT_EXAMPLES; see
docs/decisions/0024-fuzz-schemathesis.md for why that number).
"""

import os
from decimal import Decimal

import pytest
import schemathesis
from auditlog.context import disable_auditlog
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase, override_settings
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from linli.accounts.models import ApiToken
from linli.api import api
from linli.conftest import _build_world
from linli.lib.tests.test_authorization_everywhere import FILL, _objects

# Generated inputs per operation and role; the coverage phase's boundary inputs come on top
# (LINLI_FUZZ_COVERAGE=0 leaves them out).
DEFAULT_EXAMPLES = 10
EXAMPLES = int(os.environ.get("LINLI_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261207,
        "generation": {
            "max-examples": EXAMPLES,
            "database": "none",
            "deterministic": True,
            # A failure is reported as found: shrinking it can take minutes per operation.
            "no-shrink": True,
            # The token is ours: never replaced by a generated Authorization header.
            "with-security-parameters": False,
        },
        "phases": {
            "coverage": {"enabled": os.environ.get("LINLI_FUZZ_COVERAGE", "1") == "1", "unexpected-methods": []},
        },
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The values of the world's objects for each path parameter, per operation path; filled once the
# world exists (generation runs inside the tests, after the fixture).
REAL: dict[str, dict[str, object]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    real = REAL.get(context.operation.path, {})
    if not real:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, real[name]]) if name in real else st.just(value)
            for name, value in path_parameters.items()
        }
    )


def _real_values(objects) -> dict[str, dict[str, object]]:
    """What the authorization test fills each path parameter with, for the world's own objects."""
    out = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        params = {p["name"] for op in operations.values() for p in op.get("parameters", []) if p["in"] == "path"}
        values = {}
        for name in params:
            fill = FILL.get(("api", name))
            if fill is None:
                continue
            value = fill(objects, path) if callable(fill) else fill
            if not isinstance(value, str) or ("?" not in value and "/" not in value):
                values[name] = value
        out[path] = values
    return out


HANDLER = ClientHandler(enforce_csrf_checks=True)  # loads the middleware once, on the first request


def django_wsgi(environ, start_response):
    """The project as a WSGI app, the way Django's test client calls it: on this thread's database
    connection (so inside the test's transaction) and without closing it after each request."""
    handler = HANDLER
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = handler(environ)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    headers = list(response.items()) + [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [b"".join(response)] if response.streaming else [response.content]


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The world and two tokens, in a transaction rolled back when the module's tests end."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            NOTICES_IN_THREAD=False,
            TASKS_EAGER=True,
            LANGUAGE_CODE="en",
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with disable_auditlog():
                w = _build_world()
            w.h_yj.area = Decimal("88.00")
            w.h_yj.save()
            with TestCase.captureOnCommitCallbacks(execute=True):
                w.inside = _objects(
                    w, community=w.daxin, compound=w.fufeng, building=w.b1, stairwell=w.s11, home=w.h101,
                    worker=w.carol, resident=w.alice, committee=w.committee, team=w.team, tag="（富丰）",
                )  # fmt: skip
            w.tokens = {
                "worker": ApiToken.issue(user=w.carol, name="fuzz")[1],
                "resident": ApiToken.issue(user=w.alice, name="fuzz")[1],
            }
            REAL.clear()
            REAL.update(_real_values(w.inside))
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            REAL.clear()


@pytest.fixture(params=["worker", "resident"])
def token(request, fuzz_world, db):
    # `db` (after the module's world): the test in a savepoint of the world's transaction.
    return fuzz_world.tokens[request.param]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
def test_api(case, token):
    if isinstance(caches["default"], LocMemCache):  # never flush a Redis shared with anything else
        caches["default"].clear()  # throttling counters: one example's calls do not count against the next
    sid = transaction.savepoint()
    try:
        case.call_and_validate(
            app=django_wsgi,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en", "Accept-Encoding": "identity"},
            checks=CHECKS,
        )
    finally:
        transaction.savepoint_rollback(sid)
        transaction.set_rollback(False)  # what a failed statement marked is undone with the savepoint
