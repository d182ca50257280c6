"""Times that could be lined up with a pupil's sign-in (issue 16): what is
stored about a report, its messages, notes, history and notifications is
kept to the minute (the id keeps the order), and the reporter's cookies do
not carry the second they were issued."""

import base64
import datetime
import struct
from email.utils import parsedate_to_datetime

from django.utils import timezone

from incidents import cases, reporter_sessions, services
from incidents.models import AuditEvent, CaseEvent, CaseMessage, CaseNote, IncidentReport, OutboxMessage

from .conftest import receipt_from, submit
from .test_followup import open_report, token_of

AT_SECONDS = datetime.datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=datetime.UTC)


def _stored_times():
    times = []
    for model, fields in (
        (IncidentReport, ("created_at", "response_due_at")),
        (CaseMessage, ("created_at",)),
        (CaseNote, ("created_at",)),
        (CaseEvent, ("at",)),
        (OutboxMessage, ("created_at", "sent_at", "last_attempt_at")),
        (AuditEvent, ("at",)),
    ):
        for row in model.objects.values_list(*fields):
            times += [(model.__name__, value) for value in row if value is not None]
    return times


def test_no_stored_time_of_a_report_and_its_case_has_seconds(client, cast, django_capture_on_commit_callbacks):
    submit(client, cast.school, django_capture_on_commit_callbacks)
    receipt = receipt_from(client)
    report = IncidentReport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        cases.report_send_message(report=report, body="We read it.", actor=cast.counselor)
        cases.report_add_note(report=report, body="note", actor=cast.counselor)
    reporter = client.__class__()
    token = token_of(open_report(reporter, receipt))
    with django_capture_on_commit_callbacks(execute=True):
        reporter.post("/report/follow-up/reply/", {"form_token": token, "body": "Thank you."})
    services.outbox_send_pending()
    times = _stored_times()
    kinds = {name for name, _ in times}
    assert kinds == {"IncidentReport", "CaseMessage", "CaseNote", "CaseEvent", "OutboxMessage", "AuditEvent"}
    assert [(name, value) for name, value in times if value.second or value.microsecond] == []


def test_services_given_a_precise_time_store_the_minute(cast):
    from .conftest import make_report

    report, _ = make_report(cast.school, now=AT_SECONDS)
    assert report.created_at == AT_SECONDS.replace(second=0, microsecond=0)
    message = services.reporter_reply(report=report, body="hello", now=AT_SECONDS)
    assert message.created_at.second == message.created_at.microsecond == 0
    # Order within a minute is kept by the id.
    later = services.reporter_reply(report=report, body="again", now=AT_SECONDS + datetime.timedelta(seconds=3))
    assert list(report.messages.values_list("pk", flat=True)) == [message.pk, later.pk]


def _fernet_time(token: str) -> int:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return struct.unpack(">Q", raw[1:9])[0]


def test_the_reporter_s_cookies_do_not_carry_the_second(client, cast, monkeypatch):
    monkeypatch.setattr(reporter_sessions, "now", lambda: 1_800_000_037)
    response = submit(client, cast.school)
    cookie = response.cookies["st_report_receipt"]
    assert _fernet_time(cookie.value) % 60 == 0
    assert not cookie["max-age"]  # max-age would count from the second it was set
    expires = parsedate_to_datetime(cookie["expires"])
    assert expires.second == 0
    assert expires.timestamp() == 1_800_000_000 + 15 * 60
    assert timezone.now()  # the clock of the rest of the site is untouched
