"""The counselor's case: status, assignment, messages to the reporter,
internal notes, referrals, reading it (audited), and the periodic work on
cases: escalation of missed response targets and deletion after retention.
What anyone writes is sealed to the report's own key (``incidents.keys``):
writing needs no key; reading needs the counselor's keyring. Deleting a
report after retention deletes its sealed keys with it (cascade), so its
content is unreadable from that moment, in every copy made afterwards.
Notifications and the audit log come from ``incidents.services``."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import keys, services  # the notifications and the audit log; services' tasks import this module
from .models import (
    AWAITING_RESPONSE,
    AuditEvent,
    CaseEvent,
    CaseMessage,
    CaseNote,
    CaseTag,
    ClosingReason,
    DeletionRecord,
    IncidentReport,
    OutboxMessage,
    Referral,
    Status,
    Urgency,
)
from .permissions import assignable_staff

logger = logging.getLogger(__name__)


def _locked(report: IncidentReport) -> IncidentReport:
    return IncidentReport.objects.select_for_update().get(pk=report.pk)


def _set_status(report: IncidentReport, to_status: str, *, actor, now: datetime, closing_reason: str = "") -> None:
    from_status = report.status
    if to_status not in report.allowed_next_statuses():
        raise services.CaseError(f"{from_status} cannot become {to_status}")
    if to_status == Status.CLOSED and closing_reason not in ClosingReason.values:
        raise services.CaseError("a case is closed with a reason")
    report.closing_reason = closing_reason if to_status == Status.CLOSED else ""
    if from_status in AWAITING_RESPONSE and to_status != Status.REOPENED:
        report.acknowledged_at = report.acknowledged_at or now
        report.response_due_at = None
    if to_status == Status.CLOSED:
        report.closed_at = now
        report.response_due_at = None
    if to_status == Status.REOPENED:
        # The retention clock stops; it starts again when the case closes.
        report.closed_at = None
    report.status = to_status
    report.save(update_fields=["status", "acknowledged_at", "response_due_at", "closed_at", "closing_reason"])
    CaseEvent.objects.create(
        report=report, kind=CaseEvent.Kind.STATUS, actor=actor, from_status=from_status, to_status=to_status, at=now
    )
    detail = f"{from_status}>{to_status}" + (f":{closing_reason}" if to_status == Status.CLOSED else "")
    services.audit(actor=actor, report=report, action=AuditEvent.Action.STATUS, detail=detail, now=now)


@transaction.atomic
def report_change_status(
    *, report: IncidentReport, to_status: str, actor, closing_reason: str = "", now: datetime | None = None
) -> None:
    """Move a case along ALLOWED_TRANSITIONS. Closing needs a ClosingReason."""
    if to_status not in Status.values:
        raise services.CaseError("unknown status")
    _set_status(
        _locked(report),
        to_status,
        actor=actor,
        now=services.to_minute(now or timezone.now()),
        closing_reason=closing_reason,
    )


@transaction.atomic
def report_assign(*, report: IncidentReport, assignee, actor, now: datetime | None = None) -> None:
    now = services.to_minute(now or timezone.now())
    report = _locked(report)
    if assignee is not None and not assignable_staff(report).filter(pk=assignee.pk).exists():
        raise services.CaseError("not a counselor of this case")
    report.assigned_to = assignee
    report.save(update_fields=["assigned_to"])
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.ASSIGNED, actor=actor, assignee=assignee, at=now)
    services.audit(actor=actor, report=report, action=AuditEvent.Action.ASSIGN, now=now)


@transaction.atomic
def report_send_message(*, report: IncidentReport, body: str, actor, now: datetime | None = None) -> CaseMessage:
    """A message the reporter reads with the receipt. Replying is also an
    acknowledgement: a new case becomes "acknowledged"."""
    now = services.to_minute(now or timezone.now())
    report = _locked(report)
    message = CaseMessage.objects.create(
        report=report,
        sender=CaseMessage.Sender.STAFF,
        author=actor,
        created_at=now,
        **keys.seal_for_report(report, {"body": body, "link": "", "handle": ""}),
    )
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.STAFF_MESSAGE, actor=actor, at=now)
    services.audit(actor=actor, report=report, action=AuditEvent.Action.MESSAGE, now=now)
    if report.status in AWAITING_RESPONSE:
        _set_status(report, Status.ACKNOWLEDGED, actor=actor, now=now)
    if report.unread_reporter_messages:
        report.unread_reporter_messages = 0
        report.save(update_fields=["unread_reporter_messages"])
    return message


@transaction.atomic
def report_add_note(*, report: IncidentReport, body: str, actor, now: datetime | None = None) -> CaseNote:
    now = services.to_minute(now or timezone.now())
    note = CaseNote.objects.create(
        report=report, author=actor, created_at=now, **keys.seal_for_report(report, {"body": body})
    )
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.NOTE, actor=actor, at=now)
    services.audit(actor=actor, report=report, action=AuditEvent.Action.NOTE, now=now)
    return note


@transaction.atomic
def report_add_referral(
    *, report: IncidentReport, agency: str, referred_on, note: str, actor, now: datetime | None = None
) -> Referral:
    """Record a referral; an open case that may become "referred" does."""
    now = services.to_minute(now or timezone.now())
    report = _locked(report)
    referral = Referral.objects.create(
        report=report,
        agency=agency,
        referred_on=referred_on,
        created_by=actor,
        created_at=now,
        **keys.seal_for_report(report, {"note": note}),
    )
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.REFERRAL, actor=actor, at=now)
    services.audit(actor=actor, report=report, action=AuditEvent.Action.REFERRAL, detail=agency, now=now)
    if Status.REFERRED in report.allowed_next_statuses():
        _set_status(report, Status.REFERRED, actor=actor, now=now)
    return referral


@transaction.atomic
def report_set_tags(*, report: IncidentReport, tags, actor, now: datetime | None = None) -> None:
    """Give a case exactly these tags (all of its school; the caller checks)."""
    now = services.to_minute(now or timezone.now())
    report = _locked(report)
    wanted = {tag.pk for tag in tags}
    if any(tag.school_id != report.school_id for tag in tags):
        raise services.CaseError("a tag of another school")
    through = CaseTag.reports.through
    current = set(through.objects.filter(incidentreport_id=report.pk).values_list("casetag_id", flat=True))
    if wanted == current:
        return
    through.objects.filter(incidentreport_id=report.pk, casetag_id__in=current - wanted).delete()
    through.objects.bulk_create(
        [through(incidentreport_id=report.pk, casetag_id=tag_id) for tag_id in sorted(wanted - current)]
    )
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.TAGS, actor=actor, at=now)
    services.audit(actor=actor, report=report, action=AuditEvent.Action.TAG, detail=f"{len(wanted)}", now=now)


def report_opened(*, report: IncidentReport, actor, printed: bool = False) -> None:
    """Someone read the report's content: services.audit it and clear the unread count."""
    services.audit(actor=actor, report=report, action=AuditEvent.Action.PRINT if printed else AuditEvent.Action.VIEW)
    if report.unread_reporter_messages and not printed:
        IncidentReport.objects.filter(pk=report.pk).update(unread_reporter_messages=0)


