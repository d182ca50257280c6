"""Urgent reports (issue 16): the email's subject says urgent (never any
content); the reporter's promise and the escalation timer are one setting,
INCIDENT_URGENT_RESPONSE_MINUTES; an urgent report not acknowledged in time
goes to the district's safety officers too; the inbox shows how long each
report has waited and marks those past their promise."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone, translation

from incidents import cases, services
from incidents.models import Status, Urgency
from tests.conftest import mfa_login

from .conftest import make_report


def in_english(*users):
    for user in users:
        user.preferred_language = "en"
        user.save()


def test_an_urgent_reports_subject_says_urgent_and_nothing_else(cast, django_capture_on_commit_callbacks):
    in_english(cast.counselor)
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school, urgency=Urgency.URGENT, details="a secret only the reporter knows")
    (message,) = mail.outbox
    assert message.to == [cast.counselor.email]
    assert message.subject.startswith("Urgent:")
    assert "secret" not in message.subject + message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school, urgency=Urgency.SOON)
    assert "Urgent" not in mail.outbox[0].subject


def test_the_urgent_subject_in_korean(cast, django_capture_on_commit_callbacks):
    cast.counselor.preferred_language = "ko"
    cast.counselor.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school, urgency=Urgency.URGENT)
    assert mail.outbox[0].subject.startswith("긴급:")


def test_the_promise_and_the_timer_are_one_setting(cast, client, settings):
    settings.INCIDENT_URGENT_RESPONSE_MINUTES = 30
    start = timezone.now()
    assert services.response_due(start, Urgency.URGENT) == start + timedelta(minutes=30)
    html = client.get(f"/report/{cast.school.code}/").content.decode()
    assert "긴급한 신고는 30분 안에" in html
    settings.INCIDENT_URGENT_RESPONSE_MINUTES = 120
    html = client.get(f"/report/{cast.school.code}/").content.decode()
    assert "긴급한 신고는 2시간 안에" in html
    settings.INCIDENT_URGENT_RESPONSE_MINUTES = 60
    html = client.get(f"/report/{cast.school.code}/").content.decode()
    assert "긴급한 신고는 1시간 안에" in html
    with translation.override("en"):
        assert services.urgent_promise() == "within one hour"
        settings.INCIDENT_URGENT_RESPONSE_MINUTES = 30
        assert services.urgent_promise() == "within 30 minutes"


def test_an_unacknowledged_urgent_report_goes_to_the_district_officers(
    cast, officer, settings, django_capture_on_commit_callbacks
):
    settings.INCIDENT_URGENT_RESPONSE_MINUTES = 30
    in_english(officer)
    make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(minutes=40))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert cases.reports_escalate_overdue() == 1
    recipients = {m.to[0]: m for m in mail.outbox}
    assert officer.email in recipients
    assert cast.school_admin.email in recipients
    assert recipients[officer.email].subject.startswith("Urgent:")
    assert "what happened" not in recipients[officer.email].body


def test_a_late_ordinary_report_does_not_go_to_the_district(cast, officer, django_capture_on_commit_callbacks):
    make_report(cast.school, urgency=Urgency.SOON, now=timezone.now() - timedelta(days=5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert cases.reports_escalate_overdue() == 1
    assert officer.email not in [m.to[0] for m in mail.outbox]


def test_the_inbox_shows_the_wait_and_marks_reports_past_their_promise(cast, client):
    late, _ = make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(hours=3))
    answered, _ = make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(hours=3))
    cases.report_change_status(report=answered, to_status=Status.ACKNOWLEDGED, actor=cast.counselor)
    fresh, _ = make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(minutes=10))
    mfa_login(client, cast.counselor)
    html = client.get("/counsel/").content.decode()
    rows = {
        pk: html.split(f'href="/counsel/reports/{pk}/"')[1].split("</tr>")[0] for pk in (late.pk, answered.pk, fresh.pk)
    }
    assert 'class="past-promise"' in html.split(f'href="/counsel/reports/{late.pk}/"')[0].rsplit("<tr", 1)[1]
    assert "flag-past-promise" in rows[late.pk]
    assert "flag-past-promise" not in rows[answered.pk]
    assert "flag-past-promise" not in rows[fresh.pk]
    # Times are kept to the minute (rounded down), and a slow run may pass
    # into the next minute before the page renders.
    assert re.search(r"3시간(, [01]분)? 전", rows[late.pk])
    assert re.search(r"1[01]분 전", rows[fresh.pk])


def test_the_inbox_in_korean(cast, client):
    make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(hours=3))
    mfa_login(client, cast.counselor)
    html = client.get("/counsel/").content.decode()
    assert "약속한 시간 지남" in html
    assert "3시간 전" in html
