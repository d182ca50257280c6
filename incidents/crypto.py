"""Encryption at rest for everything a reporter or a counselor writes.

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
    """Text encrypted in the database and plain in Python.

    Every save produces a new ciphertext (Fernet uses a random IV), so equal
    texts do not look equal in the table. Filtering on these columns is
    meaningless and never done."""

    description = "Text encrypted with the incident keys"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(value)
