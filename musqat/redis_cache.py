"""A Redis cache that the site survives losing.

The cache only saves work: every page can be built without it. So when Redis cannot be
reached, a read is a miss and a write is skipped, and the site goes on serving, uncached,
instead of failing every request. After a failure the cache is not tried again for
RETRY_SECONDS, so an outage costs one timeout now and then, not one per request.

While Redis is away, publishing cannot mark the cached pages stale, so pages cached before
the outage may be served for up to PUBLIC_PAGE_SECONDS after it ends.
"""

from __future__ import annotations

import logging
import time
from functools import partial

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 5.0


class ForgivingRedisCache(RedisCache):
    """Django's Redis cache, with an unreachable Redis taken as an empty cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _try(self, work, fallback):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return work()
        except UNREACHABLE as error:
            self._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("the cache cannot be reached, serving without it: %s", error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(partial(super().add, key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._try(partial(super().get, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try(partial(super().set, key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(partial(super().touch, key, timeout, version), False)

    def delete(self, key, version=None):
        return self._try(partial(super().delete, key, version), False)

    def get_many(self, keys, version=None):
        return self._try(partial(super().get_many, keys, version), {})

    def has_key(self, key, version=None):
        return self._try(partial(super().has_key, key, version), False)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError, as the callers expect; an unreachable
        # Redis gives None: nothing was counted.
        return self._try(partial(super().incr, key, delta, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(partial(super().set_many, data, timeout, version), list(data))

    def delete_many(self, keys, version=None):
        self._try(partial(super().delete_many, keys, version), None)

    def clear(self):
        return self._try(partial(super().clear), False)
