"""The JSON API under /api/v1: one NinjaAPI, one router per app (each app's api.py).

Every endpoint needs a bearer token (`Authorization: Bearer ll_...`, see POST /auth/token)
or the pages' session (with the CSRF token for unsafe methods). Errors are JSON
{"detail", "code"} in the request's language (Accept-Language).
"""

from django.http import Http404
from ninja import NinjaAPI, Router, Swagger

from linli.accounts.api import router as auth_router
from linli.cases.api import router as cases_router
from linli.cases.open311 import open311_router
from linli.cases.public_api import public_router
from linli.lib.api_support import AUTH, document_shared_errors, install_error_handlers, unique_schema_names
from linli.notices.api import router as notices_router
from linli.people.api import assignments_router, organisations_router, residents_router, reveals_router
from linli.places.api import homes_router
from linli.places.api import router as places_router
from linli.resolutions.api import router as resolutions_router
from linli.votes.api import router as votes_router

api = NinjaAPI(
    title="linli API",
    version="1",
    description=(
        "邻里 linli: the grid, homes, residents and organisations within the caller's area.\n\n"
        "**Authentication**: `POST /api/v1/auth/token` with a username (or mobile number) and password "
        "returns a token; send it as `Authorization: Bearer ll_...`. The pages' session also works "
        "(unsafe methods then need the `X-CSRFToken` header).\n\n"
        '**Errors**: `{"detail": "...", "code": "..."}` in the language of `Accept-Language` '
        "(Chinese by default); invalid input adds `errors: [{field, message, type}]`. Anything outside "
        "the caller's area is a 404, the same as what does not exist.\n\n"
        "**Lists** take `limit` and `offset` and answer `{items, count}`. Phone and ID numbers are "
        "always masked; `POST /residents/{id}/reveal` shows one, with a reason, and logs it.\n\n"
        "**Cases** (requests and disputes): `/cases` within the caller's area, each step of the lifecycle "
        "as `POST /cases/{code}/actions/{action}` (send the `version` you saw: a stale one or a step the "
        "case's state does not allow is a 409 with a message); `/cases/bulk` acts on many, each on its own; "
        "`/cases/{code}/mediation` for neighbour disputes and `/cases/revisits` for staff. "
        "`/public` (no login) has the compounds' "
        "public boards and following a case by its code; `/open311` is a read-only Open311 GeoReport v2 view.\n\n"
        "**Votes** (owners' votes under Civil Code art. 278): `/votes` within the caller's reach; staff draft, "
        "announce, correct the electorate, enter paper ballots and close; owners cast with `POST "
        "/votes/{code}/ballots` and get a receipt; the notice, the result, the hash-chained ballot list and "
        "the receipt check need no login."
    ),
    urls_namespace="api",
    auth=AUTH,
    # Served from ninja's bundled static files ("ninja" is in INSTALLED_APPS); no validator
    # badge, which would load an image from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)
unique_schema_names()
document_shared_errors(api)

api.add_router("/auth", auth_router)
api.add_router("/places", places_router)
api.add_router("/homes", homes_router)
api.add_router("/residents", residents_router)
api.add_router("/organisations", organisations_router)
api.add_router("/assignments", assignments_router)
api.add_router("/reveals", reveals_router)
api.add_router("/cases", cases_router)
api.add_router("/public", public_router)
api.add_router("/open311", open311_router)
api.add_router("/notices", notices_router)
api.add_router("/elevators", "linli.elevators.api.router")
api.add_router("/votes", votes_router)
api.add_router("/resolutions", resolutions_router)
api.add_router("/conventions", "linli.conventions.api.router")
api.add_router("/topics", "linli.topics.api.router")
api.add_router("/meetings", "linli.meetings.api.router")
api.add_router("/volunteers", "linli.volunteers.api.router")
api.add_router("/campaigns", "linli.campaigns.api.router")
api.add_router("/rosters", "linli.rosters.api.router")
api.add_router("/patrols", "linli.patrols.api.router")
api.add_router("/results", "linli.results.api.router")
api.add_router("/privacy", "linli.privacy.api.router")

# Last, so it only catches what no router matched: an unknown address under /api/v1/ is a
# JSON 404 like any other, not the HTML page.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:path}", auth=None, include_in_schema=False)
def unknown(request, path: str):
    raise Http404


api.add_router("", fallback)
