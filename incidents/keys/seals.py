"""A report's key: sealed at submission to its readers, the recovery key
and the reporter; what is written later sealed to the report's public key
(no key is needed to write); escrow while nobody can hold it; and what a
counselor's session or a receipt can read, opened for one page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from nacl.public import PrivateKey

from schools.models import Role

from .. import crypto, receipts, sealing
from ..models import IncidentReport, PersonKey, RecoveryKey, ReportSeal, Routing, SealedReportKey

logger = logging.getLogger(__name__)

REPORT_TEXT_FIELDS = ("platform_other", "room_link", "account_handle", "details", "contact")
MESSAGE_TEXT_FIELDS = ("body", "link", "handle")
NOTE_TEXT_FIELDS = ("body",)
REFERRAL_TEXT_FIELDS = ("note",)
SEALED_OUT = _("[Sealed: you have no key to this report yet]")
DAMAGED = _("[This text was changed or damaged in storage and cannot be opened]")

# --- sealing a report -----------------------------------------------------------------------


def readers_with_keys(report: IncidentReport) -> list[PersonKey]:
    from ..permissions import assignable_staff

    return list(PersonKey.objects.filter(user__in=assignable_staff(report)).order_by("user_id"))


def recovery_key_for(report: IncidentReport) -> RecoveryKey | None:
    if report.routed_to == Routing.DISTRICT:
        return RecoveryKey.objects.filter(district_id=report.district_id, replaced_at__isnull=True).first()
    return RecoveryKey.objects.filter(school_id=report.school_id, replaced_at__isnull=True).first()


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
