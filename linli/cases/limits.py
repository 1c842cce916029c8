"""Tries counted in the cache, for the limits on what anyone may do without an account.
Following a case counts under the same keys on the pages (public_views) and in the API
(public_api), so tries through either count together."""

import hashlib

from django.core.cache import cache


def hit(key: str, window: int) -> int:
    """Count one try under `key` for `window` seconds; returns the count so far."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def tries(key: str) -> int:
    return cache.get(key) or 0


def track_ip_key(ip) -> str:
    return f"cases:track:ip:{ip}"


def track_code_key(code: str) -> str:
    """The wrong tries for one case code (hashed: the key does not name the case)."""
    return "cases:track:code:" + hashlib.sha256(code.encode()).hexdigest()[:32]
