"""Writes of the incident channel: submitting a report, the counselor's case
actions, notifications through the outbox, escalation and retention.

Every function here takes plain values (no request), is keyword-only and runs
in one transaction, so that a report and its notifications, or a case change
and its audit row, are written together or not at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from edu_platform.ratelimit import keyed_hash
from edu_platform.urls_public import public_url
from schools.models import Membership, Role, School

from . import keys, push, ratelimit, receipts, tasks  # tasks import this module too: a service and its own tasks
from .models import (
    BOT_REASONS,
    AuditEvent,
    CaseEvent,
    CaseMessage,
    Category,
    IncidentReport,
    OutboxMessage,
    Routing,
    SpamReason,
    StaffInvolved,
    Status,
    Urgency,
)
from .permissions import assignable_staff

logger = logging.getLogger(__name__)

SCHOOL_DAY_HOURS = 24
MAX_SEND_ATTEMPTS = 20
# A short retry when handing a task to the broker: if it is down, the report
# page must still answer within a second or two; the outbox catches up.
QUEUE_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


class CaseError(Exception):
    """A case action that the case does not allow (a forged form value)."""


def to_minute(moment: datetime) -> datetime:
    """Times of a report, its messages, notes, history, audit trail and
    notifications are stored to the minute: a time to the second could be
    lined up with a pupil's sign-in. Their ids keep the order within a minute."""
    return moment.replace(second=0, microsecond=0)


# --- response targets ----------------------------------------------------------


def add_weekday_hours(start: datetime, hours: float) -> datetime:
    """``start`` plus ``hours`` of weekday time, in the platform's time zone:
    Saturdays and Sundays do not count."""
    current = timezone.localtime(start)
    remaining = timedelta(hours=hours)
    while remaining > timedelta(0):
        if current.weekday() >= 5:
            days_to_monday = 7 - current.weekday()
            current = (current + timedelta(days=days_to_monday)).replace(hour=0, minute=0, second=0, microsecond=0)
            continue
        next_midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        step = min(remaining, next_midnight - current)
        current += step
        remaining -= step
    return current


def urgent_promise() -> str:
    """The promise for urgent reports in words ("within one hour"): the same
    setting, INCIDENT_URGENT_RESPONSE_MINUTES, as the escalation timer."""
    minutes = settings.INCIDENT_URGENT_RESPONSE_MINUTES
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("within one hour", "within %(count)d hours", hours) % {"count": hours}
    return ngettext("within %(count)d minute", "within %(count)d minutes", minutes) % {"count": minutes}


def response_due(start: datetime, urgency: int) -> datetime:
    """The urgent target for urgent reports, at any time; one school day otherwise."""
    if urgency == Urgency.URGENT:
        return start + timedelta(minutes=settings.INCIDENT_URGENT_RESPONSE_MINUTES)
    return add_weekday_hours(start, SCHOOL_DAY_HOURS)


# --- who hears about a report -----------------------------------------------------


def _superusers():
    return list(get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("id"))


def _school_admins(school_id: int):
    User = get_user_model()
    ids = Membership.objects.filter(school_id=school_id, role=Role.SCHOOL_ADMIN).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("id"))


def report_recipients(report: IncidentReport) -> tuple[list, str]:
    """The people told about a new report, and the kind of message.

    Staff-involved reports go to the district's safety officers only. When
    nobody is set up to read a report, the school admins (or, for district
    cases, the platform's operators) are told so, without content."""
    staff = list(assignable_staff(report))
    if staff:
        return staff, OutboxMessage.Kind.NEW_REPORT
    if report.routed_to == Routing.SCHOOL:
        admins = _school_admins(report.school_id)
        if admins:
            return admins, OutboxMessage.Kind.UNHANDLED
    return _superusers(), OutboxMessage.Kind.UNHANDLED


def _district_officers(school_id: int) -> list:
    district_id = School.objects.filter(pk=school_id).values("district_id")
    return list(get_user_model().objects.filter(districts_as_safety_officer__in=district_id, is_active=True))


def escalation_recipients(report: IncidentReport) -> list:
    """The school admins and the counselors other than the one assigned, and
    for urgent reports the district's safety officers too; for district cases
    the other safety officers (never the school's staff)."""
    staff = [user for user in assignable_staff(report) if user.pk != report.assigned_to_id]
    if report.routed_to == Routing.SCHOOL:
        officers = _district_officers(report.school_id) if report.urgency == Urgency.URGENT else []
        people = {user.pk: user for user in [*_school_admins(report.school_id), *staff, *officers]}
        recipients = list(people.values())
    else:
        recipients = staff
    return recipients or _superusers()


