from django.conf import settings


def ui(request):
    """Elderly-friendly mode: a cookie for anyone, remembered on the account when logged in."""
    user = getattr(request, "user", None)
    elderly = request.COOKIES.get("elderly") == "1" or bool(user and user.is_authenticated and user.elderly_mode)
    return {"elderly_mode": elderly, "LINLI_DEBUG": settings.DEBUG}
