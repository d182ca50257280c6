"""Reads for the counselors' inbox, the case page, statistics and the audit
trail, written so that the number of queries does not grow with the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.permissions import roles_of
from schools.models import Role

from . import keys, permissions
from .models import (
    AuditEvent,
    CaseEvent,
    CaseTag,
    Category,
    ClosingReason,
    IncidentReport,
    ReplyTemplate,
    Routing,
    SpamReason,
    Status,
)

INBOX_PAGE_SIZE = 25
ENCRYPTED_REPORT_FIELDS = ("details", "contact", "room_link", "account_handle", "platform_other")
SUPPRESS_BELOW = 5


@dataclass
class InboxPage:
    reports: list[IncidentReport]
    number: int
    has_previous: bool
    has_next: bool


def inbox(
    *,
    user,
    status: str = "",
    urgency: int | None = None,
    category: str = "",
    spam: str = "",
    tag: int | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> QuerySet:
    """The reports a counselor may read, urgent first, then newest. Reports
    that look like a program's output come last (or not at all), so a flood of
    them never pushes a real report off the first page; reports held as a
    possible flood come after the unmarked ones of the same urgency. Content
    stays encrypted: the inbox never decrypts it."""
    reports = permissions.visible_reports(user)
    if status == "":
        reports = reports.exclude(status=Status.CLOSED)
    elif status != "all":
        reports = reports.filter(status=status)
    if urgency is not None:
        reports = reports.filter(urgency=urgency)
    if category:
        reports = reports.filter(category=category)
    if spam == "hide":
        reports = reports.filter(bot_suspect=False, spam_reason="")
    elif spam == "only":
        reports = reports.exclude(spam_reason="")
    elif spam == SpamReason.FLOOD:
        reports = reports.filter(spam_reason=SpamReason.FLOOD)
    if tag is not None:
        reports = reports.filter(tags=tag)
    if received_from is not None:
        reports = reports.filter(created_at__gte=_start_of(received_from))
    if received_to is not None:
        reports = reports.filter(created_at__lt=_start_of(received_to + timedelta(days=1)))
    held = Case(When(spam_reason=SpamReason.FLOOD, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        reports.select_related("school", "assigned_to")
        .prefetch_related(Prefetch("tags", queryset=CaseTag.objects.only("pk", "name")))
        .defer(*ENCRYPTED_REPORT_FIELDS, "receipt_hash", "receipt_lookup", "duplicate_key")
        .annotate(held_as_flood=held)
        .order_by("bot_suspect", "urgency", "held_as_flood", "-created_at", "-id")
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def inbox_tags(*, user) -> list[CaseTag]:
    """The tags of the schools this person counsels (district officers have none)."""
    school_ids = roles_of(user).school_ids(Role.COUNSELOR)
    if not school_ids:
        return []
    return list(CaseTag.objects.filter(school_id__in=school_ids).select_related("school").order_by("name", "id"))


def school_tags(school_id: int) -> list[CaseTag]:
    return list(CaseTag.objects.filter(school_id=school_id))


def school_templates(school_id: int) -> list[ReplyTemplate]:
    return list(ReplyTemplate.objects.filter(school_id=school_id))


def counseled_schools(user) -> list:
    """The schools whose templates and tags this person keeps (their counselors)."""
    from schools.models import School

    return list(School.objects.filter(pk__in=roles_of(user).school_ids(Role.COUNSELOR)).order_by("name"))


def held_as_flood(*, user) -> int:
    """Open reports held as a possible flood, for the inbox's notice."""
    reports = permissions.visible_reports(user).exclude(status=Status.CLOSED)
    return reports.filter(spam_reason=SpamReason.FLOOD).count()


MAX_PAGE = 100_000