def notify(
    *,
    recipients: Iterable,
    kind: str,
    routed_to: str,
    urgent: bool = False,
    now: datetime | None = None,
    school_id: int | None = None,
) -> list[int]:
    """Write outbox rows (in the caller's transaction) and queue them once it
    commits. A recipient who still has an unsent message of the same kind
    (about the same school, when one is named) gets no second one: the email
    says only "look at your inbox" (an urgent report makes the waiting one urgent)."""
    now = to_minute(now or timezone.now())
    recipient_ids = {user.pk for user in recipients}
    pending = OutboxMessage.objects.filter(
        recipient_id__in=recipient_ids, kind=kind, sent_at__isnull=True, school_id=school_id
    )
    waiting = set(pending.values_list("recipient_id", flat=True))
    if urgent and waiting:
        pending.filter(urgent=False).update(urgent=True)
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                recipient_id=user_id, kind=kind, routed_to=routed_to, urgent=urgent, school_id=school_id, created_at=now
            )
            for user_id in sorted(recipient_ids - waiting)
        ]
    )
    ids = [message.pk for message in messages]
    if ids:
        transaction.on_commit(lambda: queue_notifications(ids))
    return ids


def queue_notifications(message_ids: list[int]) -> None:
    """Hand the sends to Celery. If the broker is unreachable nothing is lost:
    the rows stay unsent and the periodic task sends them."""
    for message_id in message_ids:
        try:
            tasks.send_notification.apply_async(args=[message_id], retry=True, retry_policy=QUEUE_RETRY_POLICY)
        except Exception as exc:  # noqa: BLE001 - any broker failure: the outbox task catches up
            logger.warning(
                "Notification %s was not queued (%s); the periodic outbox task will send it.",
                message_id,
                type(exc).__name__,
            )


def _render_notification(message: OutboxMessage) -> tuple[str, str]:
    recipient = message.recipient
    language = recipient.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        link_name = "counsel_home" if message.kind != OutboxMessage.Kind.UNHANDLED else "role_home"
        context = {
            "kind": message.kind,
            "district": message.routed_to == Routing.DISTRICT,
            "link": public_url(reverse(link_name)),
            "name": recipient.get_short_name(),
            "urgent": message.urgent,
            "promise": urgent_promise(),
            "school": message.school.name if message.school_id else "",
        }
        subject = render_to_string("incidents/email/notification_subject.txt", context).strip()
        body = render_to_string("incidents/email/notification_body.txt", context)
    return subject, body


def outbox_send(*, message_id: int, now: datetime | None = None) -> bool:
    """Send one notification at most once.

    The row is locked with SKIP LOCKED, so a second worker (the on-commit
    task and the periodic task may race) skips it instead of waiting, and it
    is marked sent in the same transaction. Returns True if it was sent now."""
    now = to_minute(now or timezone.now())
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        message.last_attempt_at = now
        if not message.recipient.email:
            logger.warning("Notification %s has a recipient without an email address; dropped.", message.pk)
            message.sent_at = now
            message.save(update_fields=["attempts", "last_attempt_at", "sent_at"])
            return False
        subject, body = _render_notification(message)
        try:
            send_mail(subject, body, None, [message.recipient.email])
        except Exception:  # noqa: BLE001 - any mail failure: retried by the periodic task
            logger.warning("Notification %s could not be sent (attempt %s).", message.pk, message.attempts)
            message.save(update_fields=["attempts", "last_attempt_at"])
            return False
        message.sent_at = now
        message.save(update_fields=["attempts", "last_attempt_at", "sent_at"])
    # After the row is marked sent and unlocked: the browser push (no content)
    # for a counselor who opted in. Its failure never undoes the email.
    push.send_to_user(user=message.recipient, urgent=message.urgent)
    return True


def outbox_send_pending(*, now: datetime | None = None, batch: int = 500) -> int:
    """Send what is still unsent (the broker was down, a send failed)."""
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_SEND_ATTEMPTS)
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    return sum(1 for message_id in ids if outbox_send(message_id=message_id, now=now))


# --- audit -------------------------------------------------------------------------


