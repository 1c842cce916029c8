"""`/healthz`: for the load balancer in front of several app servers, and for monitoring.

200 `{"status": "ok", ...}` when this process can reach the database and, in production, Redis
(the cache, the rate limits and the task queue); 503 naming what failed otherwise, so the
balancer takes the process out of rotation until it recovers. No login, no session, no cache
of the answer; it says nothing about the data (anyone may call it). See docs/deploy.md."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis() -> None:
    cache.set("linli:healthz", "1", 10)
    if cache.get("linli:healthz") != "1":
        raise RuntimeError("the cache did not keep a value")


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database}
    if settings.REDIS_URL:
        checks["redis"] = _redis
    results, ok = {}, True
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure makes the process unready; its kind is reported
            results[name] = f"error: {type(exc).__name__}"
            ok = False
    return JsonResponse({"status": "ok" if ok else "error", "checks": results}, status=200 if ok else 503)
