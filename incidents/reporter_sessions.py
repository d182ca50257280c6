"""Short-lived, anonymous sessions for reporters, kept apart from Django's.

Django's session may belong to a signed-in student on a shared computer;
putting a report into it would tie the report to the account in the
``django_session`` table. So the report pages never touch ``request.session``.

Instead, only when it is needed, they set one cookie that carries its own
state, encrypted and time-stamped with the incident keys (Fernet), so that
it works even while the cache is down and the server keeps no list of who
is following up on what:

* ``receipt``: after submitting, the receipt may be shown again (a reload)
  for 15 minutes, until the reporter confirms "I have saved it".
* ``followup``: after entering a receipt; every request re-issues the cookie,
  so it expires 30 minutes after the last request.

Ending a session ("I saved it", "leave") deletes the cookie and puts its
random id on a short deny list in the cache, so a copy of the cookie is
refused too. Each session also yields a form token for its POSTs, which
stands in for Django's CSRF cookie (the report pages set no other cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.utils.http import http_date
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from . import crypto

RECEIPT = "receipt"
FOLLOWUP = "followup"
COOKIES = {RECEIPT: "st_report_receipt", FOLLOWUP: "st_report_followup"}
LIFETIMES = {RECEIPT: 15 * 60, FOLLOWUP: 30 * 60}
MAX_COOKIE_LENGTH = 1000
DUPLICATE_LIFETIME = 2 * 60


def now() -> int:
    """The clock of the sessions (a function, so tests can move it)."""
    return int(time.time())


def _issued_at() -> int:
    """The time sealed into a cookie, to the minute: the Fernet token carries
    it in the clear and the cookie's expiry follows from it, and neither may
    tell the second a pupil opened the page (which could be lined up with a
    sign-in). A session thus lasts up to 59 seconds less than its lifetime."""
    return now() // 60 * 60


@dataclass
class ReporterSession:
    kind: str
    nonce: str
    data: dict
    token: str = ""

    @property
    def form_token(self) -> str:
        key = (settings.SECRET_KEY or "").encode()
        return hmac.new(key, f"reporter-form:{self.nonce}".encode(), hashlib.sha256).hexdigest()[:32]

    def form_token_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.form_token, submitted)


def _seal(session: ReporterSession) -> str:
    payload = json.dumps({"k": session.kind, "n": session.nonce, "d": session.data}, separators=(",", ":"))
    return crypto.fernet().encrypt_at_time(payload.encode(), _issued_at()).decode("ascii")


def _ended_key(nonce: str) -> str:
    return f"incidents:session:ended:{hashlib.sha256(nonce.encode()).hexdigest()}"


def start(kind: str, data: dict) -> ReporterSession:
    session = ReporterSession(kind=kind, nonce=secrets.token_urlsafe(18), data=data)
    session.token = _seal(session)
    return session


def load(request, kind: str) -> ReporterSession | None:
    token = request.COOKIES.get(COOKIES[kind])
    if not token or len(token) > MAX_COOKIE_LENGTH:
        return None
    try:
        raw = crypto.fernet().decrypt_at_time(token.encode("ascii"), LIFETIMES[kind], now())
        payload = json.loads(raw)
    except (InvalidToken, UnicodeError, ValueError):
        return None
    if payload.get("k") != kind or cache.get(_ended_key(payload["n"])):
        return None
    return ReporterSession(kind=kind, nonce=payload["n"], data=payload["d"], token=token)


def touch(session: ReporterSession) -> None:
    """Idle timeout: every request issues the cookie again with a new time."""
    session.token = _seal(session)


def end(session: ReporterSession | None) -> None:
    if session is not None:
        cache.set(_ended_key(session.nonce), 1, timeout=LIFETIMES[session.kind])


def _duplicate_box(content: dict):
    """The box that keeps a receipt session for a double tap: its key comes
    from what the reporter wrote (sent again by the double tap), which is
    sealed in the database, so a copy of Redis and the environment does not
    give the receipt (docs/sealing.md says where this is weak)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return SecretBox(hashlib.blake2b(text, digest_size=32, person=b"st-dup-receipt").digest())


def remember_for_duplicate(duplicate_key: str, session: ReporterSession, content: dict | None = None) -> None:
    """Keep the receipt session (sealed with the report's own content, never
    the bare receipt) for two minutes under the report's keyed content hash,
    so that the same report sent again (a double tap) answers with the same
    receipt page."""
    sealed = _duplicate_box(content or {}).encrypt(session.token.encode("ascii"))
    cache.set(_duplicate_key(duplicate_key), bytes(sealed), timeout=DUPLICATE_LIFETIME)


def recall_for_duplicate(duplicate_key: str | None, content: dict | None = None) -> ReporterSession | None:
    sealed = cache.get(_duplicate_key(duplicate_key)) if duplicate_key else None
    if not sealed:
        return None
    try:
        token = _duplicate_box(content or {}).decrypt(sealed).decode("ascii")
    except (CryptoError, TypeError, ValueError):
        return None
    return ReporterSession(kind=RECEIPT, nonce="", data={}, token=token)


def _duplicate_key(duplicate_key: str) -> str:
    return f"incidents:session:duplicate:{duplicate_key}"


def set_cookie(response, request, session: ReporterSession) -> None:
    # An expiry on the minute, not a max-age counted from this second.
    response.set_cookie(
        COOKIES[session.kind],
        session.token,
        expires=http_date(_issued_at() + LIFETIMES[session.kind]),
        path="/",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def delete_cookie(response, kind: str) -> None:
    response.delete_cookie(COOKIES[kind], path="/", samesite="Strict")
