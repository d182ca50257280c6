"""One rate-limit helper for every app: counters kept only in the cache,
each with its own window, counted with an atomic add-then-increment.

Nothing identifying is ever written down: what a counter is about (an
address, an account, a receipt prefix) enters its cache key only as an HMAC
with the platform's pepper, and the counter vanishes when its window ends.
Each app names its limits (``Limit``) next to the flow they protect:
``accounts.ratelimit`` (guardian codes, pupils' wrong passwords),
``incidents.ratelimit`` (receipts, report floods) and the class join code in
``classroom``. ``Backoff`` makes a subject wait longer after each failure
instead of locking it out (pupils in class must never be locked out).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` events per ``window`` seconds for one subject."""

    name: str
    limit: int
    window: int

    def key(self, subject: str) -> str:
        return f"{self.name}:{keyed_hash(self.name, subject)}"

    def count(self, subject: str) -> int:
        return int(cache.get(self.key(subject)) or 0)

    def reached(self, subject: str) -> bool:
        """True once the subject used up its events in this window."""
        return self.count(subject) >= self.limit

    def hit(self, subject: str) -> int:
        """Count one event; returns the count in this window."""
        key = self.key(subject)
        cache.add(key, 0, timeout=self.window)
        try:
            return cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=self.window)
            return 1

    def take(self, subject: str) -> bool:
        """Count one event and say whether it is within the limit. The count
        is the one the increment returned (atomic in Redis), never a read
        before it: of 20 concurrent events exactly ``limit`` are allowed."""
        return self.hit(subject) <= self.limit

    def give_back(self, subject: str) -> None:
        """Undo one ``take`` (an event that turned out not to count)."""
        try:
            cache.decr(self.key(subject))
        except ValueError:  # the window ended, or the cache is away: nothing to undo
            pass


def _pepper() -> bytes:
    return (getattr(settings, "INCIDENT_RATE_LIMIT_PEPPER", "") or settings.SECRET_KEY).encode("utf-8")


def keyed_hash(kind: str, value: str) -> str:
    """What a counter is about, as it may appear in a cache key."""
    return hmac.new(_pepper(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_address(request) -> str:
    """The address the request came from. Behind N trusted proxies
    (``TRUSTED_PROXY_COUNT``), the Nth address from the right of
    X-Forwarded-For (the one the first trusted proxy saw); the left part of
    that header is whatever the client claims, so it is never trusted.
    allauth reads it too (accounts.adapter.AccountAdapter.get_client_ip)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", getattr(settings, "INCIDENT_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Backoff:
    """A growing wait instead of a lockout: after ``free`` failures in a row
    each further failure makes the subject wait ``base``, then twice as long,
    up to ``cap`` seconds. The failures are forgotten ``window`` seconds after
    the last one, or when ``clear`` is called. A try made while waiting should
    be refused without calling ``fail``, so waiting never grows by itself.

    Subjects may be put in a ``scope`` (e.g. one account): ``clear_scope``
    forgets every subject of that scope at once (an account and each address
    it was tried from), without knowing them, by moving the scope's epoch."""

    name: str
    free: int = 5
    base: int = 2
    cap: int = 60
    window: int = 60 * 60

    def _epoch_key(self, scope: str) -> str:
        return f"{self.name}:epoch:{keyed_hash(self.name + ':epoch', scope)}"

    def _key(self, scope: str, subject: str) -> str:
        epoch = cache.get(self._epoch_key(scope)) or ""
        return f"{self.name}:{keyed_hash(self.name, f'{scope}:{epoch}:{subject}')}"

    def delay_after(self, failures: int) -> int:
        """Seconds to wait after this many failures in a row."""
        if failures < self.free:
            return 0
        return min(self.cap, self.base * 2 ** (failures - self.free))

    def wait(self, scope: str, subject: str = "") -> int:
        """Whole seconds the subject must still wait (0: it may try now)."""
        until = cache.get(self._key(scope, subject) + ":until")
        if not until:
            return 0
        return max(0, math.ceil(until - _now()))

    def fail(self, scope: str, subject: str = "") -> int:
        """Count one failure; returns the seconds to wait before the next try.
        The count is an atomic increment, so tries sent in parallel all count."""
        key = self._key(scope, subject)
        cache.add(key, 0, timeout=self.window)
        try:
            failures = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=self.window)
            failures = 1
        cache.touch(key, self.window)
        delay = self.delay_after(failures)
        if delay:
            cache.set(key + ":until", _now() + delay, timeout=self.window)
        return delay

    def clear(self, scope: str, subject: str = "") -> None:
        key = self._key(scope, subject)
        cache.delete_many([key, key + ":until"])

    def clear_scope(self, scope: str) -> None:
        # Longer than any window, so old counters are gone before the epoch is.
        cache.set(self._epoch_key(scope), secrets.token_hex(8), timeout=max(self.window * 24, 24 * 60 * 60))
