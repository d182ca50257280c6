"""Seal every report written before sealing (Fernet, the server's keys).

For each report without a seal: a key pair of its own; every text of the
report, its messages, notes and referrals is read with the Fernet keys and
sealed to it; the report's key is sealed to its current readers who have
keys and to the recovery key of its place (or kept in escrow when there is
nobody yet, see incidents.keys). Each report is one transaction. The counts
of texts before and after are compared, and the command fails if one was
lost. Run it again at any time: sealed reports are skipped.

The reporters' receipts were never stored, so a migrated report is sealed to
its reporter when they next come back with the receipt and a counselor then
opens the case (incidents.keys._fulfil_reporter_copy).

Afterwards INCIDENT_ENCRYPTION_KEYS is needed only for what the server reads
itself: the reporters' short sessions and escrowed report keys.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from incidents import crypto, keys, sealing
from incidents.models import AuditEvent, CaseMessage, CaseNote, IncidentReport, Referral, ReportSeal, Routing

PARTS = (
    (IncidentReport, "pk", keys.REPORT_TEXT_FIELDS),
    (CaseMessage, "report_id", keys.MESSAGE_TEXT_FIELDS),
    (CaseNote, "report_id", keys.NOTE_TEXT_FIELDS),
    (Referral, "report_id", keys.REFERRAL_TEXT_FIELDS),
)


def _legacy_values(model, link, fields, report_id) -> int:
    count = 0
    for row in model.objects.filter(**{link: report_id}).values_list(*fields):
        count += sum(1 for value in row if value and not sealing.is_sealed(value))
    return count


@transaction.atomic
def seal_report(report_id: int, now) -> tuple[int, bool]:
    """Seal one report; returns (texts sealed, whether it went to escrow)."""
    report = IncidentReport.objects.select_for_update().get(pk=report_id)
    if ReportSeal.objects.filter(report=report).exists():
        return 0, False
    key = keys.new_report_key()
    sealed = 0
    for model, link, fields in PARTS:
        rows = list(model.objects.filter(**{link: report.pk}).only("pk", *fields))
        for row in rows:
            for name in fields:
                value = getattr(row, name)
                plain = "" if not value else (crypto.decrypt(value) if not sealing.is_sealed(value) else None)
                if plain is None:
                    raise CommandError(f"Report {report.pk}: a value is sealed already but the report has no seal.")
                if value:
                    sealed += 1
                setattr(row, name, sealing.seal_text(key.public_key, plain))
        if rows:
            model.objects.bulk_update(rows, list(fields))
    keys.report_seal_new(report=report, key=key, reporter_public=None, now=now)
    escrowed = ReportSeal.objects.filter(report=report).exclude(escrow="").exists()
    return sealed, escrowed


class Command(BaseCommand):
    help = "Seal every incident report still encrypted with the server's Fernet keys (see docs/sealing.md)."

    def handle(self, *args, **options):
        now = timezone.now()
        todo = list(IncidentReport.objects.filter(seal__isnull=True).order_by("pk").values_list("pk", flat=True))
        before = sum(_legacy_values(model, link, fields, pk) for pk in todo for model, link, fields in PARTS)
        texts = escrowed = 0
        places = set()
        for pk in todo:
            count, in_escrow = seal_report(pk, now)
            texts += count
            escrowed += in_escrow
            report = IncidentReport.objects.only("school_id", "district_id", "routed_to").get(pk=pk)
            places.add((report.school_id, report.district_id, report.routed_to))
        left = sum(_legacy_values(model, link, fields, pk) for pk in todo for model, link, fields in PARTS)
        for place in sorted(places, key=str):
            keys.audit_key(actor=None, places=[place], action=AuditEvent.Action.SEAL, now=now)
        if texts != before or left:
            raise CommandError(f"Counted {before} texts before and sealed {texts}; {left} left unsealed.")
        self.stdout.write(f"Reports sealed: {len(todo)}; texts sealed: {texts} (of {before} counted before).")
        if escrowed:
            self.stdout.write(
                self.style.WARNING(
                    f"{escrowed} reports have no reader with keys and no recovery sheet yet: their keys wait in "
                    "escrow (the server's key) until a counselor signs in or a recovery sheet is made."
                )
            )
        self.stdout.write(
            self.style.SUCCESS("Done. Routing kept: " + ", ".join(sorted({p[2] for p in places} or {Routing.SCHOOL})))
        )