def reports_escalate_overdue(*, now: datetime | None = None) -> int:
    """Tell the school admins and the other counselors, once, about every
    report that was not acknowledged within its target; for an urgent one
    (INCIDENT_URGENT_RESPONSE_MINUTES) the district's safety officers too."""
    now = services.to_minute(now or timezone.now())
    overdue = IncidentReport.objects.filter(
        status__in=AWAITING_RESPONSE, response_due_at__lte=now, escalated_at__isnull=True, bot_suspect=False
    ).values_list("pk", flat=True)
    escalated = 0
    for pk in list(overdue):
        with transaction.atomic():
            report = (
                IncidentReport.objects.select_for_update()
                .filter(pk=pk, status__in=AWAITING_RESPONSE, escalated_at__isnull=True)
                .only(
                    "pk", "school_id", "district_id", "routed_to", "assigned_to_id", "status", "escalated_at", "urgency"
                )
                .first()
            )
            if report is None:
                continue
            report.escalated_at = now
            report.save(update_fields=["escalated_at"])
            CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.ESCALATED, at=now)
            services.audit(actor=None, report=report, action=AuditEvent.Action.ESCALATE, now=now)
            services.notify(
                recipients=services.escalation_recipients(report),
                kind=OutboxMessage.Kind.ESCALATION,
                routed_to=report.routed_to,
                urgent=report.urgency == Urgency.URGENT,
                now=now,
                school_id=report.school_id,
            )
            escalated += 1
    if escalated:
        logger.info("Escalated %d reports that missed their response target.", escalated)
    return escalated


def reports_delete_expired(*, now: datetime | None = None) -> int:
    """Delete closed cases older than INCIDENT_RETENTION_DAYS (counted from
    closing). Only the id, school and dates are kept, in a DeletionRecord."""
    now = services.to_minute(now or timezone.now())
    cutoff = now - timedelta(days=settings.INCIDENT_RETENTION_DAYS)
    expired = IncidentReport.objects.filter(status=Status.CLOSED, closed_at__lte=cutoff).values_list("pk", flat=True)
    deleted = 0
    for pk in list(expired):
        with transaction.atomic():
            report = (
                IncidentReport.objects.select_for_update()
                .filter(pk=pk, status=Status.CLOSED, closed_at__lte=cutoff)
                .only("pk", "school_id", "district_id", "routed_to", "created_at", "closed_at", "status")
                .first()
            )
            if report is None:
                continue
            DeletionRecord.objects.create(
                report_id=report.pk,
                school_id=report.school_id,
                received_at=report.created_at,
                closed_at=report.closed_at,
                deleted_at=now,
            )
            services.audit(actor=None, report=report, action=AuditEvent.Action.DELETE, now=now)
            IncidentReport.objects.filter(pk=report.pk).delete()
            deleted += 1
    if deleted:
        logger.info("Deleted %d closed reports after the retention period.", deleted)
    return deleted
