"""The live state of a session, kept in the Django cache (Redis in
production) so that any ASGI or WSGI node serves any pupil.

Who answered is kept only as a keyed hash of a participant token (a signed-in
pupil's id or an anonymous visitor's random token), never as a name, and only
for as long as the session lives. The current slide and the lock are also on
the session's row: a cache that forgot resumes from it.
"""

from __future__ import annotations

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
    state["v"] = state.get("v", 0) + 1
    cache.set(_k(pk, "state"), state, TIMEOUT)
    return state


def join(pk: int, participant: str) -> int:
    """Count a participant once however often they reconnect; the count."""
    if cache.add(_k(pk, "joined", _who(pk, participant)), 1, timeout=TIMEOUT):
        return _count(_k(pk, "joined"))
    return joined(pk)


def joined(pk: int) -> int:
    return int(cache.get(_k(pk, "joined")) or 0)


def answer(pk: int, activity: str, participant: str, choices: list[str]) -> bool:
    """Count one participant's answer once; False if they already answered."""
    if not cache.add(_k(pk, "who", activity, _who(pk, participant)), 1, timeout=TIMEOUT):
        return False
    for choice in choices:
        _count(_k(pk, "n", activity, choice))
    _count(_k(pk, "t", activity))
    return True


def counts(pk: int, activity, option_ids) -> tuple[dict[str, int], int]:
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
