"""The sockets this process holds, per session, and the watch that keeps
them on the teacher's slide when a message went missing.

The channel layer (Redis pub/sub in production) hands each message to every
process once and forgets it: a slide change made while Redis was away, or
while this process was re-subscribing, never arrives. So every few seconds
one task per process reads the state versions of the sessions it serves (one
cache read for all of them) and sends the current state to each socket that
was sent an older one. A change still on its way is left to the layer: only
a version written more than LATE seconds ago counts as missed.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.db import database_sync_to_async

from . import state

logger = logging.getLogger(__name__)

CHECK_EVERY = 2.0
LATE = 1.0

_sockets: dict[int, set] = {}
_watch: asyncio.Task | None = None


def follow(consumer) -> None:
    """A socket of ``consumer.session`` opened in this process."""
    global _watch
    _sockets.setdefault(consumer.session.pk, set()).add(consumer)
    if _watch is None or _watch.done():
        _watch = asyncio.get_running_loop().create_task(_run())


def unfollow(consumer) -> None:
    held = _sockets.get(consumer.session.pk)
    if held is not None:
        held.discard(consumer)
        if not held:
            del _sockets[consumer.session.pk]


def held() -> int:
    return sum(len(sockets) for sockets in _sockets.values())


async def _run() -> None:
    while _sockets:
        await asyncio.sleep(CHECK_EVERY)
        try:
            await check()
        except Exception:  # Redis away: the next round tries again
            logger.warning("live: could not read the sessions' versions", exc_info=True)


async def check(now: float | None = None) -> int:
    """Send the current state to every socket behind its session's version;
    how many were sent it."""
    if not _sockets:
        return 0
    versions = await database_sync_to_async(state.versions)(list(_sockets))
    now = time.time() if now is None else now
    resent = 0
    made: dict = {}  # each kind of state once per session (a class of 35 shares one)
    for pk, (version, written) in versions.items():
        if now - written < LATE:
            continue
        behind = [c for c in list(_sockets.get(pk, ())) if c.sent_version < version]
        for consumer in behind:
            await consumer.resync(made)
        resent += len(behind)
    return resent
