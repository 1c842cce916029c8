"""The limit on checking receipts without an account: pages and API count together."""

from django.conf import settings

from linli.cases import limits

WINDOW = 3600


def receipt_check_allowed(ip) -> bool:
    """Counts one check from this address; False once it has made too many this hour."""
    return limits.hit(f"votes:receipt:ip:{ip}", WINDOW) <= getattr(settings, "VOTES_RECEIPT_CHECKS_PER_HOUR", 60)
