"""Sealed reports, as the people who use them meet them: the counselor reads,
replies and notes; the reporter reads the reply with the receipt alone; a new
counselor reads old cases once granted; one who leaves cannot; a password
change and the recovery sheet both keep access; the Fernet reports of before
are sealed without losing a text."""

import re

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core.management import call_command

from incidents import cases, keyring, keys, sealing
from incidents.models import (
    AuditEvent,
    CaseMessage,
    CaseNote,
    IncidentReport,
    PersonKey,
    RecoveryKey,
    Referral,
    ReportSeal,
    SealedReportKey,
)
from schools.models import Membership, Role
from tests.conftest import give_keys, give_totp, mfa_login
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import make_report
from .test_followup import open_report


def case_page(client, report):
    response = client.get(f"/counsel/reports/{report.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def new_counselor(cast, username="new-counselor"):
    user = UserFactory(username=username)
    MembershipFactory(user=user, school=cast.school, role=Role.COUNSELOR)
    return user


def test_a_report_is_sealed_to_its_counselors_the_recovery_key_and_the_reporter(cast):
    keys.recovery_key_create(school=cast.school, actor=cast.school_admin)
    report, receipt = make_report(cast.school, details="my secret words")
    copies = SealedReportKey.objects.filter(report=report)
    assert set(copies.exclude(holder=None).values_list("holder_id", flat=True)) == {cast.counselor.pk}
    assert copies.filter(recovery__isnull=False).count() == 1
    assert copies.filter(reporter=True).count() == 1
    assert sealing.is_sealed(IncidentReport.objects.get(pk=report.pk).details)
    assert ReportSeal.objects.get(report=report).escrow == ""


def test_the_counselor_reads_replies_and_notes_and_the_reporter_reads_the_reply(client, cast):
    report, receipt = make_report(cast.school, details="someone shared a fake of me")
    mfa_login(client, cast.counselor)
    assert "someone shared a fake of me" in case_page(client, report)
    client.post(f"/counsel/reports/{report.pk}/message/", {"body": "We read it. You are safe here."})
    client.post(f"/counsel/reports/{report.pk}/note/", {"note": "call the parents"})
    page = case_page(client, report)
    assert "We read it. You are safe here." in page and "call the parents" in page
    stored = CaseMessage.objects.get(report=report)
    assert sealing.is_sealed(stored.body) and sealing.is_sealed(CaseNote.objects.get(report=report).body)

    reporter = client_class()
    html = open_report(reporter, receipt).content.decode()
    assert "We read it. You are safe here." in html
    assert "someone shared a fake of me" in html
    assert "call the parents" not in html


def client_class():
    from django.test import Client

    return Client()


def test_a_new_counselor_reads_old_cases_once_a_colleague_grants_access(client, cast):
    report, _ = make_report(cast.school, details="an old case")
    newcomer = new_counselor(cast)
    other = client_class()
    mfa_login(other, newcomer)  # the first sign-in makes the key pair
    page = case_page(other, report)
    assert "an old case" not in page
    assert "ask a colleague" in page.lower() or "동료" in page  # a clear message, never an error
    assert "[" in page

    mfa_login(client, cast.counselor)
    status = client.get("/counsel/keys/").content.decode()
    assert str(newcomer) in status
    response = client.post("/counsel/keys/grant/", {"person": newcomer.pk})
    assert response.status_code == 302
    assert "an old case" in case_page(other, report)
    grant = AuditEvent.objects.get(action=AuditEvent.Action.GRANT)
    assert grant.actor == cast.counselor and grant.detail == f"{newcomer.pk}:1"


def test_a_counselor_who_leaves_loses_access_at_once(client, cast):
    report, _ = make_report(cast.school, details="leaving")
    leaver = new_counselor(cast, "leaver")
    give_keys(leaver)
    mfa_login(client, cast.counselor)
    client.post("/counsel/keys/grant/", {"person": leaver.pk})
    other = client_class()
    mfa_login(other, leaver)
    assert "leaving" in case_page(other, report)
    ring = keyring.Keyring(user_id=leaver.pk, private=keys.person_key_unlock(user=leaver, password=PASSWORD))
    Membership.objects.filter(user=leaver, role=Role.COUNSELOR).delete()
    assert not SealedReportKey.objects.filter(holder=leaver).exists()
    assert keys.report_key_for_holder(report, ring) is None  # even with their key in hand
    assert other.get(f"/counsel/reports/{report.pk}/").status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REVOKE, detail=f"{leaver.pk}:1").exists()


