"""A Redis cache that degrades to "no cache" when Redis is unreachable.

Redis holds only what can be rebuilt (rendered lesson bodies, rate-limit
counters, cached sessions that are also in the database). If it goes away,
pages must still answer, more slowly, instead of failing: a student
finishing a quiz or a child reporting an incident must never see an error
because a cache is down. Each failure is logged once per minute at most.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0

    def _warn(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > 60:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable during %s (%s); serving without cache", operation, type(error).__name__)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _DOWN as error:
            self._warn("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _DOWN as error:
            self._warn("get_many", error)
            return {}

    def set(self, key, value, timeout=..., version=None):
        try:
            kwargs = {} if timeout is ... else {"timeout": timeout}
            return super().set(key, value, version=version, **kwargs)
        except _DOWN as error:
            self._warn("set", error)

    def set_many(self, data, timeout=..., version=None):
        try:
            kwargs = {} if timeout is ... else {"timeout": timeout}
            return super().set_many(data, version=version, **kwargs)
        except _DOWN as error:
            self._warn("set_many", error)
            return list(data)

    def add(self, key, value, timeout=..., version=None):
        try:
            kwargs = {} if timeout is ... else {"timeout": timeout}
            return super().add(key, value, version=version, **kwargs)
        except _DOWN as error:
            self._warn("add", error)
            return False

    def get_or_set(self, key, default, timeout=..., version=None):
        try:
            kwargs = {} if timeout is ... else {"timeout": timeout}
            return super().get_or_set(key, default, version=version, **kwargs)
        except _DOWN as error:
            self._warn("get_or_set", error)
            return default() if callable(default) else default

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except _DOWN as error:
            self._warn("incr", error)
            raise ValueError("cache unavailable") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _DOWN as error:
            self._warn("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except _DOWN as error:
            self._warn("delete_many", error)

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except _DOWN as error:
            self._warn("has_key", error)
            return False

    def touch(self, key, timeout=..., version=None):
        try:
            kwargs = {} if timeout is ... else {"timeout": timeout}
            return super().touch(key, version=version, **kwargs)
        except _DOWN as error:
            self._warn("touch", error)
            return False

    def clear(self):
        try:
            return super().clear()
        except _DOWN as error:
            self._warn("clear", error)
