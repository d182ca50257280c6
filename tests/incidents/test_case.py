"""The case page: the decrypted report, messages, notes, status with allowed
transitions, assignment to a counselor of the school, referrals, and the
printable summary with its history."""

import pytest
from django.core import mail
from django.utils import timezone

from incidents import cases, services
from incidents.models import ALLOWED_TRANSITIONS, CaseEvent, IncidentReport, Referral, Status
from tests.conftest import mfa_login
from tests.factories import MembershipFactory, UserFactory
from tests.support.sealed import report_reader, text

from .conftest import make_report


@pytest.fixture
def report(cast):
    return make_report(cast.school, contact="reach-me@example.org")[0]


@pytest.fixture
def counselor_client(client, cast):
    return mfa_login(client, cast.counselor)


def test_the_case_page_shows_the_decrypted_report(counselor_client, report):
    html = counselor_client.get(f"/counsel/reports/{report.pk}/").content.decode()
    assert "what happened" in html
    assert "reach-me@example.org" in html
    assert "@someone" in html


def test_status_moves_only_along_allowed_transitions(counselor_client, report):
    url = f"/counsel/reports/{report.pk}/status/"
    assert counselor_client.post(url, {"status": "acknowledged"}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    assert report.acknowledged_at is not None
    assert report.response_due_at is None
    # acknowledged → new is not a transition; reopened needs a closed case.
    assert counselor_client.post(url, {"status": "new"}).status_code == 400
    assert counselor_client.post(url, {"status": "reopened"}).status_code == 400
    assert counselor_client.post(url, {"status": "bogus"}).status_code == 400
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    close = f"/counsel/reports/{report.pk}/close/"
    for step in ("investigating", "referred", "closed", "reopened", "closed"):
        if step == "closed":  # closing has its own form, which asks why
            response = counselor_client.post(close, {"closing_reason": "supported"})
        else:
            response = counselor_client.post(url, {"status": step})
        assert response.status_code == 302, step
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.closed_at is not None


def test_every_status_offers_only_its_transitions(cast):
    report, _ = make_report(cast.school)
    for status, allowed in ALLOWED_TRANSITIONS.items():
        report.status = status
        assert report.allowed_next_statuses() == allowed
    assert Status.CLOSED in ALLOWED_TRANSITIONS[Status.NEW]
    assert ALLOWED_TRANSITIONS[Status.CLOSED] == (Status.REOPENED,)


def test_assignment_only_to_counselors_of_that_school(counselor_client, cast, report):
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, school=cast.school, role="counselor")
    url = f"/counsel/reports/{report.pk}/assign/"
    assert counselor_client.post(url, {"assignee": str(colleague.pk)}).status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == colleague
    for outsider in (cast.other_counselor, cast.teacher, cast.school_admin):
        assert counselor_client.post(url, {"assignee": str(outsider.pk)}).status_code == 400
    report.refresh_from_db()
    assert report.assigned_to == colleague
    assert counselor_client.post(url, {"assignee": ""}).status_code == 302
    report.refresh_from_db()
    assert report.assigned_to is None


def test_a_message_reaches_the_reporter_and_acknowledges(counselor_client, report):
    response = counselor_client.post(
        f"/counsel/reports/{report.pk}/message/", {"body": "We read it. You are safe here."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    assert text(report, report.messages.get().body, report_reader(report)) == "We read it. You are safe here."


def test_notes_stay_internal(counselor_client, report):
    assert counselor_client.post(f"/counsel/reports/{report.pk}/note/", {"note": "call parents?"}).status_code == 302
    assert text(report, report.notes.get().body, report_reader(report)) == "call parents?"


def test_referrals_are_recorded(counselor_client, report):
    today = timezone.localdate().isoformat()
    response = counselor_client.post(
        f"/counsel/reports/{report.pk}/referral/",
        {"agency": "support_center", "referred_on": today, "referral_note": "removal requested"},
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (
        referral.agency == "support_center"
        and text(report, referral.note, report_reader(report)) == "removal requested"
    )


def test_bad_case_input_is_explained_and_kept(counselor_client, report):
    long_note = "메모" * 2001
    response = counselor_client.post(f"/counsel/reports/{report.pk}/note/", {"note": long_note})
    assert response.status_code == 200
    assert long_note in response.content.decode()
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    response = counselor_client.post(
        f"/counsel/reports/{report.pk}/referral/", {"agency": "police", "referred_on": future, "referral_note": "kept"}
    )
    assert response.status_code == 200
    assert "kept" in response.content.decode()
    forged = counselor_client.post(
        f"/counsel/reports/{report.pk}/referral/", {"agency": "fbi", "referred_on": "2026-01-01"}
    )
    assert forged.status_code == 400
    assert Referral.objects.count() == 0 and report.notes.count() == 0


def test_the_printable_summary_has_the_history(counselor_client, cast, report):
    cases.report_change_status(report=report, to_status=Status.ACKNOWLEDGED, actor=cast.counselor)
    cases.report_assign(report=report, assignee=cast.counselor, actor=cast.counselor)
    cases.report_send_message(report=report, body="hello", actor=cast.counselor)
    services.reporter_reply(report=report, body="thanks")
    response = counselor_client.get(f"/counsel/reports/{report.pk}/print/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "what happened" in html
    assert html.count("<tr>") >= CaseEvent.objects.filter(report=report).count()
    assert "thanks" in html and "hello" in html
    assert "@media print" not in html  # print rules live in the stylesheet
    assert "incidents.css" in html


def test_a_reporter_message_notifies_the_assigned_counselor_without_content(
    cast, report, django_capture_on_commit_callbacks
):
    cases.report_assign(report=report, assignee=cast.counselor, actor=cast.counselor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reporter_reply(report=IncidentReport.objects.get(pk=report.pk), body="secret follow-up words")
    assert [m.to for m in mail.outbox] == [[cast.counselor.email]]
    assert "secret follow-up words" not in mail.outbox[0].body
