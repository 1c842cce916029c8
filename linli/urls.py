from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from linli.api import api
from linli.lib.health import healthz

urlpatterns = [
    path("", include("linli.accounts.urls")),
    path("places/", include("linli.places.urls")),
    path("people/", include("linli.people.urls")),
    path("import/", include("linli.people.import_urls")),
    path("cases/", include("linli.cases.urls")),
    path("r/", include("linli.cases.public_urls")),
    path("notices/", include("linli.notices.urls")),
    path("resolutions/", include("linli.resolutions.urls")),
    path("conventions/", include("linli.conventions.urls")),
    path("votes/", include("linli.votes.urls")),
    path("v/", include("linli.votes.public_urls")),
    path("elevators/", include("linli.elevators.urls")),
    path("topics/", include("linli.topics.urls")),
    path("meetings/", include("linli.meetings.urls")),
    path("volunteers/", include("linli.volunteers.urls")),
    path("campaigns/", include("linli.campaigns.urls")),
    path("rosters/", include("linli.rosters.urls")),
    path("patrols/", include("linli.patrols.urls")),
    path("results/", include("linli.results.urls")),
    path("privacy/", include("linli.privacy.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),  # the load balancer's check (docs/deploy.md)
]

if settings.BENCH:  # make bench only (docs/bench.md)
    from linli.lib.bench import urlpatterns as bench_urls

    urlpatterns += bench_urls
