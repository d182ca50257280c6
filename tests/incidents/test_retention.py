"""Retention: closed cases are deleted INCIDENT_RETENTION_DAYS after closing;
the clock stops while a case is open or reopened; the deletion leaves only
id, school and dates."""

from datetime import timedelta

from django.utils import timezone

from incidents import cases, services, tasks
from incidents.models import AuditEvent, CaseMessage, DeletionRecord, IncidentReport, Status

from .conftest import make_report


def close(report, actor, when):
    cases.report_change_status(
        report=report, to_status=Status.CLOSED, closing_reason="supported", actor=actor, now=when
    )


def test_closed_cases_are_deleted_after_the_retention_period(cast, settings):
    settings.INCIDENT_RETENTION_DAYS = 365
    now = timezone.now()
    old, _ = make_report(cast.school, now=now - timedelta(days=800))
    services.reporter_reply(report=old, body="words")
    close(old, cast.counselor, now - timedelta(days=366))
    recent, _ = make_report(cast.school, now=now - timedelta(days=800))
    close(recent, cast.counselor, now - timedelta(days=364))
    still_open, _ = make_report(cast.school, now=now - timedelta(days=900))

    assert tasks.delete_expired_reports() == 1
    assert set(IncidentReport.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk}
    assert CaseMessage.objects.filter(report_id=old.pk).count() == 0
    record = DeletionRecord.objects.get()
    assert (record.report_id, record.school_id) == (old.pk, cast.school.pk)
    assert record.received_at == old.created_at
    assert AuditEvent.objects.filter(action="delete", report_id=old.pk, actor=None).count() == 1
    # The record has nothing but id, school and dates.
    assert {f.name for f in DeletionRecord._meta.concrete_fields} == {
        "id",
        "report_id",
        "school",
        "received_at",
        "closed_at",
        "deleted_at",
    }
    assert tasks.delete_expired_reports() == 0


def test_reopening_stops_the_clock_and_it_restarts_from_the_new_closing(cast, settings):
    settings.INCIDENT_RETENTION_DAYS = 30
    now = timezone.now()
    report, _ = make_report(cast.school, now=now - timedelta(days=100))
    close(report, cast.counselor, now - timedelta(days=90))
    cases.report_change_status(
        report=report, to_status=Status.REOPENED, actor=cast.counselor, now=now - timedelta(days=80)
    )
    assert cases.reports_delete_expired(now=now) == 0  # open: never deleted, however old
    close(report, cast.counselor, now - timedelta(days=10))
    assert cases.reports_delete_expired(now=now) == 0
    assert cases.reports_delete_expired(now=now + timedelta(days=21)) == 1


def test_the_default_is_one_year(monkeypatch):
    from edu_platform.settings.env import env_int

    monkeypatch.delenv("INCIDENT_RETENTION_DAYS", raising=False)
    source = open(__import__("edu_platform.settings.base").settings.base.__file__, encoding="utf-8").read()
    assert 'INCIDENT_RETENTION_DAYS = env_int("INCIDENT_RETENTION_DAYS", 365)' in source
    assert env_int("INCIDENT_RETENTION_DAYS", 365) == 365
