"""Receipts are stored only as a slow salted hash; a wrong code gets the
same answer whether or not it exists; guessing is throttled per address and
per code prefix, without locking out a school that shares one address."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from incidents import receipts
from incidents.models import IncidentReport

from .conftest import make_report

SCHOOL_ADDRESS = {"REMOTE_ADDR": "198.51.100.20"}


def test_receipts_are_sixteen_random_digits():
    codes = {receipts.new_receipt() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 16 and code.isdigit() for code in codes)
    assert receipts.grouped("1234567812345678") == ["1234", "5678", "1234", "5678"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1234 5678 1234 5678", "1234567812345678"),
        ("1234-5678-1234-5678", "1234567812345678"),
        ("１２３４５６７８１２３４５６７８", "1234567812345678"),
        ("123456781234567", None),
        ("12345678123456789", None),
        ("abcd567812345678", None),
        ("", None),
    ],
)
def test_typed_codes_are_normalised(typed, expected):
    assert receipts.normalize(typed) == expected


def test_only_a_salted_argon2id_hash_is_stored(cast):
    report, receipt = make_report(cast.school)
    other, other_receipt = make_report(cast.school)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {IncidentReport._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    flat = repr(rows)
    assert receipt not in flat
    assert other_receipt not in flat
    # Sealed reports: "nacl1$<salt>$<public key of the key Argon2id derives from the receipt>".
    assert report.receipt_hash.startswith(receipts.SEALED_PREFIX)
    assert receipts.RECEIPT_KDF == receipts.sealing.KdfParams(time_cost=2, memory_cost=19456)
    # Salted: the salt part differs between reports.
    assert report.receipt_hash.split("$")[1] != other.receipt_hash.split("$")[1]
    assert len(report.receipt_lookup) == receipts.LOOKUP_CHARS
    assert receipts.verify(receipt, report.receipt_hash)
    assert not receipts.verify(other_receipt, report.receipt_hash)


def _open(client, receipt, **extra):
    return client.post("/report/follow-up/", {"receipt": receipt}, **extra)


def test_the_right_code_opens_the_report(client, cast):
    _report, receipt = make_report(cast.school)
    response = _open(client, f"{receipt[:4]} {receipt[4:8]} {receipt[8:12]} {receipt[12:]}")
    assert response.status_code == 303
    assert response["Location"] == "/report/follow-up/case/"


def test_a_wrong_code_gets_the_same_answer_whether_or_not_it_exists(client, cast):
    report, receipt = make_report(cast.school)
    # A code that shares the lookup key (as if the index collided) but is wrong,
    # and a code whose lookup key matches nothing.
    wrong_but_found = "0000000000000001"
    IncidentReport.objects.filter(pk=report.pk).update(receipt_lookup=receipts.lookup_key(wrong_but_found))
    unknown = "9999999999999999"
    a = _open(client, wrong_but_found)
    b = _open(Client(), unknown)
    assert a.status_code == b.status_code == 200

    def body(response):
        return response.content.decode().replace(wrong_but_found, "X").replace(unknown, "X")

    assert body(a) == body(b)


def test_a_wrong_code_costs_one_argon2_check_either_way(cast):
    from incidents import services

    make_report(cast.school)
    with mock.patch.object(receipts, "verify_decoy", wraps=receipts.verify_decoy) as decoy:
        assert services.report_for_receipt("9999999999999999") is None
    assert decoy.call_count == 1


def test_unknown_and_wrong_codes_cost_the_same_one_argon2_check(cast):
    """So that the time of the answer does not tell which codes exist (make
    bench measures both: receipt_lookup)."""
    from incidents import services

    report, _ = make_report(cast.school)
    collided = "0000000000000001"
    IncidentReport.objects.filter(pk=report.pk).update(receipt_lookup=receipts.lookup_key(collided))
    receipts._decoy_hash()
    checked = {}
    for code in (collided, "9999999999999999"):
        derive = receipts.sealing.derive_key
        with mock.patch.object(receipts.sealing, "derive_key", wraps=derive) as slow:
            assert services.report_for_receipt(code) is None
        checked[code] = [(receipts.sealing.b64encode(call.args[1]), call.args[2]) for call in slow.call_args_list]
    wrong, unknown = checked.values()
    # One Argon2id each, with the same parameters: the report's salt, or the decoy's.
    assert wrong == [(report.receipt_hash.split("$")[1], receipts.RECEIPT_KDF)]
    assert unknown == [(receipts._decoy_hash().split("$")[1], receipts.RECEIPT_KDF)]


def test_guessing_is_throttled_per_address_for_wrong_codes_only(client, cast, settings):
    settings.INCIDENT_RECEIPT_GUESSES_PER_ADDRESS = 10
    _report, receipt = make_report(cast.school)
    for n in range(10):
        assert _open(client, f"{n:08d}{n:08d}", **SCHOOL_ADDRESS).status_code == 200
    assert _open(client, "9999999999999999", **SCHOOL_ADDRESS).status_code == 429
    # A right code is never refused because of the address's wrong ones (issue 16).
    assert _open(client, receipt, **SCHOOL_ADDRESS).status_code == 303
    assert _open(Client(), receipt, REMOTE_ADDR="192.0.2.9").status_code == 303


def test_completing_a_partly_seen_code_is_stopped_quickly(client, cast):
    _report, receipt = make_report(cast.school)
    seen = receipt[:12]
    for ending in range(5):
        wrong = f"{seen}{(int(receipt[12:]) + 1 + ending) % 10000:04d}"
        assert _open(client, wrong, REMOTE_ADDR="192.0.2.50").status_code == 200
    # Even the right code is now refused from this address for a while…
    assert _open(client, receipt, REMOTE_ADDR="192.0.2.50").status_code == 429


def test_one_guesser_does_not_lock_out_a_whole_school(client, cast):
    """A school's students share one address. One of them tries 60 codes,
    some of them variations of one classmate's code; the others can still
    open their own reports from the same address."""
    _report, classmate_receipt = make_report(cast.school)
    reports = [make_report(cast.school) for _ in range(3)]
    guesser = Client()
    for n in range(50):
        _open(guesser, f"{n:04d}{n:04d}{n:04d}{n:04d}", **SCHOOL_ADDRESS)
    for ending in range(10):
        _open(guesser, f"{classmate_receipt[:12]}{ending:04d}", **SCHOOL_ADDRESS)
    for _report, receipt in reports:
        assert _open(Client(), receipt, **SCHOOL_ADDRESS).status_code == 303


def test_a_badly_typed_code_is_explained_and_not_counted(client, cast):
    response = _open(client, "1234")
    assert response.status_code == 200
    assert "16" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
