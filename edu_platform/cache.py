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

import asyncio
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.asyncio import BlockingConnectionPool
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
ASYNC_CONNECTIONS = 8

invalidations_lost = Signal()


class SharedPoolsClient(RedisCacheClient):
    """One connection pool per server for the whole process. Django keeps a
    cache object, and so a client with pools of its own, per thread and per
    async context: every socket of the live class opened connections of its
    own to Redis (bench/live.py), each costing a connection set-up."""

    _shared: dict = {}
    _shared_lock = threading.Lock()

    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items())))
        pool = self._shared.get(key)
        if pool is None:
            with self._shared_lock:
                pool = self._shared.get(key)
                if pool is None:
                    pool = self._shared[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0
    _lost_invalidation = False
    _async_clients: dict = {}  # (event loop id, server) -> (loop, client)

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolsClient

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

    def script(self, source: str, keys: list[str], args: list):
        """Run a Lua script on ``keys`` (named as this cache names its keys)
        in one round trip; None while Redis is away. For counters that must
        be read back at once (live.state: an answer counted and the chart's
        new totals), which get/add/incr would take several round trips for."""
        made = [self.make_and_validate_key(key) for key in keys]
        try:
            client = self._cache.get_client(made[0], write=True)
            return client.register_script(source)(keys=made, args=args)
        except _DOWN as error:
            self._warn("script", error)
            return None

    async def ascript(self, source: str, keys: list[str], args: list):
        """script() without leaving the event loop (the live class's sockets):
        a client of its own per event loop, with this cache's timeouts."""
        made = [self.make_and_validate_key(key) for key in keys]
        try:
            return await self._async_client().register_script(source)(keys=made, args=args)
        except _DOWN as error:
            self._warn("script", error)
            return None

    def _async_client(self) -> AsyncRedis:
        # Kept on the class: Django may make a cache object per async
        # context, and a client (with its connections) per socket message
        # would cost a connection to Redis each time.
        loop = asyncio.get_running_loop()
        clients = ResilientRedisCache._async_clients
        found = clients.get((id(loop), self._servers[0]))
        if found is None or found[0] is not loop:
            for key in [k for k, (other, _) in clients.items() if other.is_closed()]:
                del clients[key]
            # A few connections, waited for when all are busy: a burst of
            # answers otherwise opened one connection each, and opening one
            # stalls the event loop for milliseconds.
            pool = BlockingConnectionPool.from_url(
                self._servers[0],
                max_connections=ASYNC_CONNECTIONS,
                timeout=2,
                **{k: v for k, v in self._options.items() if k.startswith("socket_")},
            )
            found = clients[(id(loop), self._servers[0])] = (loop, AsyncRedis(connection_pool=pool))
        return found[1]
