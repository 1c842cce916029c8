"""Django's Redis cache, degraded instead of failed while Redis is unreachable.

Redis holds only what can be lost (the cache and the per-address limits of the public pages:
linli/cases/limits.py, the API's login throttle). When it restarts or fails over, Django's
RedisCache raises redis' ConnectionError into the view and the request is a 500. Here an
unreachable Redis reads as a miss and a write is dropped (logged), so a restart costs no
request: a limit does not count for those seconds, which is the lesser harm. /healthz still
reports Redis as failing (it checks that a value is kept), so the balancer and monitoring see
it. Found by `make soak` (docs/soak.md)."""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # Without a socket timeout a hung Redis would hang every request that counts a limit.
        self._options = {"socket_connect_timeout": 1, "socket_timeout": 1, **self._options}

    def _down(self, operation: str, exc: Exception) -> None:
        logger.warning("cache: Redis unreachable during %s (%s); going on without it", operation, exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            self._down("add", exc)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            self._down("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            self._down("set", exc)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as exc:
            self._down("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            self._down("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            self._down("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as exc:
            self._down("has_key", exc)
            return False

    def incr(self, key, delta=1, version=None):
        """Counts from nothing while Redis is away: a limit lets the request through."""
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            self._down("incr", exc)
            return delta

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as exc:
            self._down("set_many", exc)
            return list(data)  # the keys that were not set

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as exc:
            self._down("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as exc:
            self._down("clear", exc)
            return False
