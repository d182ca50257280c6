"""With Redis gone, the cache answers "nothing cached" instead of failing."""

import pytest
from django.core.cache.backends.redis import RedisCache

from edu_platform.cache import ResilientRedisCache


@pytest.fixture
def dead_cache():
    # Warnings are written once a minute at most: an earlier test's must not
    # silence this one's.
    ResilientRedisCache._last_warning = 0.0
    yield ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    # Its failed writes are lost invalidations: not for later tests to make good.
    ResilientRedisCache._lost_invalidation = False


def test_reads_are_misses_and_writes_are_dropped_when_redis_is_down(dead_cache, caplog):
    assert dead_cache.get("k", "fallback") == "fallback"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.set("k", 1) is None
    assert dead_cache.add("k", 1) is False
    assert dead_cache.get_or_set("k", lambda: 42) == 42
    with pytest.raises(ValueError):
        dead_cache.incr("k")
    assert "cache unavailable" in caplog.text


def test_it_is_a_real_redis_cache_when_redis_is_up(redis_url):
    cache = ResilientRedisCache(redis_url, {})
    assert isinstance(cache, RedisCache)
    cache.set("resilient-test", "value", 5)
    assert cache.get("resilient-test") == "value"
    cache.delete("resilient-test")


def test_an_invalidation_lost_while_redis_was_away_is_made_good_when_it_is_back(redis_url, monkeypatch):
    """A publish or a role change while Redis is unreachable cannot retire
    what Redis stores; the first successful read afterwards moves the
    content generation on and forgets every stored role."""
    from django.core.cache import cache as django_cache
    from redis.exceptions import ConnectionError as RedisConnectionError

    from curriculum.page_cache import generation
    from edu_platform.cache import invalidations_lost

    cache = ResilientRedisCache(redis_url, {})
    received = []

    def record(**kwargs):
        received.append(kwargs["sender"])

    invalidations_lost.connect(record, dispatch_uid="test-lost-invalidations")
    try:
        before = generation()
        django_cache.set("roles:v1:424242", {"stale": True})

        def unreachable(*args, **kwargs):
            raise RedisConnectionError("Redis is away")

        monkeypatch.setattr(RedisCache, "delete", unreachable)
        assert cache.delete("a page from before the publish") is False
        assert received == []  # nothing can be done while it is away
        monkeypatch.undo()
        cache.get("anything")
        cache.get("anything")
        assert received == [ResilientRedisCache]  # once, at the first read that works
        assert generation() == before + 1  # every stored page and route retires
        assert django_cache.get("roles:v1:424242") is None  # and every stored role
    finally:
        invalidations_lost.disconnect(dispatch_uid="test-lost-invalidations")
