"""The live counters: one answer per participant and activity, counted and
read back; the same on Redis (one Lua script) and on the in-memory cache of
`make run`."""

import secrets

import pytest
from asgiref.sync import async_to_sync
from django.test import override_settings

from live import state
from live.slides import Activity, Option

POLL = Activity(id="sure", kind="poll", prompt="?", options=(Option("a", "A"), Option("b", "B")))
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "live-state"}}


@pytest.fixture(params=["redis", "in-memory"])
def pk(request):
    """A session number no earlier run used, with the cache of either kind."""
    caches = LOCMEM
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        caches = {"default": {"BACKEND": "edu_platform.cache.ResilientRedisCache", "LOCATION": url}}
    with override_settings(CACHES=caches):
        yield 10**6 + secrets.randbelow(10**9)


def test_an_answer_counts_once_and_the_totals_come_back(pk):
    counted, found = state.answer(pk, "sure", "pupil-1", ["a"])
    assert counted
    assert state.counts(pk, POLL, ["a", "b"], found) == ({"a": 1, "b": 0}, 1)
    again, _ = state.answer(pk, "sure", "pupil-1", ["b"])
    assert not again  # the same participant twice: refused, nothing counted
    counted, found = async_to_sync(state.aanswer)(pk, "sure", "pupil-2", ["b"])
    assert counted
    assert state.counts(pk, POLL, ["a", "b"], found) == ({"a": 1, "b": 1}, 2)
    # Read without an answer: the same totals.
    assert state.counts(pk, POLL, ["a", "b"]) == ({"a": 1, "b": 1}, 2)


def test_word_answers_count_in_the_same_total(pk):
    words = Activity(id="w", kind="words", prompt="?")
    assert state.word_add(pk, "w", "pupil-1", "kind") == 1
    assert state.word_add(pk, "w", "pupil-1", "again") is None
    assert state.word_add(pk, "w", "pupil-2", "brave") == 2
    assert state.counts(pk, words, []) == ({}, 2)
    assert state.words_pending(pk, "w") == [(1, "kind"), (2, "brave")]


def test_answers_from_one_event_loop_go_to_redis_in_batches(redis_url, monkeypatch):
    """ScriptBatch: fifty answers at once are all counted, in fewer round
    trips than answers; a Redis that is away gives None (refused), not an
    error."""
    import asyncio

    from edu_platform.cache import ScriptBatch

    caches = {"default": {"BACKEND": "edu_platform.cache.ResilientRedisCache", "LOCATION": redis_url}}
    pipelines = []
    execute = ScriptBatch._execute

    async def counted_execute(self, batch):
        pipelines.append(len(batch))
        return await execute(self, batch)

    monkeypatch.setattr(ScriptBatch, "_execute", counted_execute)
    pk = 10**6 + secrets.randbelow(10**9)

    async def fifty():
        return await asyncio.gather(*(state.aanswer(pk, "sure", f"pupil-{n}", ["a"]) for n in range(50)))

    with override_settings(CACHES=caches):
        results = async_to_sync(fifty)()
        assert all(ok for ok, _ in results)
        assert max(found[""] for _, found in results) == 50
        assert state.counts(pk, POLL, ["a", "b"]) == ({"a": 50, "b": 0}, 50)
    assert sum(pipelines) == 50 and len(pipelines) < 50

    away = {"default": {**caches["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=away):
        assert async_to_sync(state.aanswer)(pk, "sure", "pupil-x", ["a"]) == (False, None)
