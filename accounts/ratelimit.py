"""Limits on guessing guardian codes (edu_platform.ratelimit).

A guardian code has 32^12 (about 10^18) possibilities, so guessing is hopeless
anyway; the limits stop anyone from trying patiently. After 10 wrong codes in
an hour a parent account is refused until the hour is over, even with the
right code. The limit per address is generous, because the parents of a
whole school may sit behind one address at a parents' evening.
"""

from __future__ import annotations

from edu_platform.ratelimit import Limit, client_address

WINDOW_SECONDS = 60 * 60
WRONG_CODES_PER_ACCOUNT = 10
WRONG_CODES_PER_ADDRESS = 100

PER_ACCOUNT = Limit("accounts:guardian-code:user", WRONG_CODES_PER_ACCOUNT, WINDOW_SECONDS)
PER_ADDRESS = Limit("accounts:guardian-code:address", WRONG_CODES_PER_ADDRESS, WINDOW_SECONDS)


def _subjects(request) -> list[tuple[Limit, str]]:
    return [(PER_ACCOUNT, str(request.user.pk)), (PER_ADDRESS, client_address(request))]


def guardian_code_refused(request) -> bool:
    """True when this account or address already used up its wrong codes."""
    return any(limit.reached(subject) for limit, subject in _subjects(request))


def guardian_code_failed(request) -> None:
    """Count one wrong code for the account and the address."""
    for limit, subject in _subjects(request):
        limit.hit(subject)
