"""What a locked-out login sees (django-axes calls this): the page, or for the API the same
JSON error shape as every other API error, in the request's language."""

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def response(request, original_response=None, credentials=None):
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    if request.path.startswith("/api/"):
        body = {
            "detail": _("Too many wrong passwords for this account. Please wait %(n)s minutes.") % {"n": minutes},
            "code": "locked_out",
        }
        reply = JsonResponse(body, status=429)
        reply["Retry-After"] = str(minutes * 60)
        return reply
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)
