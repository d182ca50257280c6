"""Nothing lost: the report and its notification are written in one
transaction; with the broker down the reporter still gets the receipt, and
the periodic task delivers the notification exactly once. Notifications
never contain report content."""

import pytest
from django.core import mail
from kombu.exceptions import OperationalError

from incidents import services, tasks
from incidents.models import IncidentReport, OutboxMessage
from tests.support.sealed import opened

from .conftest import make_report, receipt_from, submit


@pytest.fixture
def broker_down(monkeypatch):
    """The broker refuses; returns the keyword arguments of each attempt to queue."""
    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(kwargs)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_notification, "apply_async", unreachable)
    monkeypatch.setattr(tasks.send_notification, "delay", unreachable)
    return attempts


def test_with_the_broker_down_the_report_is_kept_and_sent_exactly_once(
    client, cast, broker_down, django_capture_on_commit_callbacks, caplog
):
    response = submit(client, cast.school, django_capture_on_commit_callbacks)
    assert response.status_code == 303
    # The reporter is not kept waiting on the broker: one attempt, whose own
    # retries wait well under a second in all (make bench times it: broker_down).
    (attempt,) = broker_down
    policy = attempt["retry_policy"]
    assert policy["max_retries"] * policy["interval_max"] < 1
    assert len(receipt_from(client)) == 16
    assert IncidentReport.objects.count() == 1
    message = OutboxMessage.objects.get()
    assert message.recipient == cast.counselor
    assert message.sent_at is None
    assert mail.outbox == []
    # The warning says which row, never what the report says.
    warning = next(r for r in caplog.records if "not queued" in r.getMessage())
    assert "Someone in my class" not in warning.getMessage()

    # The broker is back: the periodic task sends it…
    assert tasks.send_pending_notifications() == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 1
    # …and running again sends nothing more.
    assert tasks.send_pending_notifications() == 0
    assert tasks.send_notification(message.pk) is False
    assert len(mail.outbox) == 1


def test_with_the_broker_up_the_notification_goes_out_at_once(client, cast, django_capture_on_commit_callbacks):
    submit(client, cast.school, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().sent_at is not None
    assert tasks.send_pending_notifications() == 0


def test_the_email_never_contains_report_content(client, cast, django_capture_on_commit_callbacks):
    submit(client, cast.school, django_capture_on_commit_callbacks, contact="me@example.org")
    email = mail.outbox[0]
    report = opened(IncidentReport.objects.get(), cast.counselor)
    text = email.subject + email.body
    for content in (report.details, report.room_link, report.account_handle, report.contact, "telegram", "Telegram"):
        assert content not in text
    assert "http://127.0.0.1:8000/counsel/" in email.body or "/counsel/" in email.body
    assert email.to == [cast.counselor.email]


def test_the_email_is_in_the_recipient_s_language(cast, django_capture_on_commit_callbacks):
    cast.counselor.preferred_language = "en"
    cast.counselor.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school)
    email = mail.outbox[0]
    assert email.subject == "A new report for your school"
    assert "/en/counsel/" in email.body


def test_the_email_is_korean_by_default(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school)
    assert "신고" in mail.outbox[0].subject


def test_report_and_outbox_are_one_transaction(cast, monkeypatch):
    """If writing the notification fails, the report is not half-stored."""

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        make_report(cast.school)
    assert IncidentReport.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_a_failed_send_is_retried_by_the_periodic_task(cast, monkeypatch, django_capture_on_commit_callbacks):
    calls = {"n": 0}
    real_send = services.send_mail

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionRefusedError("smtp down")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school)
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.attempts == 1
    assert tasks.send_pending_notifications() == 1
    assert len(mail.outbox) == 1


def test_staff_involved_reports_notify_only_the_district(cast, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school, staff_involved="yes")
    assert [m.to for m in mail.outbox] == [[officer.email]]


def test_a_school_without_counselors_tells_its_admins(cast, django_capture_on_commit_callbacks):
    cast.counselor.memberships.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school)
    assert [m.to for m in mail.outbox] == [[cast.school_admin.email]]
    assert "/start/" in mail.outbox[0].body


def test_with_the_cache_down_too_the_reporter_gets_the_receipt_and_can_follow_up(
    client, cast, broker_down, settings, django_capture_on_commit_callbacks
):
    """The bench's "broker down" also takes the cache address away."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = submit(client, cast.school, django_capture_on_commit_callbacks)
    assert response.status_code == 303
    receipt = receipt_from(client)
    assert IncidentReport.objects.count() == 1
    assert client.post("/report/follow-up/", {"receipt": receipt}).status_code == 303
    assert client.get("/report/follow-up/case/").status_code == 200
    assert tasks.send_pending_notifications() == 1
