"""People change: grants from a colleague's session, access ended, and who
among one's colleagues still waits for access (the recovery sheet is in
``recovery``)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import permissions as account_permissions
from schools.models import Membership, Role

from .. import sealing
from ..models import AuditEvent, IncidentReport, PersonKey, SealedReportKey
from .people import audit_key

logger = logging.getLogger(__name__)

# --- people change ------------------------------------------------------------------------------


def _shared_reports(reader, other_user) -> Q:
    """Reports both may read: the scope of a grant."""
    from ..permissions import visible_reports_q

    return visible_reports_q(reader) & visible_reports_q(other_user)


@transaction.atomic
def grant_access(*, keyring, granter, to_user, now: datetime | None = None) -> int:
    """Seal every report key the granter's session can open, and the other
    person may read, to the other person's current public key."""
    now = timezone.now() if now is None else now
    target = PersonKey.objects.filter(user=to_user).first()
    if target is None or keyring is None:
        return 0
    reports = IncidentReport.objects.filter(_shared_reports(granter, to_user)).values("pk")
    theirs = SealedReportKey.objects.filter(holder=to_user, sealed_to=target.public_key).values("report_id")
    mine = SealedReportKey.objects.filter(
        holder_id=keyring.user_id, sealed_to=keyring.public, report_id__in=reports
    ).exclude(report_id__in=theirs)
    SealedReportKey.objects.filter(holder=to_user).exclude(sealed_to=target.public_key).delete()
    rows, places = [], defaultdict(int)
    for copy in mine.select_related("report"):
        try:
            key = sealing.open_key(keyring.private, copy.sealed_key)
        except sealing.SealingError:
            logger.warning("The sealed key of report %s is damaged: not granted.", copy.report_id)
            continue
        rows.append(
            SealedReportKey(
                report_id=copy.report_id,
                holder=to_user,
                sealed_to=target.public_key,
                sealed_key=sealing.seal_key(sealing.public_key(target.public_key), key),
                granted_by=granter,
                created_at=now,
            )
        )
        places[(copy.report.school_id, copy.report.district_id, copy.report.routed_to)] += 1
    SealedReportKey.objects.bulk_create(rows, ignore_conflicts=True)
    for place, count in places.items():
        audit_key(
            actor=granter, places=[place], action=AuditEvent.Action.GRANT, detail=f"{to_user.pk}:{count}", now=now
        )
    return len(rows)


def revoke_access(*, user, reports_q: Q | None = None, actor=None, now=None) -> int:
    """Delete this person's sealed copies (all, or of the reports matching
    ``reports_q``): they can read none of them from this moment."""
    copies = SealedReportKey.objects.filter(holder=user)
    if reports_q is not None:
        copies = copies.filter(report__in=IncidentReport.objects.filter(reports_q).values("pk"))
    places = defaultdict(int)
    for school_id, district_id, routed_to in copies.values_list(
        "report__school_id", "report__district_id", "report__routed_to"
    ):
        places[(school_id, district_id, routed_to)] += 1
    deleted, _ = copies.delete()
    for place, count in places.items():
        audit_key(actor=actor, places=[place], action=AuditEvent.Action.REVOKE, detail=f"{user.pk}:{count}", now=now)
    return deleted


def colleagues_waiting(*, keyring, user) -> list[dict]:
    """The other readers of this person's schools and offices, each with
    whether they have keys and how many of the reports this session can open
    they cannot. A few queries, whatever the number of reports."""
    User = get_user_model()
    roles = account_permissions.roles_of(user)
    counselor_ids = Membership.objects.filter(
        school_id__in=roles.school_ids(Role.COUNSELOR), role=Role.COUNSELOR
    ).values("user_id")
    people = list(
        User.objects.filter(Q(pk__in=counselor_ids) | Q(districts_as_safety_officer__in=roles.district_ids))
        .filter(is_active=True)
        .exclude(pk=user.pk)
        .select_related("report_key_pair")
        .distinct()
        .order_by("display_name", "pk")
    )
    if keyring is None:
        mine = set()
    else:
        mine = set(
            SealedReportKey.objects.filter(holder_id=keyring.user_id, sealed_to=keyring.public).values_list(
                "report_id", flat=True
            )
        )
    held = defaultdict(set)
    for holder_id, report_id, sealed_to in SealedReportKey.objects.filter(
        holder__in=[p.pk for p in people], report_id__in=mine
    ).values_list("holder_id", "report_id", "sealed_to"):
        held[(holder_id, sealed_to)].add(report_id)
    rows = []
    for person in people:
        pair = getattr(person, "report_key_pair", None)
        if pair is None:
            rows.append({"person": person, "has_key": False, "missing": None})
            continue
        visible = set(
            IncidentReport.objects.filter(_shared_reports(user, person), pk__in=mine).values_list("pk", flat=True)
        )
        rows.append({"person": person, "has_key": True, "missing": len(visible - held[(person.pk, pair.public_key)])})
    return rows