def audit(*, actor, report: IncidentReport, action: str, detail: str = "", now: datetime | None = None) -> None:
    AuditEvent.objects.create(
        actor=actor,
        school_id=report.school_id,
        district_id=report.district_id,
        routed_to=report.routed_to,
        report_id=report.pk,
        action=action,
        detail=detail,
        at=to_minute(now or timezone.now()),
    )


# --- the reporter --------------------------------------------------------------------


def report_submit(
    *,
    school: School,
    category: str,
    platform: str,
    platform_other: str,
    room_link: str,
    account_handle: str,
    when: str,
    affected: str,
    staff_involved: str,
    urgency: int | None,
    details: str,
    contact: str,
    spam_reason: str = SpamReason.NONE,
    now: datetime | None = None,
) -> tuple[IncidentReport, str | None]:
    """Store a report and its notifications in one transaction; return the
    report and its receipt (which exists nowhere else from here on).

    The same report sent again within a minute (same school, same answers)
    is not stored twice: the first report comes back with ``None`` for the
    receipt. The unique ``duplicate_key`` makes this hold for concurrent
    posts too."""
    now = to_minute(now or timezone.now())
    content = {
        "category": category,
        "platform": platform,
        "platform_other": platform_other,
        "room_link": room_link,
        "account_handle": account_handle,
        "when": when,
        "affected": affected,
        "staff_involved": staff_involved,
        "urgency": urgency,
        "details": details,
        "contact": contact,
    }
    duplicate_key, previous_minute_key = report_duplicate_keys(school_id=school.pk, content=content, now=now)
    earlier = IncidentReport.objects.filter(duplicate_key__in=(duplicate_key, previous_minute_key)).first()
    if earlier is not None:
        return earlier, None
    if category == Category.THREAT or urgency is None:
        # Blackmail in progress is always urgent, whatever was chosen.
        urgency = Urgency.URGENT if category == Category.THREAT else Urgency.SOON
    routed_to = Routing.DISTRICT if staff_involved == StaffInvolved.YES else Routing.SCHOOL
    bot_suspect = spam_reason in BOT_REASONS
    first_of_flood = False
    if not bot_suspect:
        count = ratelimit.count_school_report(school.pk)
        limit = ratelimit.school_reports_limit()
        if count > limit:
            spam_reason = SpamReason.FLOOD
            first_of_flood = count == limit + 1
    receipt = receipts.new_receipt()
    # Sealed: the report's own key pair; the content is sealed to it, and the
    # one Argon2id of the receipt gives both its check and the reporter's key.
    report_key = keys.new_report_key()
    reporter_key, receipt_hash = receipts.new_reporter_key(receipt)
    sealed = keys.seal_fields(report_key, {name: content[name] for name in keys.REPORT_TEXT_FIELDS})
    fields = {
        **content,
        **sealed,
        "urgency": urgency,
        "school": school,
        "district_id": school.district_id,
        "routed_to": routed_to,
        "receipt_lookup": receipts.lookup_key(receipt),
        "receipt_hash": receipt_hash,
        "spam_reason": spam_reason,
        "bot_suspect": bot_suspect,
        "duplicate_key": duplicate_key,
        "created_at": now,
        "response_due_at": None if bot_suspect else response_due(now, urgency),
    }
    try:
        report = _report_store(
            fields=fields,
            first_of_flood=first_of_flood,
            now=now,
            report_key=report_key,
            reporter_public=receipts.reporter_public_key(receipt_hash),
        )
    except IntegrityError:  # the same report, sent at the same moment, was stored first
        earlier = IncidentReport.objects.filter(duplicate_key=duplicate_key).first()
        if earlier is None:
            raise
        return earlier, None
    return report, receipt


