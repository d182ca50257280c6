"""Limits on the report pages, kept only in the cache and only as salted hashes.

No address is ever written down: the client address is turned into an HMAC
with a pepper from the environment the moment a request arrives, and only
that hash, as part of a cache key with an expiry, is kept. Counters vanish by
themselves when their window ends.

Receipt guessing has three limits, so that one guesser does not lock out a
whole school that reaches the internet through one address:

* per address: generous (300 wrong codes in 15 minutes by default). A school
  full of students mistyping never gets near it; only a program does.
* per address and receipt prefix (the first 8 digits): 5 wrong codes in 15
  minutes. Someone who saw part of a classmate's code and tries to complete
  it is stopped quickly, and nobody else is affected.
* per receipt prefix from any address: 10 wrong codes an hour, so spreading
  the same attack over many addresses does not help.

A receipt has 10^16 possibilities, so random guessing within these limits
finds nothing; the limits are there to stop patient, targeted attempts.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

ADDRESS_WINDOW = 15 * 60
ADDRESS_PREFIX_LIMIT = 5
PREFIX_WINDOW = 60 * 60
PREFIX_LIMIT = 10
PREFIX_DIGITS = 8
SCHOOL_WINDOW = 10 * 60


def _pepper() -> bytes:
    return (settings.INCIDENT_RATE_LIMIT_PEPPER or settings.SECRET_KEY).encode("utf-8")


def _hash(kind: str, value: str) -> str:
    return hmac.new(_pepper(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_address(request) -> str:
    """The address the request came from. Behind N trusted proxies, the Nth
    address from the right of X-Forwarded-For (the one the first trusted proxy
    saw); the left part of that header is whatever the client claims."""
    proxies = getattr(settings, "INCIDENT_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_fingerprint(request) -> str:
    """The salted hash that stands for the client address from here on."""
    return _hash("address", client_address(request))


def _key(kind: str, value: str) -> str:
    return f"incidents:rl:{kind}:{_hash(kind, value)}"


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _hit(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


@dataclass(frozen=True)
class ReceiptGuessKeys:
    address: str
    address_prefix: str
    prefix: str


def _receipt_keys(fingerprint: str, receipt: str) -> ReceiptGuessKeys:
    prefix = receipt[:PREFIX_DIGITS]
    return ReceiptGuessKeys(
        address=_key("guess-address", fingerprint),
        address_prefix=_key("guess-address-prefix", f"{fingerprint}:{prefix}"),
        prefix=_key("guess-prefix", prefix),
    )


def address_limit() -> int:
    return getattr(settings, "INCIDENT_RECEIPT_GUESSES_PER_ADDRESS", 300)


def receipt_guessing_blocked(fingerprint: str, receipt: str) -> bool:
    keys = _receipt_keys(fingerprint, receipt)
    return (
        _count(keys.address) >= address_limit()
        or _count(keys.address_prefix) >= ADDRESS_PREFIX_LIMIT
        or _count(keys.prefix) >= PREFIX_LIMIT
    )


def record_wrong_receipt(fingerprint: str, receipt: str) -> None:
    keys = _receipt_keys(fingerprint, receipt)
    _hit(keys.address, ADDRESS_WINDOW)
    _hit(keys.address_prefix, ADDRESS_WINDOW)
    _hit(keys.prefix, PREFIX_WINDOW)


def school_reports_limit() -> int:
    return getattr(settings, "INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES", 20)


def count_school_report(school_id: int) -> int:
    """Count one more report for a school; returns the count in this window."""
    return _hit(f"incidents:rl:school:{school_id}", SCHOOL_WINDOW)


REPORTER_MESSAGES_PER_HOUR = 20


def reporter_may_write(report_id: int) -> bool:
    """Count one more message from a report's reporter; False once they have
    written 20 in an hour (each one emails the counselor)."""
    return _hit(f"incidents:rl:reporter-messages:{report_id}", 60 * 60) <= REPORTER_MESSAGES_PER_HOUR