def test_signing_in_with_the_login_form_unlocks_the_key_into_a_cookie_and_the_session(client, cast):
    report, _ = make_report(cast.school, details="read after a real sign-in")
    secret = give_totp(cast.counselor)
    response = client.post("/accounts/login/", {"login": "counselor@example.org", "password": PASSWORD})
    assert response.status_code == 302
    cookie = client.cookies[keyring.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert "read after a real sign-in" in case_page(client, report)
    # The session alone (no cookie) opens nothing.
    client.cookies.pop(keyring.COOKIE)
    assert "read after a real sign-in" not in case_page(client, report)
    client.post("/accounts/logout/")
    assert keyring.SESSION_KEY not in client.session


def test_a_password_change_keeps_access(client, cast):
    report, _ = make_report(cast.school, details="kept across a new password")
    mfa_login(client, cast.counselor)
    before = PersonKey.objects.get(user=cast.counselor).public_key
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-long-password-42", "password2": "a-new-long-password-42"},
    )
    assert response.status_code == 302
    assert PersonKey.objects.get(user=cast.counselor).public_key == before
    assert "kept across a new password" in case_page(client, report)
    fresh = client_class()
    cast.counselor.refresh_from_db()
    mfa_login(fresh, cast.counselor, password="a-new-long-password-42")
    assert "kept across a new password" in case_page(fresh, report)
    row = PersonKey.objects.get(user=cast.counselor)
    try:
        keys.person_key_unwrap(row, PASSWORD)
        raise AssertionError("the old password still opens the key")
    except sealing.SealingError:
        pass


def test_a_forgotten_password_is_recovered_with_the_printed_sheet(client, cast):
    admin = client_class()
    mfa_login(admin, cast.school_admin)
    page = admin.post(f"/school/{cast.school.code}/reports/recovery/", {"action": "create"}).content.decode()
    groups = re.findall(r'<span class="receipt-group">([A-Z2-7]{1,4})</span>', page)
    assert len(groups) == 13
    sheet = " ".join(groups)
    assert sheet.replace(" ", "") not in str(list(RecoveryKey.objects.values()))
    assert "receipt-group" not in admin.get(f"/school/{cast.school.code}/reports/recovery/").content.decode()

    report, _ = make_report(cast.school, details="recovered with the sheet")
    cast.counselor.set_password("after-reset-password-77")
    cast.counselor.save()
    keys.person_key_replace(user=cast.counselor, password="after-reset-password-77")  # what the reset signal does
    mfa_login(client, cast.counselor, password="after-reset-password-77")
    assert "recovered with the sheet" not in case_page(client, report)

    response = admin.post(
        f"/school/{cast.school.code}/reports/recovery/",
        {"action": "use", "sheet": sheet.lower(), "person": str(cast.counselor.pk)},
    )
    assert response.status_code == 302
    assert "recovered with the sheet" in case_page(client, report)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RECOVER, actor=cast.school_admin).exists()


def test_retention_deletion_takes_the_sealed_keys_with_the_report(cast):
    from datetime import timedelta

    from django.utils import timezone

    report, _ = make_report(cast.school)
    cases.report_change_status(report=report, to_status="closed", actor=cast.counselor, closing_reason="supported")
    IncidentReport.objects.filter(pk=report.pk).update(closed_at=timezone.now() - timedelta(days=4000))
    assert cases.reports_delete_expired() == 1
    assert not SealedReportKey.objects.filter(report_id=report.pk).exists()
    assert not ReportSeal.objects.filter(report_id=report.pk).exists()


