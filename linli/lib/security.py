"""Response headers Django has no setting for: Content-Security-Policy and Permissions-Policy
(settings.CONTENT_SECURITY_POLICY, settings.PERMISSIONS_POLICY; docs/security.md), on every
response, static files included.

The policy allows scripts only from our own origin: no inline <script>, no eval, no CDN, so a
string that slipped through escaping into a page cannot run. A view that needs another policy
sets the header itself; it is left alone."""

from django.conf import settings


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": settings.CONTENT_SECURITY_POLICY,
            "Permissions-Policy": settings.PERMISSIONS_POLICY,
            # Django's own middleware sets it on pages; this covers the static files WhiteNoise serves.
            "X-Frame-Options": settings.X_FRAME_OPTIONS,
        }

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value and name not in response:
                response[name] = value
        return response