def report_duplicate_keys(*, school_id: int, content: dict, now: datetime) -> tuple[str, str]:
    """The keyed hash of a report's content in this minute and in the one
    before (so "within a minute" holds across a minute's end)."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    minute = int(now.timestamp() // 60)
    return tuple(keyed_hash("report-duplicate", f"{school_id}:{bucket}:{text}") for bucket in (minute, minute - 1))


@transaction.atomic
def _report_store(
    *, fields: dict, first_of_flood: bool, now: datetime, report_key, reporter_public: str | None
) -> IncidentReport:
    report = IncidentReport.objects.create(**fields)
    keys.report_seal_new(report=report, key=report_key, reporter_public=reporter_public, now=now)
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.RECEIVED, to_status=Status.NEW, at=now)
    if report.bot_suspect:
        pass  # kept and visible in the inbox, but no email for a program's output
    elif report.spam_reason == SpamReason.FLOOD:
        if first_of_flood:
            recipients, _kind = report_recipients(report)
            notify(recipients=recipients, kind=OutboxMessage.Kind.FLOOD, routed_to=report.routed_to, now=now)
    else:
        recipients, kind = report_recipients(report)
        urgent = report.urgency == Urgency.URGENT
        notify(recipients=recipients, kind=kind, routed_to=report.routed_to, urgent=urgent, now=now)
    return report


def report_for_receipt(receipt: str) -> IncidentReport | None:
    """The report with this receipt, or None; costs one argon2 check either
    way, so the answer takes as long for an unknown code as for a wrong one."""
    return report_and_key_for_receipt(receipt)[0]


def report_and_key_for_receipt(receipt: str):
    """The report with this receipt and the reporter's private key derived
    from it (which opens the reporter's copy of the report's key), or
    (None, None). A report from before sealing gets its receipt check moved
    to the sealed form now, while the receipt is known: its reporter's copy
    is sealed by the next counselor who opens the case."""
    candidates = list(
        IncidentReport.objects.filter(receipt_lookup=receipts.lookup_key(receipt)).defer(
            "details", "contact", "room_link", "account_handle", "platform_other"
        )
    )
    if not candidates:
        receipts.verify_decoy(receipt)
        return None, None
    for report in candidates:
        if not receipts.is_legacy_hash(report.receipt_hash):
            key = receipts.reporter_key(receipt, report.receipt_hash)
            if key is not None:
                return report, key
        elif receipts.verify(receipt, report.receipt_hash):
            key, report.receipt_hash = receipts.new_reporter_key(receipt)
            IncidentReport.objects.filter(pk=report.pk).update(receipt_hash=report.receipt_hash)
            return report, key
    return None, None


def _reporter_wrote(report: IncidentReport, *, now: datetime) -> None:
    """After a reporter's message: count it as unread, reopen a closed case
    (the retention clock stops), and tell the staff without content."""
    report.unread_reporter_messages = min(report.unread_reporter_messages + 1, 30000)
    fields = ["unread_reporter_messages"]
    if report.status == Status.CLOSED:
        CaseEvent.objects.create(
            report=report, kind=CaseEvent.Kind.STATUS, from_status=Status.CLOSED, to_status=Status.REOPENED, at=now
        )
        report.status = Status.REOPENED
        report.closed_at = None
        report.escalated_at = None
        report.response_due_at = None if report.bot_suspect else response_due(now, report.urgency)
        fields += ["status", "closed_at", "escalated_at", "response_due_at"]
    report.save(update_fields=fields)
    if report.bot_suspect:
        return
    if report.assigned_to_id and report.assigned_to.is_active:
        recipients = [report.assigned_to]
    else:
        recipients, _kind = report_recipients(report)
    notify(recipients=recipients, kind=OutboxMessage.Kind.REPORTER_MESSAGE, routed_to=report.routed_to, now=now)


@transaction.atomic
def reporter_reply(*, report: IncidentReport, body: str, now: datetime | None = None) -> CaseMessage:
    now = to_minute(now or timezone.now())
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    message = CaseMessage.objects.create(
        report=report,
        sender=CaseMessage.Sender.REPORTER,
        kind=CaseMessage.Kind.REPLY,
        created_at=now,
        **keys.seal_for_report(report, {"body": body, "link": "", "handle": ""}),
    )
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.REPORTER_MESSAGE, at=now)
    _reporter_wrote(report, now=now)
    return message


@transaction.atomic
def reporter_add_info(
    *, report: IncidentReport, link: str, handle: str, body: str, now: datetime | None = None
) -> CaseMessage:
    now = to_minute(now or timezone.now())
    report = IncidentReport.objects.select_for_update().get(pk=report.pk)
    message = CaseMessage.objects.create(
        report=report,
        sender=CaseMessage.Sender.REPORTER,
        kind=CaseMessage.Kind.INFO,
        created_at=now,
        **keys.seal_for_report(report, {"body": body, "link": link, "handle": handle}),
    )
    CaseEvent.objects.create(report=report, kind=CaseEvent.Kind.REPORTER_INFO, at=now)
    _reporter_wrote(report, now=now)
    return message


# --- periodic work -------------------------------------------------------------------
