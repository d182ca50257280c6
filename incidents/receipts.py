"""Receipts: the 16 digits with which an anonymous reporter comes back.

A receipt is the only key to a report, so the database never holds it:

* ``receipt_hash`` is argon2id with a random salt per report. It is slow on
  purpose (about 20 ms and 19 MiB here), so that whoever copies the database
  cannot try the 10^16 possible receipts.
* A slow salted hash cannot be searched for, and verifying the entered code
  against every report would cost 20 ms per report. So each report also has
  ``receipt_lookup``: the first 8 hex characters (32 bits) of
  HMAC-SHA256(pepper, receipt). It is indexed; the pepper lives in the
  environment (``INCIDENT_RATE_LIMIT_PEPPER``), never in the database, so
  without it the column says nothing. It is truncated so that even with the
  pepper it only narrows a guess down to one report in four billion; the
  argon2 hash still has to confirm every candidate. With 100,000 reports a
  lookup almost always finds at most one row.

Sealed reports (docs/sealing.md): the same single Argon2id computation also
gives the reporter a key pair. ``receipt_hash`` of a sealed report is
``nacl1$<salt>$<public key>``: the X25519 public key of the private key
Argon2id derives from the receipt and the salt. Checking a receipt derives
the key and compares the public halves, and the derived private key opens
the reporter's sealed copy of the report's key, so the reporter reads the
replies with the receipt alone. Reports from before sealing keep their
``$argon2id$`` hash until the reporter next comes back.

Consequence: changing INCIDENT_RATE_LIMIT_PEPPER makes every existing receipt
unfindable. It is a permanent secret, like the encryption keys.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.conf import settings
from nacl.public import PrivateKey

from . import sealing

DIGITS = 16
LOOKUP_CHARS = 8

# OWASP's minimum for argon2id: 19 MiB, two passes, one lane. Measured at
# about 18 ms per hash on the development machine (see the report).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―.·_/]+")
_RECEIPT = re.compile(r"^[0-9]{16}$")


def new_receipt() -> str:
    """16 digits from the operating system's random source; leading zeros count."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def grouped(receipt: str) -> list[str]:
    """1234567812345678 → ["1234", "5678", "1234", "5678"], for reading aloud."""
    return [receipt[i : i + 4] for i in range(0, DIGITS, 4)]


def normalize(raw: str) -> str | None:
    """The digits of what a person typed, or None if it cannot be a receipt.

    Spaces and dashes are allowed; full-width digits from a Korean keyboard
    are read as digits."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _SEPARATORS.sub("", text)
    return text if _RECEIPT.match(text) else None


def _pepper() -> bytes:
    pepper = settings.INCIDENT_RATE_LIMIT_PEPPER or settings.SECRET_KEY
    return pepper.encode("utf-8")


def lookup_key(receipt: str) -> str:
    digest = hmac.new(_pepper(), b"incident-receipt-lookup:" + receipt.encode("ascii"), hashlib.sha256)
    return digest.hexdigest()[:LOOKUP_CHARS]


SEALED_PREFIX = "nacl1$"
# The same cost as the hasher above: one receipt check costs what it did.
RECEIPT_KDF = sealing.KdfParams(time_cost=2, memory_cost=19456)


def new_reporter_key(receipt: str) -> tuple[PrivateKey, str]:
    """The reporter's key pair derived from the receipt with a fresh salt,
    and the ``receipt_hash`` that proves (and finds) it later."""
    salt = sealing.new_salt()
    key = PrivateKey(sealing.derive_key(receipt, salt, RECEIPT_KDF))
    return key, f"{SEALED_PREFIX}{sealing.b64encode(salt)}${sealing.public_text(key)}"


def hash_receipt(receipt: str) -> str:
    return new_reporter_key(receipt)[1]


def is_legacy_hash(encoded: str) -> bool:
    return not encoded.startswith(SEALED_PREFIX)


def reporter_public_key(encoded: str) -> str | None:
    return None if is_legacy_hash(encoded) else encoded.rsplit("$", 1)[1]


def reporter_key(receipt: str, encoded: str) -> PrivateKey | None:
    """The reporter's private key if ``receipt`` is the right one, else None."""
    try:
        _prefix, salt, public = encoded.split("$")
        key = PrivateKey(sealing.derive_key(receipt, sealing.b64decode(salt), RECEIPT_KDF))
    except (ValueError, sealing.SealingError):
        return None
    return key if hmac.compare_digest(sealing.public_text(key), public) else None


def verify(receipt: str, encoded: str) -> bool:
    if not is_legacy_hash(encoded):
        return reporter_key(receipt, encoded) is not None
    try:
        return _hasher.verify(encoded, receipt)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_receipt(new_receipt())


def verify_decoy(receipt: str) -> None:
    """Spend the same time as a real check, so that an unknown receipt is not
    answered faster than a wrong one."""
    verify(receipt, _decoy_hash())
