"""The recovery sheet of a school (or an education office): made once and
shown once; typed back to re-seal reports to a reader who lost access;
replaced when lost or seen. Reports that a reader's session can open are
added to their place's current recovery key at every unlock."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from nacl.public import PrivateKey

from .. import sealing
from ..models import AuditEvent, IncidentReport, PersonKey, RecoveryKey, ReportSeal, Routing, SealedReportKey
from .people import audit_key
from .seals import _copies, _release, recovery_key_for

logger = logging.getLogger(__name__)


@transaction.atomic
def recover_access(*, recovery: RecoveryKey, recovery_private: PrivateKey, to_user, actor, now=None) -> int:
    """The recovery sheet, typed once: seal the report keys held for the
    recovery key to a reader who lost access (a forgotten password, a new
    counselor with no colleague). The sheet is never stored."""
    now = timezone.now() if now is None else now
    target = PersonKey.objects.filter(user=to_user).first()
    if target is None:
        return 0
    from ..permissions import visible_reports_q

    visible = IncidentReport.objects.filter(visible_reports_q(to_user)).values("pk")
    theirs = SealedReportKey.objects.filter(holder=to_user, sealed_to=target.public_key).values("report_id")
    held = SealedReportKey.objects.filter(recovery=recovery, report_id__in=visible).exclude(report_id__in=theirs)
    SealedReportKey.objects.filter(holder=to_user).exclude(sealed_to=target.public_key).delete()
    rows = []
    for copy in held:
        try:
            key = sealing.open_key(recovery_private, copy.sealed_key)
        except sealing.SealingError:
            logger.warning("The recovery copy of report %s is damaged: not re-sealed.", copy.report_id)
            continue
        rows.append(
            SealedReportKey(
                report_id=copy.report_id,
                holder=to_user,
                sealed_to=target.public_key,
                sealed_key=sealing.seal_key(sealing.public_key(target.public_key), key),
                granted_by=actor,
                created_at=now,
            )
        )
    SealedReportKey.objects.bulk_create(rows, ignore_conflicts=True)
    place = (
        (recovery.school_id, recovery.school.district_id, Routing.SCHOOL)
        if recovery.school_id
        else (_any_school(recovery.district_id), recovery.district_id, Routing.DISTRICT)
    )
    if place[0] is not None:
        audit_key(
            actor=actor, places=[place], action=AuditEvent.Action.RECOVER, detail=f"{to_user.pk}:{len(rows)}", now=now
        )
    return len(rows)


def _any_school(district_id):
    from schools.models import School

    return School.objects.filter(district_id=district_id).order_by("pk").values_list("pk", flat=True).first()


@transaction.atomic
def recovery_key_create(*, school=None, district=None, actor, now=None, audit: bool = True) -> PrivateKey:
    """A new recovery key for a school (or an education office): only the
    public half is stored; the private half goes on the sheet, shown once.
    Escrowed reports of the place are sealed to it at once."""
    now = timezone.now() if now is None else now
    key = sealing.new_key_pair()
    RecoveryKey.objects.create(
        school=school, district=district, public_key=sealing.public_text(key), created_by=actor, created_at=now
    )
    place, reports_q = _place(school, district)
    seals = ReportSeal.objects.filter(report__in=IncidentReport.objects.filter(reports_q).values("pk"))
    if audit and place[0] is not None:
        audit_key(actor=actor, places=[place], action=AuditEvent.Action.RECOVERY_SHEET, now=now)
    _release(seals.exclude(escrow=""), now)
    return key


@transaction.atomic
def add_missing_recovery_copies(*, keyring, now=None, reports_q: Q | None = None) -> int:
    """Reports this session can open (of ``reports_q``, or all) that are not
    sealed to their place's current recovery key (they arrived before the
    sheet was made, or the sheet was replaced since): seal them to it, and
    delete their copies on a replaced key (``_drop_replaced_copies``). Runs at
    every unlock. One query for the copies, one per place for its key."""
    now = timezone.now() if now is None else now
    covered = SealedReportKey.objects.filter(recovery__isnull=False, recovery__replaced_at__isnull=True).values(
        "report_id"
    )
    mine = (
        SealedReportKey.objects.filter(holder_id=keyring.user_id, sealed_to=keyring.public)
        .exclude(report_id__in=covered)
        .select_related("report")
    )
    if reports_q is not None:
        mine = mine.filter(report__in=IncidentReport.objects.filter(reports_q).values("pk"))
    rows, recoveries = [], {}
    for copy in mine:
        report = copy.report
        place = (report.routed_to, report.district_id if report.routed_to == Routing.DISTRICT else report.school_id)
        if place not in recoveries:
            recoveries[place] = recovery_key_for(report)
        if recoveries[place] is None:
            continue
        try:
            key = sealing.open_key(keyring.private, copy.sealed_key)
        except sealing.SealingError:
            continue
        rows.extend(_copies(report, key, readers=[], recovery=recoveries[place], now=now))
    SealedReportKey.objects.bulk_create(rows, ignore_conflicts=True)
    _drop_replaced_copies([row.report_id for row in rows])
    return len(rows)


def _drop_replaced_copies(report_ids) -> None:
    """Copies on replaced recovery keys of reports now sealed to the current
    one are deleted; a replaced key that holds no copy any more is deleted
    (its old sheet then opens nothing)."""
    if report_ids:
        SealedReportKey.objects.filter(report_id__in=report_ids, recovery__replaced_at__isnull=False).delete()
    RecoveryKey.objects.filter(replaced_at__isnull=False).exclude(
        pk__in=SealedReportKey.objects.filter(recovery__isnull=False).values("recovery_id")
    ).delete()


def _place(school, district) -> tuple[tuple, Q]:
    """The audit place of a recovery key, and the reports sealed to it."""
    if school is not None:
        return (school.pk, school.district_id, Routing.SCHOOL), Q(routed_to=Routing.SCHOOL, school=school)
    return (_any_school(district.pk), district.pk, Routing.DISTRICT), Q(routed_to=Routing.DISTRICT, district=district)


@transaction.atomic
def recovery_key_replace(*, school=None, district=None, actor, keyring, now=None) -> tuple[PrivateKey, int, int]:
    """A new recovery sheet for a place whose sheet was lost or seen. Every
    report of the place that the acting person's session can open is sealed
    to the new key and its copy on the old key deleted. Reports they cannot
    open keep their copy on the old key (it is kept, marked replaced) until a
    reader who can open them unlocks their key (``add_missing_recovery_copies``
    moves them then); the old key is deleted with its last copy. Returns the
    new key (for the sheet, shown once), the reports moved, and those left."""
    now = timezone.now() if now is None else now
    place, reports_q = _place(school, district)
    current = RecoveryKey.objects.filter(school=school, district=district, replaced_at=None)
    if not current.update(replaced_at=now):
        raise RecoveryKey.DoesNotExist("this place has no recovery sheet to replace")
    key = recovery_key_create(school=school, district=district, actor=actor, now=now, audit=False)
    moved = 0 if keyring is None else add_missing_recovery_copies(keyring=keyring, now=now, reports_q=reports_q)
    _drop_replaced_copies([])
    place_reports = IncidentReport.objects.filter(reports_q).values("pk")
    left = (
        SealedReportKey.objects.filter(recovery__replaced_at__isnull=False, report__in=place_reports)
        .values("report_id")
        .distinct()
        .count()
    )
    if place[0] is not None:
        action = AuditEvent.Action.RECOVERY_REPLACED
        audit_key(actor=actor, places=[place], action=action, detail=f"{moved}:{left}", now=now)
    return key, moved, left
