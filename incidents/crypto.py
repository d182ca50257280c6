"""Encryption at rest with the server's keys (Fernet): what the server must
read itself (the reporters' short sessions, escrowed report keys) and the
content of reports written before sealing (``manage.py seal_incident_reports``
moves them to per-report keys, see ``incidents.sealing`` and docs/sealing.md).

The keys come from ``INCIDENT_ENCRYPTION_KEYS`` (environment, newest first)
and never live in the database: a copy of the database alone reads as noise.
``MultiFernet`` encrypts with the first key and decrypts with any of them, so
a new key can be put in front, ``manage.py rotate_incident_keys`` re-encrypts
every row with it, and only then is the old key removed.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .sealing import Ciphertext


class DecryptionError(Exception):
    """A stored value that none of the configured keys opens (a key was
    removed before ``rotate_incident_keys`` ran, or the row was tampered with)."""


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("INCIDENT_ENCRYPTION_KEYS is empty: the incident channel cannot store anything.")
    try:
        return MultiFernet([Fernet(key.encode("ascii") if isinstance(key, str) else key) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"INCIDENT_ENCRYPTION_KEYS holds a key that is not a Fernet key: {exc}.") from None


def fernet() -> MultiFernet:
    # Keyed on the current setting, so tests that swap keys get the right one.
    return _multi_fernet(tuple(settings.INCIDENT_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError("A stored incident value cannot be decrypted with the configured keys.") from None


def is_encrypted_with_newest_key(token: str) -> bool:
    newest = Fernet(settings.INCIDENT_ENCRYPTION_KEYS[0].encode("ascii"))
    try:
        newest.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


class EncryptedTextField(models.TextField):
    """A column of what a reporter or a counselor wrote: never plaintext.

    The services seal values to the report's own key (``incidents.keys``)
    and hand the field a ``sealing.Ciphertext``, which is stored as it is;
    values read from the database stay ciphertext too (``Ciphertext``), and
    are opened only with a key from a counselor's session or a receipt.
    A plain string that reaches the field by another path is encrypted with
    the server's Fernet key, as before sealing, so it is never stored in the
    clear (and the storage test finds it, since the server could read it)."""

    description = "Text sealed to a report's key (or, before sealing, encrypted with the incident keys)"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return Ciphertext(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            return str(value)
        return encrypt(value)
