"""The primitives of sealed reports (libsodium through PyNaCl), with no
database and no request, so they are easy to test exhaustively.

* A *key pair* is X25519. A report has one; each counselor and district
  safety officer has one; each school (and education office) has a recovery
  key pair whose private half exists only on a printed sheet.
* Text is sealed to a report's public key with a ``SealedBox`` (an ephemeral
  key per value, XSalsa20-Poly1305): anyone may add to a report, only a holder
  of the report's private key reads it, as in GlobaLeaks.
* A report's private key is sealed (``SealedBox``) to each holder's public key.
* A person's private key is stored wrapped (``SecretBox``) with a key derived
  from their password by Argon2id; a reporter's key pair is derived from the
  receipt the same way, so the receipt alone opens the reporter's copy.

Every failure to open (a wrong password, a tampered or truncated value)
raises ``SealingError``; callers turn it into a clear message.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

PREFIX = "nacl1:"
KEY_BYTES = 32
SALT_BYTES = 16


class SealingError(Exception):
    """Something sealed could not be opened: a wrong password or sheet, or a
    value that was changed or cut short."""


class Ciphertext(str):
    """A value that is already sealed (or a legacy Fernet token read from the
    database): ``EncryptedTextField`` stores it as it is."""


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeError, ValueError):
        raise SealingError("not base64") from None


# --- key pairs ----------------------------------------------------------------------


def new_key_pair() -> PrivateKey:
    return PrivateKey.generate()


def public_text(key: PrivateKey | PublicKey) -> str:
    public = key.public_key if isinstance(key, PrivateKey) else key
    return b64encode(bytes(public))


def public_key(text: str) -> PublicKey:
    raw = b64decode(text)
    if len(raw) != KEY_BYTES:
        raise SealingError("a public key has 32 bytes")
    return PublicKey(raw)


def private_key(raw: bytes) -> PrivateKey:
    if len(raw) != KEY_BYTES:
        raise SealingError("a private key has 32 bytes")
    return PrivateKey(raw)


# --- text sealed to a report ----------------------------------------------------------


def is_sealed(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def seal_text(public: PublicKey, text: str) -> Ciphertext:
    # An empty text is the bare prefix: its sealed form would say "empty" by
    # its length anyway, and opening it would cost a key agreement for nothing.
    if not text:
        return Ciphertext(PREFIX)
    return Ciphertext(PREFIX + b64encode(SealedBox(public).encrypt(text.encode("utf-8"))))


def open_text(key: PrivateKey, value: str) -> str:
    if not is_sealed(value):
        raise SealingError("not a sealed value")
    if value == PREFIX:
        return ""
    try:
        return SealedBox(key).decrypt(b64decode(value[len(PREFIX) :])).decode("utf-8")
    except (CryptoError, UnicodeError):
        raise SealingError("the value does not open with this key") from None


# --- keys sealed to keys ------------------------------------------------------------------


def seal_key(recipient: PublicKey, key: PrivateKey) -> str:
    return b64encode(SealedBox(recipient).encrypt(bytes(key)))


def open_key(holder: PrivateKey, sealed: str) -> PrivateKey:
    try:
        raw = SealedBox(holder).decrypt(b64decode(sealed))
    except CryptoError:
        raise SealingError("the sealed key does not open with this key") from None
    return private_key(raw)


# --- keys wrapped with a secret a person knows ----------------------------------------------


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_cost: int  # KiB


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def derive_key(secret: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id (argon2-cffi's low-level call): a password or a receipt to 32 bytes."""
    return hash_secret_raw(
        secret.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=1,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def wrap(wrapping_key: bytes, data: bytes) -> str:
    return b64encode(SecretBox(wrapping_key).encrypt(data))


def unwrap(wrapping_key: bytes, wrapped: str) -> bytes:
    try:
        return SecretBox(wrapping_key).decrypt(b64decode(wrapped))
    except CryptoError:
        raise SealingError("the wrapped key does not open with this secret") from None


# --- the printed recovery sheet ----------------------------------------------------------

_SHEET_NOISE = re.compile(r"[\s\-‐‑‒–—―.·_/]+")


def sheet_text(key: PrivateKey) -> str:
    """The recovery private key as 52 letters and digits (base32) in groups
    of four, to print and to type back."""
    text = base64.b32encode(bytes(key)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def sheet_groups(key: PrivateKey) -> list[str]:
    return sheet_text(key).split(" ")


def key_from_sheet(typed: str, expected_public: str) -> PrivateKey:
    """The recovery key typed from a sheet; SealingError unless it is the
    sheet of this school (its public key matches)."""
    text = _SHEET_NOISE.sub("", (typed or "").upper())
    if len(text) != 52:
        raise SealingError("a recovery sheet has 52 characters")
    try:
        raw = base64.b32decode(text + "====")
    except (binascii.Error, ValueError):
        raise SealingError("not a recovery sheet") from None
    key = private_key(raw)
    if not hmac.compare_digest(public_text(key), expected_public):
        raise SealingError("this is not the sheet of this school")
    return key
