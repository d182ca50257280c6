"""Receipt limits cannot be used to lock out someone else (issue 16): only
wrong codes count, a right code opens whatever an address guessed before,
and the counters are read from the increment itself, so concurrent guesses
cannot slip past them."""

import threading

from django.test import Client

from incidents import ratelimit

from .conftest import make_report

SCHOOL_ADDRESS = {"REMOTE_ADDR": "198.51.100.20"}


def _open(client, receipt, **extra):
    return client.post("/report/follow-up/", {"receipt": receipt}, **extra)


def test_300_wrong_codes_from_one_address_do_not_refuse_a_right_one_from_it(client, cast):
    _report, receipt = make_report(cast.school)
    guesser = Client()
    for n in range(300):
        _open(guesser, f"{n:08d}{n:08d}", **SCHOOL_ADDRESS)
    assert _open(guesser, "9999999999999999", **SCHOOL_ADDRESS).status_code == 429  # wrong codes are refused now
    # A classmate behind the same address, with the right code, gets in.
    assert _open(Client(), receipt, **SCHOOL_ADDRESS).status_code == 303


def test_right_codes_are_not_counted_against_their_prefix(client, cast):
    _report, receipt = make_report(cast.school)
    for _ in range(12):  # more than both prefix limits
        assert _open(Client(), receipt, **SCHOOL_ADDRESS).status_code == 303


def test_twenty_concurrent_guesses_on_one_prefix_are_checked_at_most_five_times():
    """The check is the increment: each guess takes a numbered place, and
    only those within the limit are checked (20 threads, one barrier)."""
    fingerprint = "same-address"
    barrier = threading.Barrier(20)
    allowed = []

    def guess(n):
        barrier.wait()
        allowed.append(ratelimit.receipt_guess_allowed(fingerprint, f"12345678{n:08d}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == ratelimit.ADDRESS_PREFIX_LIMIT


def test_the_limit_reads_the_count_the_increment_returned(monkeypatch):
    """No separate read before the increment (check-then-increment let 14 of
    20 concurrent guesses through): the counter is only ever incremented."""
    from edu_platform.ratelimit import Limit

    reads = []
    monkeypatch.setattr(Limit, "count", lambda self, subject: reads.append(subject) or 0)
    monkeypatch.setattr(Limit, "reached", lambda self, subject: reads.append(subject) or False)
    for n in range(7):
        ratelimit.receipt_guess_allowed("address", f"87654321{n:08d}")
    assert reads == []
    assert not ratelimit.receipt_guess_allowed("address", "8765432100000099")
