"""Replacing a school's recovery sheet (lost, or seen by someone): a new
sheet shown once; the reports the acting person can read move to it at once;
the others stay on the old sheet until a reader who can open them signs in,
and the old key goes with its last copy."""

from __future__ import annotations

import re

from django.test import Client

from incidents import keys, sealing
from incidents.models import AuditEvent, RecoveryKey, SealedReportKey
from schools.models import Role
from tests.conftest import give_keys, give_totp, mfa_login
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import make_report


def sheet_of(page: str) -> str:
    groups = re.findall(r'<span class="receipt-group">([A-Z2-7]{1,4})</span>', page)
    assert len(groups) == 13, page[:2000]
    return " ".join(groups)


def recovery_url(cast) -> str:
    return f"/school/{cast.school.code}/reports/recovery/"


def copies_on(recovery) -> set[int]:
    return set(SealedReportKey.objects.filter(recovery=recovery).values_list("report_id", flat=True))


def setup_place(cast):
    """Four reports on the old sheet: three the counselor holds, one only a
    second counselor holds (the counselor's copy of it was never granted)."""
    old_sheet_key = keys.recovery_key_create(school=cast.school, actor=cast.school_admin)
    second = UserFactory(username="second-counselor")
    MembershipFactory(user=second, school=cast.school, role=Role.COUNSELOR)
    give_keys(second)
    reports = [make_report(cast.school, details=f"report {n}")[0] for n in range(4)]
    SealedReportKey.objects.filter(report=reports[3], holder=cast.counselor).delete()
    return old_sheet_key, second, reports


def test_a_reader_who_replaces_the_sheet_moves_what_they_can_read_and_the_rest_follows_at_sign_in(client, cast):
    old_sheet_key, second, reports = setup_place(cast)
    old = RecoveryKey.objects.get(school=cast.school)
    assert copies_on(old) == {r.pk for r in reports}
    MembershipFactory(user=cast.counselor, school=cast.school, role=Role.SCHOOL_ADMIN)  # a counselor who is also admin
    mfa_login(client, cast.counselor)

    answer = client.post("/en" + recovery_url(cast), {"action": "replace", "understood": "on"})
    assert answer.status_code == 200
    page = answer.content.decode()
    new_sheet = sheet_of(page)
    assert "3 reports were moved to this new sheet" in page
    assert "1 report could not be moved" in page
    new = RecoveryKey.objects.get(school=cast.school, replaced_at=None)
    assert copies_on(new) == {r.pk for r in reports[:3]}
    assert copies_on(RecoveryKey.objects.get(pk=old.pk)) == {reports[3].pk}  # kept, marked replaced
    assert RecoveryKey.objects.get(pk=old.pk).replaced_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECOVERY_REPLACED)
    assert event.actor == cast.counselor and event.detail == "3:1"
    assert new_sheet.replace(" ", "") not in str(list(RecoveryKey.objects.values()))
    assert "receipt-group" not in client.get(recovery_url(cast)).content.decode()  # shown once
    assert "1 report is still sealed only to the old" in client.get("/en" + recovery_url(cast)).content.decode()

    # The second counselor signs in with the password: their key moves the last report.
    give_totp(second)
    assert Client().post("/accounts/login/", {"login": second.email, "password": PASSWORD}).status_code == 302
    assert copies_on(new) == {r.pk for r in reports}
    assert not RecoveryKey.objects.filter(pk=old.pk).exists()  # gone with its last copy
    assert SealedReportKey.objects.filter(recovery__isnull=False).count() == 4

    # The new sheet opens every report; the old one no longer matches this place.
    private = sealing.key_from_sheet(new_sheet, new.public_key)
    for copy in SealedReportKey.objects.filter(recovery=new):
        sealing.open_key(private, copy.sealed_key)
    admin = mfa_login(Client(), cast.school_admin)
    answer = admin.post(
        recovery_url(cast),
        {"action": "use", "sheet": sealing.sheet_text(old_sheet_key), "person": str(second.pk)},
    )
    assert answer.status_code == 400


def test_an_admin_who_reads_nothing_replaces_it_and_the_old_sheet_still_opens_what_was_left(client, cast):
    old_sheet_key, second, reports = setup_place(cast)
    old = RecoveryKey.objects.get(school=cast.school)
    mfa_login(client, cast.school_admin)
    page = client.post("/en" + recovery_url(cast), {"action": "replace", "understood": "on"}).content.decode()
    sheet_of(page)
    assert "0 reports were moved" in page and "4 reports could not be moved" in page
    assert copies_on(old) == {r.pk for r in reports}
    new = RecoveryKey.objects.get(school=cast.school, replaced_at=None)
    assert copies_on(new) == set()

    # Typed back, the old sheet still gives access to what it holds.
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(user=newcomer, school=cast.school, role=Role.COUNSELOR)
    give_keys(newcomer)
    answer = client.post(
        recovery_url(cast),
        {"action": "use", "sheet": sealing.sheet_text(old_sheet_key), "person": str(newcomer.pk)},
    )
    assert answer.status_code == 302
    assert SealedReportKey.objects.filter(holder=newcomer).count() == 4


def test_replacing_needs_the_box_ticked_and_changes_nothing_without_it(client, cast):
    setup_place(cast)
    mfa_login(client, cast.school_admin)
    rows = (RecoveryKey.objects.count(), SealedReportKey.objects.count())
    answer = client.post("/en" + recovery_url(cast), {"action": "replace"})
    assert answer.status_code == 400 and "Tick the box" in answer.content.decode()
    assert "receipt-group" not in answer.content.decode()
    assert (RecoveryKey.objects.count(), SealedReportKey.objects.count()) == rows
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RECOVERY_REPLACED).exists()


def test_a_place_without_a_sheet_has_nothing_to_replace(client, cast):
    mfa_login(client, cast.school_admin)
    answer = client.post(recovery_url(cast), {"action": "replace", "understood": "on"})
    assert answer.status_code == 400
    assert not RecoveryKey.objects.exists()
