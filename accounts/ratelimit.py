"""Limits on guessing guardian codes, kept in the Django cache like
django-allauth's own limits.

A guardian code has 32^12 (about 10^18) possibilities, so guessing is hopeless
anyway; the limits stop anyone from trying patiently. After 10 wrong codes in
an hour a parent account is refused until the hour is over, even with the
right code. The limit per address is generous, because the parents of a
whole school may sit behind one address at a parents' evening. Addresses
are kept only as a keyed hash inside the cache key, and vanish with it.
"""

from __future__ import annotations

import hashlib
import hmac

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60 * 60
WRONG_CODES_PER_ACCOUNT = 10
WRONG_CODES_PER_ADDRESS = 100


def _address_key(request) -> str:
    try:
        address = get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001 - no address known: share one bucket
        address = "unknown"
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]
    return f"accounts:guardian-code:address:{digest}"


def _keys(request) -> list[tuple[str, int]]:
    return [
        (f"accounts:guardian-code:user:{request.user.pk}", WRONG_CODES_PER_ACCOUNT),
        (_address_key(request), WRONG_CODES_PER_ADDRESS),
    ]


def guardian_code_refused(request) -> bool:
    """True when this account or address already used up its wrong codes."""
    counts = cache.get_many([key for key, _ in _keys(request)])
    return any(counts.get(key, 0) >= limit for key, limit in _keys(request))


def guardian_code_failed(request) -> None:
    """Count one wrong code for the account and the address."""
    for key, _limit in _keys(request):
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
