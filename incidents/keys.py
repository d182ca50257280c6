"""Who holds which key: the services of sealed reports.

* ``person_key_*``: a reader's key pair, made, unwrapped, re-wrapped or
  replaced with their password (``incidents.keyring`` calls these at sign-in
  and on password changes).
* ``report_seal_new`` / ``seal_for_report``: a new report's key, sealed to its
  current readers, the recovery key and the reporter; what is written later is
  sealed to the report's public key (no key is needed to write).
* ``open_case`` / ``open_for_reporter``: what a counselor's session or a
  receipt can read, opened for one page.
* ``grant_access``, ``recover_access``, ``revoke_access``: people change.

Key changes are written to the audit trail (``AuditEvent``), never a key.
See docs/sealing.md for what this protects against and what not.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from nacl.public import PrivateKey

from accounts import permissions as account_permissions
from schools.models import Membership, Role

from . import crypto, receipts, sealing
from .models import (
    AuditEvent,
    IncidentReport,
    PersonKey,
    RecoveryKey,
    ReportSeal,
    Routing,
    SealedReportKey,
)

logger = logging.getLogger(__name__)

REPORT_TEXT_FIELDS = ("platform_other", "room_link", "account_handle", "details", "contact")
MESSAGE_TEXT_FIELDS = ("body", "link", "handle")
NOTE_TEXT_FIELDS = ("body",)
REFERRAL_TEXT_FIELDS = ("note",)
SEALED_OUT = _("[Sealed: you have no key to this report yet]")
DAMAGED = _("[This text was changed or damaged in storage and cannot be opened]")


def password_kdf() -> sealing.KdfParams:
    time_cost, memory_cost = settings.INCIDENT_KEY_KDF
    return sealing.KdfParams(time_cost=time_cost, memory_cost=memory_cost)


def may_read_reports(user) -> bool:
    roles = account_permissions.roles_of(user)
    return bool(roles.school_ids(Role.COUNSELOR) or roles.district_ids)


def _now(now: datetime | None) -> datetime:
    return (now or timezone.now()).replace(second=0, microsecond=0)


# --- the audit trail of key changes ------------------------------------------------------


def _audit_places(user) -> list[tuple[int, int, str]]:
    """(school, district, routing) for each place where this person reads reports."""
    places = [
        (school_id, district_id, Routing.SCHOOL)
        for school_id, district_id in Membership.objects.filter(user=user, role=Role.COUNSELOR).values_list(
            "school_id", "school__district_id"
        )
    ]
    from schools.models import School

    for district_id in user.districts_as_safety_officer.values_list("pk", flat=True):
        school_id = School.objects.filter(district_id=district_id).order_by("pk").values_list("pk", flat=True).first()
        if school_id is not None:
            places.append((school_id, district_id, Routing.DISTRICT))
    return places


def audit_key(*, actor, places, action: str, detail: str = "", now: datetime | None = None) -> None:
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                school_id=school_id,
                district_id=district_id,
                routed_to=routed_to,
                report_id=None,
                action=action,
                detail=detail[:40],
                at=_now(now),
            )
            for school_id, district_id, routed_to in places
        ]
    )


# --- a person's key pair ---------------------------------------------------------------------


def _wrap_for(row: PersonKey, key: PrivateKey, password: str) -> None:
    params = password_kdf()
    salt = sealing.new_salt()
    row.kdf_salt = sealing.b64encode(salt)
    row.kdf_time_cost, row.kdf_memory_cost = params.time_cost, params.memory_cost
    row.wrapped_private_key = sealing.wrap(sealing.derive_key(password, salt, params), bytes(key))
    row.public_key = sealing.public_text(key)


def person_key_unwrap(row: PersonKey, password: str) -> PrivateKey:
    """The private key, or SealingError for a wrong password or a changed row."""
    params = sealing.KdfParams(row.kdf_time_cost, row.kdf_memory_cost)
    raw = sealing.unwrap(sealing.derive_key(password, sealing.b64decode(row.kdf_salt), params), row.wrapped_private_key)
    key = sealing.private_key(raw)
    if sealing.public_text(key) != row.public_key:
        raise sealing.SealingError("the key does not match its public half")
    return key


@transaction.atomic
def person_key_create(*, user, password: str, now: datetime | None = None) -> PrivateKey:
    """A new key pair for a reader; escrowed reports they may read are sealed to them."""
    now = timezone.now() if now is None else now
    key = sealing.new_key_pair()
    row = PersonKey(user=user, created_at=now, updated_at=now)
    _wrap_for(row, key, password)
    row.save()
    # Not audited: a key pair alone opens nothing; every copy sealed to it is.
    release_escrow(account_permissions.roles_of(user), now=now)
    return key


@transaction.atomic
def person_key_rewrap(*, user, key: PrivateKey, password: str, now: datetime | None = None) -> None:
    """Same key pair, wrapped with a new password: nothing else changes."""
    row = PersonKey.objects.select_for_update().get(user=user)
    if sealing.public_text(key) != row.public_key:
        raise sealing.SealingError("this is not the person's key")
    _wrap_for(row, key, password)
    row.updated_at = timezone.now() if now is None else now
    row.save(
        update_fields=[
            "public_key",
            "wrapped_private_key",
            "kdf_salt",
            "kdf_time_cost",
            "kdf_memory_cost",
            "updated_at",
        ]
    )


@transaction.atomic
def person_key_replace(*, user, password: str, now: datetime | None = None) -> PrivateKey:
    """The old key cannot be opened any more (a reset password): a new key
    pair, and the copies sealed to the old one are deleted. A colleague or
    the recovery sheet gives access again."""
    now = timezone.now() if now is None else now
    dropped, _ = SealedReportKey.objects.filter(holder=user).delete()
    row = PersonKey.objects.select_for_update().filter(user=user).first() or PersonKey(user=user, created_at=now)
    key = sealing.new_key_pair()
    _wrap_for(row, key, password)
    row.updated_at = now
    row.save()
    audit_key(
        actor=user, places=_audit_places(user), action=AuditEvent.Action.KEY_REPLACED, detail=f"-{dropped}", now=now
    )
    release_escrow(account_permissions.roles_of(user), now=now)
    return key


def person_key_unlock(*, user, password: str, now: datetime | None = None, replace: bool = True) -> PrivateKey | None:
    """At sign-in with a verified password: the reader's private key, made
    the first time, replaced if it was wrapped with a password that is no
    longer theirs (set by an operator; only with ``replace``, i.e. when the
    password was just verified). None for people who read no reports."""
    row = PersonKey.objects.filter(user=user).first()
    if row is None:
        return person_key_create(user=user, password=password, now=now) if may_read_reports(user) else None
    try:
        return person_key_unwrap(row, password)
    except sealing.SealingError:
        if not replace:
            return None
        logger.warning("The reading key of user %s was wrapped with an old password; replaced.", user.pk)
        return person_key_replace(user=user, password=password, now=now)


# --- sealing a report -----------------------------------------------------------------------


def readers_with_keys(report: IncidentReport) -> list[PersonKey]:
    from .permissions import assignable_staff

    return list(PersonKey.objects.filter(user__in=assignable_staff(report)).order_by("user_id"))


def recovery_key_for(report: IncidentReport) -> RecoveryKey | None:
    if report.routed_to == Routing.DISTRICT:
        return RecoveryKey.objects.filter(district_id=report.district_id).first()
    return RecoveryKey.objects.filter(school_id=report.school_id).first()


def _copies(report, key: PrivateKey, *, readers, recovery, granted_by=None, now) -> list[SealedReportKey]:
    rows = [
        SealedReportKey(
            report=report,
            holder_id=reader.user_id,
            sealed_to=reader.public_key,
            sealed_key=sealing.seal_key(sealing.public_key(reader.public_key), key),
            granted_by=granted_by,
            created_at=now,
        )
        for reader in readers
    ]
    if recovery is not None:
        rows.append(
            SealedReportKey(
                report=report,
                recovery=recovery,
                sealed_to=recovery.public_key,
                sealed_key=sealing.seal_key(sealing.public_key(recovery.public_key), key),
                granted_by=granted_by,
                created_at=now,
            )
        )
    return rows


def new_report_key() -> PrivateKey:
    return sealing.new_key_pair()


def seal_fields(key: PrivateKey, values: dict[str, str]) -> dict[str, sealing.Ciphertext]:
    return {name: sealing.seal_text(key.public_key, value or "") for name, value in values.items()}


def report_seal_new(*, report: IncidentReport, key: PrivateKey, reporter_public: str | None, now: datetime) -> None:
    """Seal a new report's key to every current reader with keys, the
    recovery key and the reporter. Nobody needs to be signed in. With nobody
    at all to seal to, the key waits in escrow (the server's key) until a
    reader or a recovery sheet exists (``release_escrow``)."""
    readers = readers_with_keys(report)
    recovery = recovery_key_for(report)
    escrow = "" if readers or recovery else crypto.encrypt(sealing.b64encode(bytes(key)))
    ReportSeal.objects.create(report=report, public_key=sealing.public_text(key), escrow=escrow, sealed_at=now)
    rows = _copies(report, key, readers=readers, recovery=recovery, now=now)
    if reporter_public:
        rows.append(_reporter_copy(report, key, reporter_public, now))
    SealedReportKey.objects.bulk_create(rows)


def _reporter_copy(report, key: PrivateKey, reporter_public: str, now) -> SealedReportKey:
    return SealedReportKey(
        report=report,
        reporter=True,
        sealed_to=reporter_public,
        sealed_key=sealing.seal_key(sealing.public_key(reporter_public), key),
        created_at=now,
    )


def seal_for_report(report: IncidentReport, values: dict[str, str]) -> dict[str, object]:
    """What is written into an existing report, sealed to its public key
    (one query). A report from before sealing gets plain values, which the
    field encrypts with the server's key as before, until the seal command."""
    public = ReportSeal.objects.filter(report_id=report.pk).values_list("public_key", flat=True).first()
    if public is None:
        return values
    target = sealing.public_key(public)
    return {name: sealing.seal_text(target, value or "") for name, value in values.items()}


def release_escrow(roles, *, now: datetime | None = None) -> int:
    """Seal the escrowed reports these roles cover to their readers and
    recovery key, then forget the escrow. Runs when a key pair or a recovery
    key appears."""
    now = timezone.now() if now is None else now
    query = Q(pk__in=[])
    if roles.school_ids(Role.COUNSELOR):
        query |= Q(report__routed_to=Routing.SCHOOL, report__school_id__in=roles.school_ids(Role.COUNSELOR))
    if roles.district_ids:
        query |= Q(report__routed_to=Routing.DISTRICT, report__district_id__in=roles.district_ids)
    return _release(ReportSeal.objects.filter(query).exclude(escrow=""), now)


def _release(seals, now) -> int:
    released = 0
    for seal in seals.select_related("report"):
        report = seal.report
        readers, recovery = readers_with_keys(report), recovery_key_for(report)
        if not readers and recovery is None:
            continue
        key = sealing.private_key(sealing.b64decode(crypto.decrypt(seal.escrow)))
        have = set(
            SealedReportKey.objects.filter(report=report, holder__isnull=False).values_list("holder_id", flat=True)
        )
        rows = _copies(report, key, readers=[r for r in readers if r.user_id not in have], recovery=recovery, now=now)
        SealedReportKey.objects.bulk_create(rows, ignore_conflicts=True)
        ReportSeal.objects.filter(pk=seal.pk).update(escrow="")
        released += 1
    return released


# --- opening ---------------------------------------------------------------------------------


class Opened:
    """A model row with its sealed columns opened, for one page. Everything
    else is read from the row. Never saved: it is not a model instance."""

    def __init__(self, row, texts: dict[str, str]):
        self._row = row
        self._texts = texts

    def __getattr__(self, name):
        texts = self.__dict__["_texts"]
        if name in texts:
            return texts[name]
        return getattr(self.__dict__["_row"], name)


def open_value(key: PrivateKey | None, value) -> str:
    if not value:
        return ""
    if sealing.is_sealed(value):
        if key is None:
            return str(SEALED_OUT)
        return sealing.open_text(key, value)
    return crypto.decrypt(value)  # written before sealing: the server's key


def _open_or_say(key, value) -> str:
    try:
        return open_value(key, value)
    except (sealing.SealingError, crypto.DecryptionError):
        logger.warning("A stored incident text could not be opened (changed or damaged).")
        return str(DAMAGED)


def _opened(row, fields, key) -> Opened:
    return Opened(row, {name: _open_or_say(key, getattr(row, name)) for name in fields})


def report_key_for_holder(report: IncidentReport, keyring) -> PrivateKey | None:
    """The report's key from this session's keyring, or None."""
    if keyring is None:
        return None
    sealed = (
        SealedReportKey.objects.filter(report_id=report.pk, holder_id=keyring.user_id, sealed_to=keyring.public)
        .values_list("sealed_key", flat=True)
        .first()
    )
    return None if sealed is None else sealing.open_key(keyring.private, sealed)


@dataclass
class OpenedCase:
    report: Opened
    thread: list
    notes: list
    referrals: list
    sealed: bool  # the report is sealed
    readable: bool  # and this session can open it


def open_case(report: IncidentReport, keyring, *, thread, notes, referrals) -> OpenedCase:
    """The case's rows opened with the session's key. Without a key the
    sealed texts read "[Sealed: ...]" and ``readable`` is False: the page
    says why and how to get access, never an error. One query (this
    person's copy and whether the reporter has one) besides the rows."""
    sealed = sealing.is_sealed(report.details)  # every sealed report's details are sealed, even when empty
    key = None
    if sealed and keyring is not None:
        copies = list(
            SealedReportKey.objects.filter(report_id=report.pk)
            .filter(Q(holder_id=keyring.user_id, sealed_to=keyring.public) | Q(reporter=True))
            .values_list("reporter", "sealed_key")
        )
        mine = next((sealed_key for is_reporter, sealed_key in copies if not is_reporter), None)
        try:
            key = None if mine is None else sealing.open_key(keyring.private, mine)
        except sealing.SealingError:
            logger.warning("The sealed key of report %s for user %s is damaged.", report.pk, keyring.user_id)
        if key is not None and not any(is_reporter for is_reporter, _ in copies):
            _fulfil_reporter_copy(report, key)
    return OpenedCase(
        report=_opened(report, REPORT_TEXT_FIELDS, key),
        thread=[_opened(m, MESSAGE_TEXT_FIELDS, key) for m in thread],
        notes=[_opened(n, NOTE_TEXT_FIELDS, key) for n in notes],
        referrals=[_opened(r, REFERRAL_TEXT_FIELDS, key) for r in referrals],
        sealed=sealed,
        readable=key is not None or not sealed,
    )


def _fulfil_reporter_copy(report: IncidentReport, key: PrivateKey) -> None:
    """A report sealed by the migration command had no receipt to seal to.
    Once the reporter came back (their receipt now gives a public key), the
    next reader who opens the case seals the report's key to them."""
    reporter_public = receipts.reporter_public_key(
        IncidentReport.objects.filter(pk=report.pk).values_list("receipt_hash", flat=True).first() or ""
    )
    if reporter_public:
        SealedReportKey.objects.bulk_create(
            [_reporter_copy(report, key, reporter_public, timezone.now())], ignore_conflicts=True
        )


def reporter_report_key(report: IncidentReport, reporter_key: PrivateKey | None) -> PrivateKey | None:
    if reporter_key is None:
        return None
    sealed = (
        SealedReportKey.objects.filter(report_id=report.pk, reporter=True, sealed_to=sealing.public_text(reporter_key))
        .values_list("sealed_key", flat=True)
        .first()
    )
    try:
        return None if sealed is None else sealing.open_key(reporter_key, sealed)
    except sealing.SealingError:
        logger.warning("The reporter's sealed key of report %s is damaged.", report.pk)
        return None


def open_rows(rows, fields, key) -> list[Opened]:
    return [_opened(row, fields, key) for row in rows]


def open_row(row, fields, key) -> Opened:
    return _opened(row, fields, key)


# --- people change ------------------------------------------------------------------------------


def _shared_reports(reader, other_user) -> Q:
    """Reports both may read: the scope of a grant."""
    from .permissions import visible_reports_q

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


@transaction.atomic
def recover_access(*, recovery: RecoveryKey, recovery_private: PrivateKey, to_user, actor, now=None) -> int:
    """The recovery sheet, typed once: seal the report keys held for the
    recovery key to a reader who lost access (a forgotten password, a new
    counselor with no colleague). The sheet is never stored."""
    now = timezone.now() if now is None else now
    target = PersonKey.objects.filter(user=to_user).first()
    if target is None:
        return 0
    from .permissions import visible_reports_q

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
def recovery_key_create(*, school=None, district=None, actor, now=None) -> PrivateKey:
    """A new recovery key for a school (or an education office): only the
    public half is stored; the private half goes on the sheet, shown once.
    Escrowed reports of the place are sealed to it at once."""
    now = timezone.now() if now is None else now
    key = sealing.new_key_pair()
    RecoveryKey.objects.create(
        school=school, district=district, public_key=sealing.public_text(key), created_by=actor, created_at=now
    )
    if school is not None:
        place = (school.pk, school.district_id, Routing.SCHOOL)
        seals = ReportSeal.objects.filter(report__school=school, report__routed_to=Routing.SCHOOL)
    else:
        place = (_any_school(district.pk), district.pk, Routing.DISTRICT)
        seals = ReportSeal.objects.filter(report__district=district, report__routed_to=Routing.DISTRICT)
    if place[0] is not None:
        audit_key(actor=actor, places=[place], action=AuditEvent.Action.RECOVERY_SHEET, now=now)
    _release(seals.exclude(escrow=""), now)
    return key


@transaction.atomic
def add_missing_recovery_copies(*, keyring, now=None) -> int:
    """Reports this session can open that are not yet sealed to their place's
    recovery key (they arrived before the sheet was made): seal them to it.
    One query for the copies, one per place for its recovery key."""
    now = timezone.now() if now is None else now
    covered = SealedReportKey.objects.filter(recovery__isnull=False).values("report_id")
    mine = (
        SealedReportKey.objects.filter(holder_id=keyring.user_id, sealed_to=keyring.public)
        .exclude(report_id__in=covered)
        .select_related("report")
    )
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
