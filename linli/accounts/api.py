"""API tokens and "who am I": /api/v1/auth/..."""

import datetime

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from linli.accounts.models import ApiToken, _digest
from linli.accounts.scope import Role, scope_for
from linli.lib.api_support import ApiError, ErrorOut, LoginThrottle, Ref, ref, token_key

router = Router(tags=["auth"])

TOKEN_LIFETIME = datetime.timedelta(days=90)
LOGIN_RATE = "10/m"  # per client address and username


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150, description="Username or mobile number")
    password: str = Field(..., min_length=1, max_length=256)
    name: str = Field("api", min_length=1, max_length=60, description="What the token is for, e.g. the app")


class TokenOut(Schema):
    token: str
    expires: datetime.datetime


class RoleOut(Schema):
    code: str
    label: str


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    elderly_mode: bool


class MeOut(Schema):
    user: UserOut
    person: Ref | None
    roles: list[RoleOut]


@router.post(
    "/token",
    auth=None,
    throttle=[LoginThrottle(LOGIN_RATE)],
    response={201: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def issue_token(request, payload: TokenIn):
    """Exchange a username (or mobile number) and password for a bearer token. The token is
    shown only once; send it as `Authorization: Bearer <token>`."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise ApiError(401, "invalid_credentials", _("The username or password is wrong."))
    token, key = ApiToken.issue(user=user, name=payload.name.strip() or "api", expires=timezone.now() + TOKEN_LIFETIME)
    return Status(201, {"token": key, "expires": token.expires})


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def me(request):
    user = request.auth
    labels = dict(Role.choices)
    roles = sorted(scope_for(user).roles)
    return {
        "user": {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name(),
            "elderly_mode": user.elderly_mode,
        },
        "person": ref(user.person),
        "roles": [{"code": str(code), "label": str(labels.get(code, code))} for code in roles],
    }


@router.delete("/token", response={204: None, 400: ErrorOut, 401: ErrorOut})
def revoke_token(request):
    """Revoke the token this request was made with."""
    key = token_key(request)
    if key is None:
        raise ApiError(400, "not_a_token", _("This request was not made with an API token."))
    ApiToken.objects.filter(user=request.auth, digest=_digest(key)).update(revoked=True)
    return Status(204, None)
