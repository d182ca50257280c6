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


def hash_receipt(receipt: str) -> str:
    """argon2id with a fresh random salt; parameters and salt are in the string."""
    return _hasher.hash(receipt)


def verify(receipt: str, encoded: str) -> bool:
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
