"""A district's client secret at its identity provider, stored encrypted.

allauth keeps a SocialApp's ``secret`` as plain text in its table; a copy of
the database would then sign in as any education office at its provider.
The secret is stored as ``fernet:<token>``, encrypted with the server's keys
(``INCIDENT_ENCRYPTION_KEYS``, which never live in the database and which
production refuses to start without; incidents.crypto), and decrypted only
in memory, when allauth looks the app up for a sign-in
(signin.SchoolAccountAdapter.list_apps).

A key rotation re-encrypts these too: ``manage.py rotate_district_secrets``
after ``rotate_incident_keys`` (docs/deploy.md)."""

from __future__ import annotations

from incidents import crypto

PREFIX = "fernet:"


def is_sealed(value: str) -> bool:
    return bool(value) and value.startswith(PREFIX)


def seal(secret: str) -> str:
    """What goes in the column (an empty secret stays empty)."""
    if not secret or is_sealed(secret):
        return secret
    return PREFIX + crypto.encrypt(secret)


def unseal(value: str) -> str:
    """The secret itself; a value stored before encryption (plain) as it is."""
    if not is_sealed(value):
        return value
    return crypto.decrypt(value.removeprefix(PREFIX))
