"""Response-time targets: one hour for urgent reports, one school day (24
weekday hours) for the others, until acknowledged; a missed target is
escalated once to the school admins and the other counselors."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from incidents import cases, services, tasks
from incidents.models import AuditEvent, IncidentReport, Status, Urgency
from tests.factories import MembershipFactory, UserFactory

from .conftest import make_report

SEOUL = ZoneInfo("Asia/Seoul")


def at(*args):
    return datetime(*args, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 3, 10, 9, 0), at(2026, 3, 11, 9, 0)),  # Tuesday → Wednesday
        (at(2026, 3, 13, 15, 0), at(2026, 3, 16, 15, 0)),  # Friday → Monday
        (at(2026, 3, 14, 10, 0), at(2026, 3, 17, 0, 0)),  # Saturday → Monday + 24 h
        (at(2026, 3, 15, 23, 0), at(2026, 3, 17, 0, 0)),  # Sunday night → Tuesday 00:00
    ],
)
def test_one_school_day_skips_weekends(start, expected):
    assert services.response_due(start, Urgency.SOON) == expected
    assert services.response_due(start, Urgency.NOT_URGENT) == expected


def test_urgent_is_one_hour_even_at_weekends():
    saturday = at(2026, 3, 14, 22, 30)
    assert services.response_due(saturday, Urgency.URGENT) == saturday + timedelta(hours=1)


@pytest.fixture
def second_counselor(cast):
    user = UserFactory(username="second-counselor")
    MembershipFactory(user=user, school=cast.school, role="counselor")
    return user


def test_a_missed_target_is_escalated_once(cast, second_counselor, django_capture_on_commit_callbacks):
    created = timezone.now() - timedelta(hours=2)
    report, _ = make_report(cast.school, urgency=Urgency.URGENT, category="threat", now=created)
    cases.report_assign(report=report, assignee=cast.counselor, actor=cast.counselor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue_reports() == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([cast.school_admin.email, second_counselor.email])
    for message in mail.outbox:
        assert "what happened" not in message.body
    report.refresh_from_db()
    assert report.escalated_at is not None
    assert AuditEvent.objects.filter(action="escalate", report_id=report.pk).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue_reports() == 0
    assert len(mail.outbox) == 2


def test_no_escalation_before_the_target_or_after_acknowledging(cast):
    fresh, _ = make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(minutes=30))
    late, _ = make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(hours=3))
    cases.report_change_status(report=late, to_status=Status.ACKNOWLEDGED, actor=cast.counselor)
    assert cases.reports_escalate_overdue() == 0
    assert cases.reports_escalate_overdue(now=timezone.now() + timedelta(hours=1)) == 1
    fresh.refresh_from_db()
    assert fresh.escalated_at is not None


def test_a_school_day_report_waits_a_school_day(cast):
    created = at(2026, 3, 13, 15, 0)  # Friday afternoon
    report, _ = make_report(cast.school, urgency=Urgency.SOON, now=created)
    assert cases.reports_escalate_overdue(now=at(2026, 3, 15, 12, 0)) == 0  # Sunday
    assert cases.reports_escalate_overdue(now=at(2026, 3, 16, 15, 1)) == 1  # Monday after 15:00


def test_district_cases_escalate_to_other_officers_not_to_the_school(cast, officer, django_capture_on_commit_callbacks):
    second = UserFactory(username="second-officer")
    cast.school.district.safety_officers.add(second)
    report, _ = make_report(cast.school, staff_involved="yes", now=timezone.now() - timedelta(days=5))
    cases.report_assign(report=report, assignee=officer, actor=officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cases.reports_escalate_overdue()
    assert [m.to for m in mail.outbox] == [[second.email]]


def test_bot_suspects_are_not_escalated(cast):
    make_report(cast.school, spam_reason="honeypot", now=timezone.now() - timedelta(days=5))
    assert cases.reports_escalate_overdue() == 0
    assert IncidentReport.objects.get().response_due_at is None
