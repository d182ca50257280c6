"""One rate-limit helper for every app: counters kept only in the cache,
each with its own window, counted with an atomic add-then-increment.

Nothing identifying is ever written down: what a counter is about (an
address, an account, a receipt prefix) enters its cache key only as an HMAC
with the platform's pepper, and the counter vanishes when its window ends.
Each app names its limits (``Limit``) next to the flow they protect:
``accounts.ratelimit`` (guardian codes), ``incidents.ratelimit`` (receipts,
report floods) and the class join code in ``classroom``.
"""

from __future__ import annotations

import hashlib
import hmac
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
