"""What every endpoint of the JSON API shares: authentication, errors as JSON in the
request's language, pagination and small output schemas.

Errors always have the shape {"detail": "<message in the request's language>", "code": "..."}
(plus "errors" for invalid input), so an app can show `detail` and branch on `code`.
"""

from __future__ import annotations

import hashlib
import json
from http import HTTPStatus

from auditlog.context import auditlog_value
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from linli.accounts.models import ApiToken

TOKEN_PREFIX = "ll_"


class ApiError(Exception):
    """An error to show the caller: HTTP status, a stable code and a translated message."""

    def __init__(self, status: int, code: str, detail: str, errors: list | None = None):
        self.status, self.code, self.detail, self.errors = status, code, detail, errors
        super().__init__(detail)


# --- authentication ---------------------------------------------------------------------


class BearerAuth(HttpBearer):
    """`Authorization: Bearer ll_...`: an ApiToken key; only its digest is stored."""

    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            return None
        user = ApiToken.authenticate(token)
        if user is None:
            return None
        request.api_token_key = token  # for DELETE /auth/token: revoke exactly this one
        request.user = user
        audit_as(user)
        return user


def audit_as(user) -> None:
    """Name `user` as the actor of every audit-log entry for the rest of this request.

    auditlog's middleware fixes the actor from the session before the request reaches ninja,
    so a bearer-token request would be logged with no actor. The middleware's context (a
    dict in a ContextVar, one per request) is read when each LogEntry is saved: filling in
    the actor there covers every change the endpoint makes, without a second context whose
    exit would leave the middleware's signal receiver connected."""
    context = auditlog_value.get(None)
    if context is not None:
        context["actor"] = user


class SessionAuth(APIKeyCookie):
    """The pages' Django session. Unsafe methods need the CSRF token, as on the pages.

    Unlike ninja's own SessionAuth, the CSRF check runs only once the session is known to
    belong to a user, so a call without any credentials gets 401 rather than a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        # csrf stays True (the docs page then sends the token), but the check runs below,
        # once the session is known to be a user's.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403,
                "csrf_failed",
                _("The security token (CSRF) is missing or wrong. Reload the page and try again."),
            )
        return user


AUTH = [BearerAuth(), SessionAuth()]


class LoginThrottle(SimpleRateThrottle):
    """Against password guessing: a limited number of token requests per client address
    and username (the username is hashed: no plaintext phone numbers in the cache)."""

    scope = "login"

    def get_cache_key(self, request: HttpRequest) -> str:
        try:
            username = str(json.loads(request.body or b"{}").get("username", ""))
        except (ValueError, AttributeError):
            username = ""
        user_key = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{user_key}"}


def token_key(request: HttpRequest) -> str | None:
    """The bearer key this request was authenticated with, or None for a session."""
    return getattr(request, "api_token_key", None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind N trusted reverse proxies (settings.TRUSTED_PROXIES), the
    N-th address from the right of X-Forwarded-For: the one our own proxy saw. Addresses
    further left are whatever the client wrote and are never trusted (rate limits key on this)."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


# --- input no database stores ----------------------------------------------------------

NUL_MESSAGE = gettext_noop("Text may not contain the NUL character (\\x00).")


def _nul_field(data, path: str = "") -> str | None:
    """The field (dotted path) of the first string holding a NUL character, or None."""
    if isinstance(data, str):
        return path if "\x00" in data else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{path}.{key}".strip(".")
        found = _nul_field(value, f"{path}.{key}".strip("."))
        if found is not None:
            return found
    return None


class InputParser(Parser):
    """ninja's parser, refusing NUL characters: PostgreSQL cannot store them (a 500 there) and
    SQLite would keep them in a name or a reply for everyone's screen."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        field = _nul_field(data)
        if field is not None:
            raise invalid_input(f"body.{field}".strip("."), _(NUL_MESSAGE))
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        field = _nul_field(result)
        if field is not None:
            raise invalid_input(field, _(NUL_MESSAGE))
        return result


# --- errors as JSON ---------------------------------------------------------------------


def _json(api: NinjaAPI, request, status: int, code: str, detail: str, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": str(detail), "code": code, **extra}, status=status)


def _field_message(error: dict) -> str:
    """pydantic's message for one field, in the request's language for the common cases."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return _("Choose one of: %(choices)s") % {"choices": ctx["expected"]}
    if kind == "string_too_long" and "max_length" in ctx:
        return _("At most %(max_length)s characters.") % {"max_length": ctx["max_length"]}
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind == "greater_than_equal" and "ge" in ctx:
        return _("Must be at least %(minimum)s.") % {"minimum": ctx["ge"]}
    if kind == "less_than_equal" and "le" in ctx:
        return _("Must be at most %(maximum)s.") % {"maximum": ctx["le"]}
    return str(error.get("msg", ""))


def _field_errors(errors: list[dict]) -> list[dict]:
    """ninja's pydantic errors as [{"field": "body.reason", "message": "...", "type": "..."}]."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("payload",)]
        out.append({"field": ".".join(loc), "message": _field_message(error), "type": error.get("type", "")})
    return out


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    422: "invalid",
    429: "throttled",
}


