"""Limits on guessing guardian codes and pupils' passwords (edu_platform.ratelimit).

A guardian code has 32^12 (about 10^18) possibilities, so guessing is hopeless
anyway; the limits stop anyone from trying patiently. After 10 wrong codes in
an hour a parent account is refused until the hour is over, even with the
right code. The limit per address is generous, because the parents of a
whole school may sit behind one address at a parents' evening.

Pupils are never locked out by wrong passwords (allauth's ``login_failed``
lockout would keep a child out of the lesson for 15 minutes, and usernames
are predictable, so a classmate could lock out the whole class). Instead,
after 5 wrong passwords in a row from one address, each further try waits
2, 4, 8 ... up to 60 seconds; and after 10 from anywhere the account itself
waits the same way, so that trying from many addresses gains nothing. A
teacher's new card forgets both (``pupil_login_forget``).
"""

from __future__ import annotations

from edu_platform.ratelimit import Backoff, Limit, client_address

WINDOW_SECONDS = 60 * 60
WRONG_CODES_PER_ACCOUNT = 10
WRONG_CODES_PER_ADDRESS = 100

PER_ACCOUNT = Limit("accounts:guardian-code:user", WRONG_CODES_PER_ACCOUNT, WINDOW_SECONDS)
PER_ADDRESS = Limit("accounts:guardian-code:address", WRONG_CODES_PER_ADDRESS, WINDOW_SECONDS)

PUPIL_LOGIN_FROM_ADDRESS = Backoff("accounts:pupil-login:address", free=5)
PUPIL_LOGIN_ANYWHERE = Backoff("accounts:pupil-login:account", free=10)


def _subjects(request) -> list[tuple[Limit, str]]:
    return [(PER_ACCOUNT, str(request.user.pk)), (PER_ADDRESS, client_address(request))]


def guardian_code_refused(request) -> bool:
    """True when this account or address already used up its wrong codes."""
    return any(limit.reached(subject) for limit, subject in _subjects(request))


def guardian_code_failed(request) -> None:
    """Count one wrong code for the account and the address."""
    for limit, subject in _subjects(request):
        limit.hit(subject)


def pupil_account(user) -> str:
    """What the pupil login waits are about: the account, never its name."""
    return f"user:{user.pk}"


def _pupil_subjects(request, account: str) -> list[tuple[Backoff, str]]:
    return [(PUPIL_LOGIN_FROM_ADDRESS, client_address(request)), (PUPIL_LOGIN_ANYWHERE, "")]


def pupil_login_wait(request, account: str) -> int:
    """Seconds this pupil account must wait before its password is checked
    again from this address (0: now)."""
    return max(backoff.wait(account, subject) for backoff, subject in _pupil_subjects(request, account))


def pupil_login_failed(request, account: str) -> None:
    for backoff, subject in _pupil_subjects(request, account):
        backoff.fail(account, subject)


def pupil_login_succeeded(request, account: str) -> None:
    """The right password from this address: its own count starts again
    (the account-wide one stays, so a pupil signing in does not reset a
    guesser elsewhere)."""
    PUPIL_LOGIN_FROM_ADDRESS.clear(account, client_address(request))


def pupil_login_forget(account: str) -> None:
    """A teacher gave a new password: every wait of the account ends."""
    for backoff in (PUPIL_LOGIN_FROM_ADDRESS, PUPIL_LOGIN_ANYWHERE):
        backoff.clear_scope(account)
