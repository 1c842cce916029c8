"""For `make bench` only (LINLI_BENCH=1, see docs/bench.md): the number of SQL queries and their
time in each response's headers, and a bare view as the floor of what the server can do.

Never on otherwise: settings.py adds the middleware and urls.py the view only when the
environment asks for it.
"""

import time

from django.db import connection
from django.http import HttpResponse
from django.urls import path


class QueryCountMiddleware:
    """X-Queries: how many SQL statements the request ran (session and user included);
    X-DB-Ms: the time spent in them. Outermost, so every query of the request is counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count, spent = 0, 0.0

        def counting(execute, sql, params, many, context):
            nonlocal count, spent
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                count += 1
                spent += time.perf_counter() - started

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        response["X-DB-Ms"] = f"{spent * 1000:.1f}"
        return response


def bare(request):
    """The floor: a view that does nothing, behind the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare")]