def _http_message(status: int) -> str:
    messages = {
        400: _("The request could not be read. Please send valid JSON."),
        401: _("Please log in or send a valid API token."),
        403: _("Your role does not allow you to do this."),
        404: _("Not found, or not within your area."),
        405: _("This method is not allowed here."),
        422: _("Some of the values sent are not valid."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(status, _("The request failed."))


def install_error_handlers(api: NinjaAPI) -> None:
    api.parser = InputParser()  # refuses NUL characters

    def api_error(request, exc: ApiError):
        extra = {"errors": exc.errors} if exc.errors is not None else {}
        return _json(api, request, exc.status, exc.code, exc.detail, **extra)

    def not_found(request, exc: Http404):
        # The same answer for "does not exist" and "outside your scope": no probing for ids.
        return _json(api, request, 404, "not_found", _http_message(404))

    def denied(request, exc: PermissionDenied):
        message = str(exc) if exc.args and str(exc) else _http_message(403)
        return _json(api, request, 403, "permission_denied", message)

    def not_authenticated(request, exc: AuthenticationError):
        return _json(api, request, 401, "not_authenticated", _http_message(401))

    def invalid(request, exc: ValidationError):
        return _json(api, request, 422, "invalid", _http_message(422), errors=_field_errors(exc.errors))

    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, ApiError):  # raised by InputParser.parse_body, wrapped by ninja
            return api_error(request, exc.__cause__)
        response = _json(
            api, request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), _http_message(exc.status_code)
        )
        if isinstance(exc, Throttled) and exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    def bad_value(request, exc: Exception):
        # What the database cannot hold, sent where InputParser does not look (an address): a
        # NUL character (psycopg: ValueError or DataError), a number past 64 bits (SQLite:
        # OverflowError), past a column's range or length (PostgreSQL: DataError). Bad input,
        # not a 500. Any other ValueError is a bug and stays a 500.
        if "NUL" in str(exc):
            return _json(api, request, 422, "invalid", _(NUL_MESSAGE))
        if isinstance(exc, (OverflowError, DataError)):
            return _json(api, request, 422, "out_of_range", _("A number or text is out of range."))
        raise exc

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, denied)
    api.add_exception_handler(AuthenticationError, not_authenticated)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(HttpError, http_error)
    for kind in (OverflowError, DataError, ValueError):
        api.add_exception_handler(kind, bad_value)


def invalid_input(field: str, message: str) -> ApiError:
    """A 422 for one field, in the same shape as a validation error."""
    return ApiError(422, "invalid", _http_message(422), errors=[{"field": field, "message": str(message)}])


# --- pagination, counting and shared schemas --------------------------------------------


class Pagination(LimitOffsetPagination):
    """?limit=&offset= ; the answer is {"items": [...], "count": <total>}. A larger limit
    than NINJA_PAGINATION_MAX_PER_PAGE_SIZE is cut down to it: no unbounded pages."""

    class Input(LimitOffsetPagination.Input):
        # No list is that long, and past 64 bits the database refuses the offset (a 500).
        offset: int = Field(0, ge=0, le=2**62)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_limit", settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE)
        super().__init__(**kwargs)


class Ref(Schema):
    """A reference to another object: its id and its name."""

    id: int
    name: str


def ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


class Message(Schema):
    detail: str
    code: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[dict] | None = None


# --- one name per schema in the OpenAPI document ------------------------------------------


def unique_schema_names() -> None:
    """Give every schema class its own name under components/schemas.

    ninja makes each operation's JSON schema separately and merges their definitions by name,
    so two apps' different `BuildingOut` classes came out as one, and the operations of one were
    documented with the other's fields (found by schemathesis, test_api_fuzz.py). The first class
    to claim a name keeps it; another class of the same name is named by its module instead
    (`linli__results__api__BuildingOut`)."""
    from ninja.openapi import schema as ninja_openapi
    from ninja.schema import NinjaGenerateJsonSchema

    class UniqueNames(NinjaGenerateJsonSchema):
        claims: dict[str, str] = {}  # definition name -> the class (core ref) that holds it

        def get_defs_ref(self, core_mode_ref):
            defs_ref = super().get_defs_ref(core_mode_ref)
            core_ref = core_mode_ref[0]
            choices = self._prioritized_defsref_choices[defs_ref]
            free = [name for name in choices if self.claims.get(name, core_ref) == core_ref]
            if choices[0] not in free:  # not "BuildingOut-Output" either: that reads as a mode
                free = [name for name in free if name != choices[1]]
            n = 2
            while not free:  # ninja's own wrapper classes: one module and name, many classes
                name = f"{choices[2]}__{n}"
                free, n = [name] if self.claims.get(name, core_ref) == core_ref else [], n + 1
            self.claims.setdefault(free[0], core_ref)
            choices[:] = free
            return defs_ref

    ninja_openapi.NinjaGenerateJsonSchema = UniqueNames


def document_shared_errors(api: NinjaAPI) -> None:
    """Add to each operation's documented answers the errors every operation can give.

    The handlers above answer any operation with {"detail", "code"}: 400 for a body that is not
    JSON, 422 for invalid parameters or body, 404 for an address whose id does not parse, 401
    without credentials. Operations list only the errors their own code raises, so a client (and
    schemathesis) met answers the document did not mention."""
    generate = api.get_openapi_schema

    def get_openapi_schema(*, path_prefix=None, path_params=None):
        schema = generate(path_prefix=path_prefix, path_params=path_params)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                params = operation.get("parameters", [])
                shared = set()
                if "requestBody" in operation:
                    shared |= {400, 422}
                if params:
                    shared.add(422)
                if any(p["in"] == "path" for p in params):
                    shared.add(404)
                if operation.get("security"):
                    shared.add(401)
                responses = operation["responses"]
                for status in sorted(shared - set(responses) - {str(s) for s in responses}):
                    responses[status] = {"description": HTTPStatus(status).phrase, "content": error}
        return schema

    api.get_openapi_schema = get_openapi_schema
