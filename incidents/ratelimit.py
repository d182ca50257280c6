"""Limits on the report pages, kept only in the cache and only as salted hashes.

Built on edu_platform.ratelimit. No address is ever written down: the
client address is turned into an HMAC with a pepper from the environment the
moment a request arrives, and only that hash, as part of a cache key with an
expiry, is kept. Counters vanish by themselves when their window ends.

Receipt guessing has three limits, so that one guesser does not lock out a
whole school that reaches the internet through one address. Only wrong codes
count, and a right code is never refused because of the address's guesses:

* per address and receipt prefix (the first 8 digits): 5 wrong codes in 15
  minutes. Someone who saw part of a classmate's code and tries to complete
  it is stopped quickly, and nobody else is affected.
* per receipt prefix from any address: 10 wrong codes an hour, so spreading
  the same attack over many addresses does not help.
* per address: generous (300 wrong codes in 15 minutes by default). Past it,
  wrong codes are answered "too many tries", but every code is still checked
  (the argon2 hash is the cost of a guess), so a right one opens: one pupil
  guessing behind the school's shared address cannot shut the follow-up for
  everyone else.

The prefix limits are counted before the check, by the increment itself
(``Limit.take``): a guess takes a numbered place, only places within the
limit are checked, and a right code gives its places back.

A receipt has 10^16 possibilities, so random guessing within these limits
finds nothing; the limits are there to stop patient, targeted attempts.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from edu_platform.ratelimit import Limit, client_address, keyed_hash

ADDRESS_WINDOW = 15 * 60
ADDRESS_PREFIX_LIMIT = 5
PREFIX_WINDOW = 60 * 60
PREFIX_LIMIT = 10
PREFIX_DIGITS = 8
SCHOOL_WINDOW = 10 * 60
REPORTER_MESSAGES_PER_HOUR = 20

GUESSES_PER_ADDRESS_PREFIX = Limit("incidents:rl:guess-address-prefix", ADDRESS_PREFIX_LIMIT, ADDRESS_WINDOW)
GUESSES_PER_PREFIX = Limit("incidents:rl:guess-prefix", PREFIX_LIMIT, PREFIX_WINDOW)
REPORTER_MESSAGES = Limit("incidents:rl:reporter-messages", REPORTER_MESSAGES_PER_HOUR, 60 * 60)
# Wrong secrets typed on the unlock page (a reading passphrase, the account
# password), per account: each costs an Argon2id, and past the limit none is tried.
KEY_UNLOCK_WINDOW = 15 * 60
KEY_UNLOCK_FAILURES = Limit("incidents:rl:key-unlock", 5, KEY_UNLOCK_WINDOW)


def address_limit() -> int:
    return getattr(settings, "INCIDENT_RECEIPT_GUESSES_PER_ADDRESS", 300)


def _guesses_per_address() -> Limit:
    return Limit("incidents:rl:guess-address", address_limit(), ADDRESS_WINDOW)


def school_reports_limit() -> int:
    return getattr(settings, "INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES", 20)


def client_fingerprint(request) -> str:
    """The salted hash that stands for the client address from here on."""
    return keyed_hash("address", client_address(request))


def _prefix_subjects(fingerprint: str, receipt: str) -> list[tuple[Limit, str]]:
    prefix = receipt[:PREFIX_DIGITS]
    return [(GUESSES_PER_ADDRESS_PREFIX, f"{fingerprint}:{prefix}"), (GUESSES_PER_PREFIX, prefix)]


def receipt_guess_allowed(fingerprint: str, receipt: str) -> bool:
    """Take a place among the guesses on this receipt's prefix; False when
    the prefix has had its wrong codes for now (the code is then not checked)."""
    return all(limit.take(subject) for limit, subject in _prefix_subjects(fingerprint, receipt))


def receipt_was_right(fingerprint: str, receipt: str) -> None:
    """A right code does not count: give its places back."""
    for limit, subject in _prefix_subjects(fingerprint, receipt):
        limit.give_back(subject)


def record_wrong_receipt(fingerprint: str, receipt: str) -> bool:
    """Count a wrong code against the address; True once it has had too many
    (the answer then says so; a right code still opens)."""
    return not _guesses_per_address().take(fingerprint)


def count_school_report(school_id: int) -> int:
    """Count one more report for a school; returns the count in this window."""
    return Limit("incidents:rl:school", school_reports_limit(), SCHOOL_WINDOW).hit(str(school_id))


def reporter_may_write(report_id: int) -> bool:
    """Count one more message from a report's reporter; False once they have
    written 20 in an hour (each one emails the counselor)."""
    return REPORTER_MESSAGES.hit(str(report_id)) <= REPORTER_MESSAGES_PER_HOUR


def first_use_of_form(nonce: str, lifetime: int) -> bool:
    """True the first time a shown form's nonce is sent, False after.

    ``cache.add`` is atomic (SET NX in Redis), so of five concurrent posts with
    one token exactly one is first. It also answers False when the cache is
    unreachable (edu_platform.cache); the marker then cannot be read back
    either, and the form counts as first used: with Redis down we fail open,
    because losing a real pupil's report is worse than letting a replay
    through (the per-school flood count and the duplicate guard still apply).
    """
    key = f"incidents:form-used:{keyed_hash('form-nonce', nonce)}"
    if cache.add(key, 1, timeout=lifetime):
        return True
    return cache.get(key) is None
