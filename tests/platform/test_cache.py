"""With Redis gone, the cache answers "nothing cached" instead of failing."""

import pytest
from django.core.cache.backends.redis import RedisCache

from edu_platform.cache import ResilientRedisCache


@pytest.fixture
def dead_cache():
    return ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )


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