def page_rows(rows: QuerySet, number: int, size: int) -> tuple[list, int, bool]:
    """One page of ``rows`` (the rows, the page's number, whether more follow)
    without counting every row. Any page number is answered: below 1 is the
    first page, past the end (or absurdly large) is the last one, which then
    costs one count more."""
    number = min(max(1, number), MAX_PAGE)
    found = list(rows[(number - 1) * size : number * size + 1])
    if not found and number > 1:
        number = max(1, -(-rows.count() // size))
        found = list(rows[(number - 1) * size : number * size + 1])
    return found[:size], number, len(found) > size


def inbox_page(reports: QuerySet, number: int) -> InboxPage:
    """One page, one query whatever the size (two past the end)."""
    rows, number, has_next = page_rows(reports, number, INBOX_PAGE_SIZE)
    return InboxPage(reports=rows, number=number, has_previous=number > 1, has_next=has_next)


def case_detail(report: IncidentReport, keyring=None) -> dict:
    """The case's content opened with the counselor's keyring (``report`` is
    then the opened report for the template). Without a key to a sealed
    report, ``sealed_out`` is True and the texts say they are sealed."""
    # "thread", not "messages": that name belongs to Django's flash messages,
    # which the page layout shows ("The status was changed.").
    opened = keys.open_case(
        report,
        keyring,
        thread=report.messages.select_related("author"),
        notes=report.notes.select_related("author"),
        referrals=report.referrals.select_related("created_by"),
    )
    return {
        "report": opened.report,
        "thread": opened.thread,
        "notes": opened.notes,
        "referrals": opened.referrals,
        "sealed_out": not opened.readable,
        "case_tags": list(report.tags.all()),
    }


def case_history(report: IncidentReport) -> list[CaseEvent]:
    return list(report.events.select_related("actor", "assignee"))


def reporter_own_report(report: IncidentReport, reporter_key=None):
    """What the reporter wrote, opened with the key derived from their receipt
    for their own follow-up page only (never the contact they left: whoever
    holds the code reads this page)."""
    row = IncidentReport.objects.only(
        "category",
        "platform",
        "platform_other",
        "room_link",
        "account_handle",
        "when",
        "affected",
        "urgency",
        "details",
    ).get(pk=report.pk)
    key = keys.reporter_report_key(report, reporter_key)
    return keys.open_row(row, ("platform_other", "room_link", "account_handle", "details"), key)


def reporter_messages(report: IncidentReport, reporter_key=None) -> list:
    """What the reporter sees: the conversation, never the internal notes or
    the counselor's name."""
    key = keys.reporter_report_key(report, reporter_key)
    return keys.open_rows(report.messages.all(), keys.MESSAGE_TEXT_FIELDS, key)


# --- statistics ----------------------------------------------------------------------


@dataclass(frozen=True)
class StatCell:
    label: object
    count: int
    suppressed: bool


def _table(rows: list[tuple[object, int]]) -> list[StatCell]:
    """Cells of one table, each below 5 hidden. A table with one hidden cell
    hides its smallest shown cell too: the tables count the same reports,
    so the one hidden count could otherwise be worked out as another
    table's sum minus this table's shown cells."""
    hidden = {i for i, (_, count) in enumerate(rows) if count < SUPPRESS_BELOW}
    if len(hidden) == 1 and len(rows) > 1:
        hidden.add(min((i for i in range(len(rows)) if i not in hidden), key=lambda i: rows[i][1]))
    return [StatCell(label, count, i in hidden) for i, (label, count) in enumerate(rows)]


def _months_back(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def report_statistics(reports: QuerySet, *, months: int = 12) -> dict:
    """Counts by month (the last ``months``), category and status. Every row
    is always listed, and any count below 5 (zero included) is shown as
    "fewer than 5", so that a table never tells whether a rare thing
    happened. No totals are shown, and a lone hidden cell takes a second one
    with it (see _table): either would let a hidden cell be worked out.
    Reports that look like a program's output are not counted."""
    reports = reports.filter(bot_suspect=False).order_by()
    by_month_rows = (
        reports.annotate(month=TruncMonth("created_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("id"))
    )
    by_month = {}
    for row in by_month_rows:
        month = row["month"]
        if hasattr(month, "tzinfo") and timezone.is_aware(month):
            month = timezone.localtime(month)
        by_month[date(month.year, month.month, 1)] = row["n"]
    by_category = dict(reports.values_list("category").annotate(n=Count("id")))
    by_status = dict(reports.values_list("status").annotate(n=Count("id")))
    by_reason = dict(reports.filter(status=Status.CLOSED).values_list("closing_reason").annotate(n=Count("id")))
    return {
        "closing_reasons": _table([(label, by_reason.get(value, 0)) for value, label in ClosingReason.choices]),
        "months": _table([(month, by_month.get(month, 0)) for month in _months_back(timezone.localdate(), months)]),
        "categories": _table([(label, by_category.get(value, 0)) for value, label in Category.choices]),
        "statuses": _table([(label, by_status.get(value, 0)) for value, label in Status.choices]),
    }


def school_statistics_reports(school) -> QuerySet:
    # Staff-involved reports are the district's: counting them here could
    # tell a school's staff that someone reported them.
    return IncidentReport.objects.filter(school=school, routed_to=Routing.SCHOOL)


def district_statistics_reports(district) -> QuerySet:
    return IncidentReport.objects.filter(district=district)


# --- audit -------------------------------------------------------------------------


def audit_events(*, school=None, district=None) -> QuerySet:
    events = AuditEvent.objects.select_related("actor", "school")
    if school is not None:
        return events.filter(school=school, routed_to=Routing.SCHOOL)
    return events.filter(Q(district=district, routed_to=Routing.DISTRICT))
