"""Encryption at rest: what people write is sealed in the table (per-report
keys, docs/sealing.md); the server's Fernet keys come from settings, and
rotation moves every row still under them (written before sealing) to the
newest key."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from incidents import cases, crypto, sealing, services
from incidents.models import CaseMessage, CaseNote, IncidentReport, Referral, ReportSeal, SealedReportKey
from tests.support.sealed import opened, text

from .conftest import make_report

SECRETS = {
    "details": "secret-details-plaintext",
    "room_link": "t.me/secret-room-plaintext",
    "account_handle": "@secret-handle-plaintext",
    "platform_other": "secret-app-plaintext",
    "contact": "secret-contact@example.org",
}


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _case_with_everything(cast, **other):
    report, _receipt = make_report(cast.school, platform="other", **(SECRETS | other))
    cases.report_send_message(report=report, body="secret-staff-message", actor=cast.counselor)
    services.reporter_reply(report=report, body="secret-reporter-message")
    services.reporter_add_info(report=report, link="secret-info-link", handle="secret-info-handle", body="secret-info")
    cases.report_add_note(report=report, body="secret-note", actor=cast.counselor)
    cases.report_add_referral(
        report=report, agency="police", referred_on="2026-03-01", note="secret-referral-note", actor=cast.counselor
    )
    return report


def test_the_raw_tables_hold_no_plaintext(cast):
    report = _case_with_everything(cast)
    tables = {
        IncidentReport._meta.db_table: list(SECRETS),
        CaseMessage._meta.db_table: ["body", "link", "handle"],
        CaseNote._meta.db_table: ["body"],
        Referral._meta.db_table: ["note"],
    }
    for table, columns in tables.items():
        for row in raw(f"SELECT {', '.join(columns)} FROM {table}"):  # noqa: S608
            for value in row:
                assert value.startswith(sealing.PREFIX), (table, value)  # sealed to the report's key
                assert "secret" not in value
    # With a counselor's key it reads as written.
    assert opened(report, cast.counselor).details == SECRETS["details"]
    assert text(report, report.messages.first().body, cast.counselor) == "secret-staff-message"


def _as_before_sealing(report):
    """The same case as it was stored before sealing: Fernet texts."""
    ReportSeal.objects.filter(report=report).delete()
    SealedReportKey.objects.filter(report=report).delete()
    row = IncidentReport.objects.get(pk=report.pk)
    for name, value in SECRETS.items():
        setattr(row, name, value)
    row.save()
    for model, fields in ((CaseMessage, ("body", "link", "handle")), (CaseNote, ("body",)), (Referral, ("note",))):
        for item in model.objects.filter(report=report):
            for name in fields:
                setattr(item, name, f"secret-{model.__name__}-{name}-{item.pk}")
            item.save()


def test_equal_texts_do_not_look_equal(cast):
    make_report(cast.school, details="same words", account_handle="@one")
    make_report(cast.school, details="same words", account_handle="@two")  # not the same report twice
    first, second = (row[0] for row in raw(f"SELECT details FROM {IncidentReport._meta.db_table}"))  # noqa: S608
    assert first != second


def test_rotation_moves_every_row_to_the_new_key(cast, settings):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    settings.INCIDENT_ENCRYPTION_KEYS = [old_key]
    report = _case_with_everything(cast)
    _as_before_sealing(report)
    sealed_report = _case_with_everything(cast, details="sealed-details")
    sealed_before = IncidentReport.objects.get(pk=sealed_report.pk).details

    settings.INCIDENT_ENCRYPTION_KEYS = [new_key]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(IncidentReport.objects.get(pk=report.pk).details)

    settings.INCIDENT_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_incident_keys", stdout=io.StringIO())

    settings.INCIDENT_ENCRYPTION_KEYS = [new_key]
    report = IncidentReport.objects.get(pk=report.pk)
    assert crypto.decrypt(report.details) == SECRETS["details"]
    assert crypto.decrypt(report.contact) == SECRETS["contact"]
    for message in report.messages.all():
        assert crypto.decrypt(message.body) == f"secret-CaseMessage-body-{message.pk}"
    assert crypto.decrypt(report.notes.get().body).startswith("secret-CaseNote-body")
    assert crypto.decrypt(report.referrals.get().note).startswith("secret-Referral-note")
    assert crypto.is_encrypted_with_newest_key(report.details)
    # Sealed rows are left as they were, and still open with the counselor's key.
    assert IncidentReport.objects.get(pk=sealed_report.pk).details == sealed_before
    assert opened(sealed_report, cast.counselor).details == "sealed-details"


def test_the_first_key_encrypts_and_any_key_decrypts(settings):
    one, two = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.INCIDENT_ENCRYPTION_KEYS = [two]
    token = crypto.encrypt("hello")
    settings.INCIDENT_ENCRYPTION_KEYS = [one, two]
    assert crypto.decrypt(token) == "hello"
    assert not crypto.is_encrypted_with_newest_key(token)
    assert crypto.is_encrypted_with_newest_key(crypto.encrypt("hello"))


def test_keys_are_not_in_the_database(cast, settings):
    _case_with_everything(cast)
    from .test_anonymity import database_rows_containing

    for key in settings.INCIDENT_ENCRYPTION_KEYS:
        assert database_rows_containing(key) == []
