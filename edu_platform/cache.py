"""A Redis cache that degrades to "no cache" when Redis is unreachable.

Redis holds only what can be rebuilt (rendered lesson bodies, rate-limit
counters, cached sessions that are also in the database). If it goes away,
pages must still answer, more slowly, instead of failing: a student
finishing a quiz or a child reporting an incident must never see an error
because a cache is down. Each failure is logged once per minute at most.

A delete or an increment that fails while Redis is away is an invalidation
lost: Redis may come back still holding what should have been forgotten
(a page from before a publish, say). The process remembers that it lost
one, and at its next successful read sends ``invalidations_lost``; the
curriculum moves its content generation on, which retires every stored
page and route at once.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)

invalidations_lost = Signal()


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0
    _lost_invalidation = False

    def _lost(self, operation: str, error: Exception) -> None:
        ResilientRedisCache._lost_invalidation = True
        self._warn(operation, error)

    def _back(self) -> None:
        if ResilientRedisCache._lost_invalidation:
            ResilientRedisCache._lost_invalidation = False
            logger.warning("cache reachable again after lost invalidations; retiring what it may still hold")
            invalidations_lost.send(sender=type(self))

    def _warn(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_warning > 60:
            ResilientRedisCache._last_warning = now
            logger.warning("cache unavailable during %s (%s); serving without cache", operation, type(error).__name__)

    def get(self, key, default=None, version=None):
        try:
            value = super().get(key, default, version)
        except _DOWN as error:
            self._warn("get", error)
            return default
        self._back()
        return value

    def get_many(self, keys, version=None):
        try:
            found = super().get_many(keys, version)
        except _DOWN as error:
            self._warn("get_many", error)
            return {}
        self._back()
        return found

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
            self._lost("incr", error)
            raise ValueError("cache unavailable") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except _DOWN as error:
            self._lost("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except _DOWN as error:
            self._lost("delete_many", error)

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
            self._lost("clear", error)
