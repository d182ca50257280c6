"""Bad input to sealed reports: a wrong password, a tampered ciphertext, a
truncated sealed key and a wrong recovery sheet each give a clear message
(or a clear error in code) and change nothing."""

import pytest

from incidents import keyring, keys, sealing
from incidents.models import CaseNote, IncidentReport, PersonKey, RecoveryKey, SealedReportKey
from tests.conftest import mfa_login
from tests.factories import PASSWORD

from .conftest import make_report


def snapshot():
    return (
        list(PersonKey.objects.order_by("pk").values_list("public_key", "wrapped_private_key", "kdf_salt")),
        list(SealedReportKey.objects.order_by("pk").values_list("sealed_to", "sealed_key")),
    )


def test_a_wrong_password_opens_no_key_and_changes_nothing(cast):
    row = PersonKey.objects.get(user=cast.counselor)
    before = snapshot()
    with pytest.raises(sealing.SealingError):
        keys.person_key_unwrap(row, "not-the-password")
    assert snapshot() == before
    assert bytes(keys.person_key_unwrap(row, PASSWORD))  # the right one still does


def test_a_wrong_password_at_the_login_form_says_so_and_changes_nothing(client, cast):
    before = snapshot()
    response = client.post("/accounts/login/", {"login": "counselor@example.org", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "password" in response.content.decode().lower() or "비밀번호" in response.content.decode()
    assert keyring.COOKIE not in client.cookies
    assert snapshot() == before


def test_a_tampered_text_is_reported_as_damaged_on_the_page_not_an_error(client, cast):
    report, _ = make_report(cast.school, details="the original words")
    stored = IncidentReport.objects.get(pk=report.pk).details
    flipped = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    IncidentReport.objects.filter(pk=report.pk).update(details=sealing.Ciphertext(flipped))
    mfa_login(client, cast.counselor)
    page = client.get(f"/counsel/reports/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "the original words" not in html
    assert "damaged" in html or "손상" in html
    with pytest.raises(sealing.SealingError):
        sealing.open_text(sealing.new_key_pair(), flipped)


def test_a_truncated_sealed_key_gives_the_sealed_notice_and_changes_nothing(client, cast):
    report, _ = make_report(cast.school, details="behind a cut key")
    copy = SealedReportKey.objects.get(report=report, holder=cast.counselor)
    SealedReportKey.objects.filter(pk=copy.pk).update(sealed_key=copy.sealed_key[:20])
    before = snapshot()
    mfa_login(client, cast.counselor)
    page = client.get(f"/counsel/reports/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "behind a cut key" not in html and "sealed-notice" in html
    assert snapshot()[1] == before[1]
    with pytest.raises(sealing.SealingError):
        sealing.open_key(sealing.new_key_pair(), copy.sealed_key[:20])


def test_a_wrong_recovery_sheet_says_so_and_changes_nothing(client, cast):
    keys.recovery_key_create(school=cast.school, actor=cast.school_admin)
    make_report(cast.school)
    other_sheet = sealing.sheet_text(sealing.new_key_pair())
    mfa_login(client, cast.school_admin)
    before = snapshot()
    for typed in (other_sheet, "ABCD EFGH", other_sheet[:-1] + "1"):
        response = client.post(
            f"/school/{cast.school.code}/reports/recovery/",
            {"action": "use", "sheet": typed, "person": str(cast.counselor.pk)},
        )
        assert response.status_code == 400
        assert (
            "not the letters of this recovery sheet" in response.content.decode()
            or "복구 용지의 글자가 아닙니다" in (response.content.decode())
        )
    assert snapshot() == before
    assert RecoveryKey.objects.count() == 1


def test_a_second_recovery_sheet_is_refused(client, cast):
    mfa_login(client, cast.school_admin)
    client.post(f"/school/{cast.school.code}/reports/recovery/", {"action": "create"})
    key = RecoveryKey.objects.get()
    client.post(f"/school/{cast.school.code}/reports/recovery/", {"action": "create"})
    assert list(RecoveryKey.objects.all()) == [key]


def test_a_grant_to_someone_who_may_not_read_is_refused(client, cast):
    make_report(cast.school)
    mfa_login(client, cast.counselor)
    before = snapshot()
    for person in (cast.other_counselor.pk, cast.teacher.pk, "x"):
        assert client.post("/counsel/keys/grant/", {"person": person}).status_code == 400
    assert snapshot() == before


def test_notes_written_without_access_are_sealed_not_plain(cast):
    from incidents import cases

    report, _ = make_report(cast.school)
    note = cases.report_add_note(report=report, body="written blind", actor=cast.counselor)
    assert sealing.is_sealed(CaseNote.objects.get(pk=note.pk).body)
