"""Redis as a cache that never breaks a page.

Django's Redis cache raises when Redis is down, so a status change (whose save invalidates the cached dashboards)
answered 500 and its transaction was rolled back. Here a cache that cannot be reached behaves as an empty one:
reads miss, writes and invalidations are skipped (logged), pages are computed from the database, and the cache is
used again as soon as Redis answers, without a restart. An invalidation missed while Redis was down is bounded by
the cached entries' time-outs (the dashboards': ten minutes).
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
_LOG_EVERY_SECONDS = 60


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0

    def _safe(self, operation, default, *args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except Exception as error:  # redis.ConnectionError, TimeoutError, OSError …: the cache is only a cache
            if time.monotonic() - ResilientRedisCache._last_logged > _LOG_EVERY_SECONDS:
                ResilientRedisCache._last_logged = time.monotonic()
                logger.warning("The Redis cache is not reachable (%s); working without it.", error)
            return default

    def add(self, key, value, *args, **kwargs):
        return self._safe(super().add, False, key, value, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._safe(super().get, default, key, default, version=version)

    def set(self, key, value, *args, **kwargs):
        return self._safe(super().set, None, key, value, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._safe(super().touch, False, key, *args, **kwargs)

    def delete(self, key, version=None):
        return self._safe(super().delete, False, key, version=version)

    def get_many(self, keys, version=None):
        return self._safe(super().get_many, {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._safe(super().has_key, False, key, version=version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._safe(super().incr, missing, key, delta, version=version)
        if result is missing:
            raise ValueError("The cache is not reachable: key '{}' not incremented.".format(key))
        return result

    def set_many(self, data, *args, **kwargs):
        return self._safe(super().set_many, list(data), data, *args, **kwargs)

    def delete_many(self, keys, version=None):
        return self._safe(super().delete_many, None, keys, version=version)

    def clear(self):
        return self._safe(super().clear, None)