def test_with_nobody_to_seal_to_the_key_waits_in_escrow_until_a_counselor_has_keys(client, cast):
    PersonKey.objects.filter(user=cast.counselor).delete()
    report, _ = make_report(cast.school, details="nobody had keys yet")
    assert ReportSeal.objects.get(report=report).escrow != ""
    mfa_login(client, cast.counselor)  # the first sign-in makes the key and releases the escrow
    assert ReportSeal.objects.get(report=report).escrow == ""
    assert "nobody had keys yet" in case_page(client, report)


def test_sealing_the_fernet_reports_loses_nothing(client, cast, capsys):
    report, receipt = make_report(cast.school)
    # A report as stored before sealing: Fernet texts and an $argon2id$ receipt hash.
    from incidents import receipts

    ReportSeal.objects.filter(report=report).delete()
    SealedReportKey.objects.filter(report=report).delete()
    legacy = IncidentReport.objects.get(pk=report.pk)
    legacy.details, legacy.room_link, legacy.contact = "legacy details", "t.me/legacy", "legacy contact"
    legacy.account_handle, legacy.platform_other = "@legacy", ""
    legacy.receipt_hash = receipts._hasher.hash(receipt)
    legacy.save()
    CaseMessage.objects.create(report=legacy, sender="staff", body="legacy reply", created_at=legacy.created_at)
    CaseMessage.objects.create(
        report=legacy,
        sender="reporter",
        kind="info",
        body="more",
        link="t.me/x",
        handle="@h",
        created_at=legacy.created_at,
    )
    CaseNote.objects.create(report=legacy, body="legacy note", created_at=legacy.created_at)
    Referral.objects.create(
        report=legacy, agency="police", referred_on="2026-01-01", note="legacy referral", created_at=legacy.created_at
    )
    assert not sealing.is_sealed(IncidentReport.objects.get(pk=report.pk).details)
    call_command("seal_incident_reports")
    out = capsys.readouterr().out
    # Stored values: 5 of the report, 3 of each message, the note, the referral.
    assert "Reports sealed: 1; texts sealed: 13 (of 13 counted before)." in out
    for model, fields in (
        (IncidentReport, keys.REPORT_TEXT_FIELDS),
        (CaseMessage, keys.MESSAGE_TEXT_FIELDS),
        (CaseNote, keys.NOTE_TEXT_FIELDS),
        (Referral, keys.REFERRAL_TEXT_FIELDS),
    ):
        for row in model.objects.values_list(*fields):
            assert all(sealing.is_sealed(value) for value in row)
    mfa_login(client, cast.counselor)
    page = case_page(client, report)
    for text in (
        "legacy details",
        "t.me/legacy",
        "legacy contact",
        "legacy reply",
        "t.me/x",
        "legacy note",
        "legacy referral",
        "@legacy",
    ):
        assert text in page
    # The reporter comes back with the old receipt: it still works, and once a
    # counselor has opened the case again the reporter reads the reply.
    reporter = client_class()
    open_report(reporter, receipt)
    assert not IncidentReport.objects.get(pk=report.pk).receipt_hash.startswith("$argon2")
    case_page(client, report)
    assert "legacy reply" in reporter.get("/report/follow-up/case/").content.decode()
    call_command("seal_incident_reports")
    assert "Reports sealed: 0" in capsys.readouterr().out


def test_signing_in_right_after_choosing_a_password_makes_the_key(cast, rf):
    """Accepting an invitation: the account is made with the chosen password
    and signed in at once (no login form); the key pair is made then."""
    from django.contrib.auth import login
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    user = UserFactory.build(username="invited", email="invited@example.org")
    user.set_password("chosen-password-9")
    user.save()
    MembershipFactory(user=user, school=cast.school, role=Role.COUNSELOR)
    request = rf.get("/")
    request.session, request.user = SessionStore(), AnonymousUser()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    row = PersonKey.objects.get(user=user)
    assert keys.person_key_unwrap(row, "chosen-password-9")
    assert request.session[keyring.SESSION_KEY]["uid"] == user.pk
    assert not hasattr(user, "_sealing_new_password")  # used once, then forgotten
