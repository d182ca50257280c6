"""The live state of a session, kept in the Django cache (Redis in
production) so that any ASGI or WSGI node serves any pupil.

Who answered is kept only as a keyed hash of a participant token (a signed-in
pupil's id or an anonymous visitor's random token), never as a name, and only
for as long as the session lives. The current slide and the lock are also on
the session's row: a cache that forgot resumes from it.
"""

from __future__ import annotations

import time

from asgiref.sync import sync_to_async
from django.core.cache import cache

from edu_platform.ratelimit import keyed_hash

TIMEOUT = 12 * 60 * 60


def _k(pk: int, *parts) -> str:
    return ":".join(["live", str(pk), *map(str, parts)])


def _who(pk: int, participant: str) -> str:
    return keyed_hash(f"live:{pk}", participant)


def _count(key: str) -> int:
    cache.add(key, 0, timeout=TIMEOUT)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is away
        cache.set(key, 1, timeout=TIMEOUT)
        return 1


def initial(session) -> dict:
    return {
        "slide": session.current_slide,
        "locked": session.locked,
        "revealed": [],
        "shown_question": None,
        "words": {},
        "ended": not session.is_open,
        "v": 0,
    }


def read(session) -> dict:
    found = cache.get(_k(session.pk, "state"))
    if found is None:
        found = initial(session)
    if not session.is_open:
        found["ended"] = True
    return found


def write(pk: int, state: dict) -> dict:
    # Versions grow across a cache that forgot everything (a restarted Redis):
    # the time in milliseconds, or one more than the last if that is later.
    state["t"] = time.time()
    state["v"] = max(state.get("v", 0) + 1, int(state["t"] * 1000))
    cache.set(_k(pk, "state"), state, TIMEOUT)
    return state


def versions(pks) -> dict[int, tuple[int, float]]:
    """Each session's state version and when it was written (one read for
    all): the sockets' watch (live.followers) compares them with what each
    socket was sent."""
    keys = {_k(pk, "state"): pk for pk in pks}
    found = cache.get_many(list(keys))
    return {keys[key]: (value.get("v", 0), value.get("t", 0.0)) for key, value in found.items()}


def join(pk: int, participant: str) -> int:
    """Count a participant once however often they reconnect; the count."""
    if cache.add(_k(pk, "joined", _who(pk, participant)), 1, timeout=TIMEOUT):
        return _count(_k(pk, "joined"))
    return joined(pk)


def joined(pk: int) -> int:
    return int(cache.get(_k(pk, "joined")) or 0)


# With Redis, an activity's counts are one hash and an answer is one round
# trip: mark who answered, count, and read the totals back (bench/live.py:
# with add/incr per count, 1,400 answers in 5 s queued for seconds).
_ANSWER = """
if redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[1]) then
  for i = 2, #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
  redis.call('HINCRBY', KEYS[2], '', 1)
  redis.call('EXPIRE', KEYS[2], ARGV[1])
  return {1, redis.call('HGETALL', KEYS[2])}
end
return {0, redis.call('HGETALL', KEYS[2])}
"""
_COUNTS = "return {1, redis.call('HGETALL', KEYS[1])}"
_ADD_ONE = "redis.call('HINCRBY', KEYS[1], '', 1) redis.call('EXPIRE', KEYS[1], ARGV[1]) return 1"
_TOTAL = ""  # the hash field that counts answers (a choice id is never empty)


def _scripted() -> bool:
    return hasattr(cache, "script")


def _hash(found) -> dict[str, int] | None:
    if found is None:
        return None
    pairs = found[1]
    return {pairs[i].decode(): int(pairs[i + 1]) for i in range(0, len(pairs), 2)}


def _answer_script(pk: int, activity: str, participant: str, choices: list[str]) -> tuple[list, list]:
    """The keys and arguments of _ANSWER for one answer."""
    return [_k(pk, "who", activity, _who(pk, participant)), _k(pk, "h", activity)], [TIMEOUT, *choices]


def _answered(found) -> tuple[bool, dict[str, int] | None]:
    return (found is not None and found[0] == 1), _hash(found)


def answer(pk: int, activity: str, participant: str, choices: list[str]) -> tuple[bool, dict[str, int] | None]:
    """Count one participant's answer once: whether it was counted (False if
    they already answered) and, where the cache can say at once, the
    activity's counts per choice with the total under ""."""
    if _scripted():
        return _answered(cache.script(_ANSWER, *_answer_script(pk, activity, participant, choices)))
    if not cache.add(_k(pk, "who", activity, _who(pk, participant)), 1, timeout=TIMEOUT):
        return False, None
    for choice in choices:
        _count(_k(pk, "n", activity, choice))
    _count(_k(pk, "t", activity))
    return True, None


async def aanswer(pk: int, activity: str, participant: str, choices: list[str]) -> tuple[bool, dict[str, int] | None]:
    """answer() from a socket: with Redis, on the event loop itself."""
    if hasattr(cache, "ascript"):
        return _answered(await cache.ascript(_ANSWER, *_answer_script(pk, activity, participant, choices)))
    return await sync_to_async(answer, thread_sensitive=False)(pk, activity, participant, choices)


def counts(pk: int, activity, option_ids, found: dict[str, int] | None = None) -> tuple[dict[str, int], int]:
    """An activity's counts per choice and its total; ``found``: what
    answer() read back already."""
    if found is None and _scripted():
        found = _hash(cache.script(_COUNTS, [_k(pk, "h", activity.id)], [])) or {}
    if found is not None:
        return {c: found.get(c, 0) for c in option_ids}, found.get(_TOTAL, 0)
    keys = {choice: _k(pk, "n", activity.id, choice) for choice in option_ids}
    found = cache.get_many([*keys.values(), _k(pk, "t", activity.id)])
    return {c: int(found.get(key) or 0) for c, key in keys.items()}, int(found.get(_k(pk, "t", activity.id)) or 0)


def word_add(pk: int, activity: str, participant: str, text: str) -> int | None:
    """Hold a word answer for the teacher to screen; its number, or None if
    this participant already answered."""
    if not cache.add(_k(pk, "who", activity, _who(pk, participant)), 1, timeout=TIMEOUT):
        return None
    item = _count(_k(pk, "wn", activity))
    cache.set(_k(pk, "w", activity, item), text, TIMEOUT)
    if _scripted():
        cache.script(_ADD_ONE, [_k(pk, "h", activity)], [TIMEOUT])
    else:
        _count(_k(pk, "t", activity))
    return item


def words_pending(pk: int, activity: str) -> list[tuple[int, str]]:
    total = int(cache.get(_k(pk, "wn", activity)) or 0)
    keys = {n: _k(pk, "w", activity, n) for n in range(1, total + 1)}
    found = cache.get_many(list(keys.values()))
    return [(n, found[key]) for n, key in keys.items() if key in found]


def word(pk: int, activity: str, item: int) -> str | None:
    return cache.get(_k(pk, "w", activity, item))


def remember_pupil_answer(pk: int, user_id: int, activity: str, choices: list[str]) -> None:
    """A signed-in pupil whose results may be stored: their quiz answers,
    kept until the session ends and counts them towards progress."""
    key = _k(pk, "pupil", user_id)
    answers = cache.get(key) or {}
    answers[activity] = sorted(choices)
    cache.set(key, answers, TIMEOUT)


def pupil_answers(pk: int, user_ids) -> dict[int, dict[str, list[str]]]:
    keys = {_k(pk, "pupil", uid): uid for uid in user_ids}
    found = cache.get_many(list(keys))
    return {keys[key]: value for key, value in found.items()}
