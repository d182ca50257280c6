"""Writes of the families app: guardian links, guardian consent, parent
settings and the weekly digest."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.consent import CONSENT_TEXT_VERSION
from accounts.models import GuardianCode, GuardianConsent, GuardianLink, ParentProfile, User, normalise_guardian_code
from accounts.permissions import forget_roles
from accounts.selectors import students_waiting_for_consent
from curriculum.models import Certificate, LessonProgress, QuizAttempt

from .models import ConsentRosterEntry, ConsentRosterImport
from .selectors import digest_for_parent

# A pupil's stored results (docs/pupil-data.md): deleted when the consent they
# were stored on is withdrawn and no other consent is on file.
STORED_RESULTS = (QuizAttempt, LessonProgress, Certificate)


def stored_results_count(student_ids) -> int:
    """How many stored result rows these pupils have (for the confirmation page)."""
    ids = list(student_ids)
    return sum(model.objects.filter(student_id__in=ids).count() for model in STORED_RESULTS)


def stored_results_delete_without_consent(student_ids) -> int:
    """Delete the stored results (quiz attempts with their answers, lesson
    progress with scores, certificates) of those of these pupils whose
    results may no longer be stored: under the consent age with no consent
    on file. The anonymous class counts stay: they tie nothing to a pupil.
    Four queries for any number of pupils. Returns the rows deleted."""
    waiting = students_waiting_for_consent(student_ids)
    if not waiting:
        return 0
    return sum(model.objects.filter(student_id__in=waiting).delete()[0] for model in STORED_RESULTS)


class GuardianCodeError(Exception):
    """A guardian code that does not link: unknown, used or expired. The
    three are deliberately not told apart."""


GUARDIAN_CODE_LENGTH = 12


@dataclass
class LinkResult:
    link: GuardianLink
    created: bool


@transaction.atomic
def guardian_link_with_code(*, guardian: User, code: str) -> LinkResult:
    """Link a parent to the student whose card carries the code, and use the
    code up. The code row is locked so that two parents typing the same
    code at once cannot both succeed."""
    normalised = normalise_guardian_code(code)
    if len(normalised) != GUARDIAN_CODE_LENGTH:
        raise GuardianCodeError
    row = (
        GuardianCode.objects.select_for_update()
        .select_related("student")
        .filter(code_hash=GuardianCode.hash(normalised))
        .first()
    )
    if row is None or not row.usable or row.student_id == guardian.pk or not row.student.is_active:
        raise GuardianCodeError
    link, created = GuardianLink.objects.get_or_create(guardian=guardian, student=row.student)
    row.used_at = timezone.now()
    row.used_by = guardian
    row.save(update_fields=["used_at", "used_by"])
    return LinkResult(link=link, created=created)


@transaction.atomic
def guardian_unlink(*, link: GuardianLink) -> None:
    """End a link, from either side. The guardian's online consent was given
    as a linked guardian, so it ends with the link; a paper consent on file
    at school stays."""
    GuardianConsent.objects.filter(
        student_id=link.student_id,
        guardian_id=link.guardian_id,
        method=GuardianConsent.Method.ONLINE,
        ended_at__isnull=True,
    ).update(ended_at=timezone.now())
    link.delete()
    forget_roles([link.student_id])  # update() sends no signal
    stored_results_delete_without_consent([link.student_id])


@transaction.atomic
def consent_record_online(*, guardian: User, student: User, decision: str, language: str) -> GuardianConsent:
    """A linked guardian's decision, with the consent text's version, the
    time and the method. It replaces the guardian's earlier decision."""
    if not GuardianLink.objects.filter(guardian=guardian, student=student).exists():
        raise PermissionError("not linked")
    if decision not in GuardianConsent.Decision.values:
        raise ValueError(decision)
    # Lock the student's row: two clicks must not leave two current decisions.
    User.objects.select_for_update().filter(pk=student.pk).first()
    GuardianConsent.objects.filter(
        student=student, guardian=guardian, method=GuardianConsent.Method.ONLINE, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    record = GuardianConsent.objects.create(
        student=student,
        guardian=guardian,
        recorded_by=guardian,
        method=GuardianConsent.Method.ONLINE,
        decision=decision,
        text_version=CONSENT_TEXT_VERSION,
        language=language,
    )
    if decision != GuardianConsent.Decision.GIVEN:
        # Withdrawn (or declined): the results stored on it go, unless
        # another consent is on file (docs/pupil-data.md).
        stored_results_delete_without_consent([student.pk])
    return record


@transaction.atomic
def consent_record_paper(*, teacher: User, student: User, on_file: bool) -> GuardianConsent | None:
    """A teacher records that a signed paper consent is on file at school,
    or removes that record (a mistake, or the family withdrew it)."""
    User.objects.select_for_update().filter(pk=student.pk).first()
    current = GuardianConsent.objects.filter(
        student=student, method=GuardianConsent.Method.PAPER, ended_at__isnull=True
    )
    if not on_file:
        current.update(ended_at=timezone.now())
        forget_roles([student.pk])  # update() sends no signal
        stored_results_delete_without_consent([student.pk])
        return None
    existing = current.first()
    if existing:
        return existing
    return GuardianConsent.objects.create(
        student=student,
        recorded_by=teacher,
        method=GuardianConsent.Method.PAPER,
        decision=GuardianConsent.Decision.GIVEN,
    )


def student_birth_year_set(*, student: User, birth_year: int | None) -> None:
    student.birth_year = birth_year
    student.save(update_fields=["birth_year"])


def parent_settings_update(*, parent: User, email_updates: bool, language: str) -> ParentProfile:
    """Email updates are off until the parent turns them on; the emails are
    written in the language the parent chooses."""
    profile, _ = ParentProfile.objects.update_or_create(user=parent, defaults={"email_updates": email_updates})
    if parent.preferred_language != language:
        parent.preferred_language = language
        parent.save(update_fields=["preferred_language"])
    return profile


DIGEST_INTERVAL = timedelta(days=6)


def digest_send(*, parent: User, site_url: str, now=None) -> bool:
    """Send one parent the weekly summary of their children: counts only,
    never answers or scores, in the parent's language. Returns whether an
    email went out (not when opted out, without a verified address, without
    children, or when one went out less than six days ago)."""
    now = now or timezone.now()
    with transaction.atomic():
        profile = ParentProfile.objects.select_for_update().filter(user=parent, email_updates=True).first()
        if profile is None or (profile.digest_sent_at and now - profile.digest_sent_at < DIGEST_INTERVAL):
            return False
        address = EmailAddress.objects.filter(user=parent, verified=True, primary=True).first()
        if address is None:
            return False
        with translation.override(parent.preferred_language):
            children = digest_for_parent(parent, today=timezone.localdate(now))
            if not children:
                return False
            context = {
                "parent": parent,
                "children": children,
                "link": site_url.rstrip("/") + reverse("parent_home"),
                "settings_link": site_url.rstrip("/") + reverse("parent_home") + "#email-updates",
            }
            subject = render_to_string("families/email/digest_subject.txt", context).strip()
            body = render_to_string("families/email/digest_body.txt", context)
        profile.digest_sent_at = now
        profile.save(update_fields=["digest_sent_at"])
        email = address.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return True


@transaction.atomic
def paper_consent_sheet_save(*, teacher: User, classroom, returned: set[int]) -> tuple[int, int]:
    """The teacher's class consent sheet, saved once: a paper consent is on
    file for exactly the pupils in ``returned`` (student ids) among the
    class's active pupils. New records keep the method, the date and who
    recorded them; an unticked pupil's paper record is ended. Returns
    (recorded, ended). A fixed number of queries for any class size."""
    class_ids = set(classroom.enrollments.filter(student__is_active=True).values_list("student_id", flat=True))
    returned = set(returned) & class_ids
    # Lock the pupils' rows: a second save at the same moment waits.
    list(User.objects.select_for_update().filter(pk__in=class_ids).values_list("pk", flat=True))
    current = GuardianConsent.objects.filter(
        student_id__in=class_ids, method=GuardianConsent.Method.PAPER, ended_at__isnull=True
    )
    on_file = set(current.values_list("student_id", flat=True))
    ended = current.filter(student_id__in=on_file - returned).update(ended_at=timezone.now())
    GuardianConsent.objects.bulk_create(
        GuardianConsent(
            student_id=student_id,
            recorded_by=teacher,
            method=GuardianConsent.Method.PAPER,
            decision=GuardianConsent.Decision.GIVEN,
        )
        for student_id in sorted(returned - on_file)
    )
    forget_roles((returned - on_file) | (on_file - returned))  # bulk writes send no signal
    if ended:
        stored_results_delete_without_consent(on_file - returned)
    return len(returned - on_file), ended


class ConsentRosterError(Exception):
    """The roster cannot be recorded as it stands (the message says why)."""


def consent_roster_import_create(*, school, created_by: User, filename: str, roster) -> ConsentRosterImport:
    """Keep a checked consent roster until the school admin confirms it;
    unconfirmed imports older than a day go at the same time."""
    ConsentRosterImport.objects.filter(
        used_at__isnull=True, created_at__lt=timezone.now() - ConsentRosterImport.KEEP_FOR
    ).delete()
    return ConsentRosterImport.objects.create(
        school=school, created_by=created_by, filename=filename[:200], rows=roster.rows
    )


@transaction.atomic
def consent_roster_confirm(*, roster_import) -> int:
    """Record the school's consent for every pupil of a checked roster, all
    or nothing: method "school roster", the school's own method and date,
    and who recorded it. A pupil who already has a current school-roster
    consent is left as is. A fixed number of queries for any roster size.
    Returns how many consents were recorded."""
    locked = ConsentRosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if locked.used_at is not None:
        raise ConsentRosterError(_("This roster was already recorded."))
    if locked.has_problems or not locked.rows:
        raise ConsentRosterError(_("Nothing was recorded: fix the rows with problems and upload the file again."))
    by_student = {row["student_id"]: row for row in locked.rows}
    # The pupils must still be active pupils of a current class of the school.
    still_here = set(
        User.objects.filter(
            pk__in=by_student,
            is_active=True,
            enrollments__classroom__school_id=locked.school_id,
            enrollments__classroom__archived_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if still_here != set(by_student):
        raise ConsentRosterError(
            _("Some pupils of the roster have left the school or its classes since the check. Upload the file again.")
        )
    list(User.objects.select_for_update().filter(pk__in=by_student).values_list("pk", flat=True))
    already = set(
        GuardianConsent.objects.filter(
            student_id__in=by_student, method=GuardianConsent.Method.SCHOOL_ROSTER, ended_at__isnull=True
        ).values_list("student_id", flat=True)
    )
    new_ids = sorted(set(by_student) - already)
    consents = GuardianConsent.objects.bulk_create(
        GuardianConsent(
            student_id=student_id,
            recorded_by=locked.created_by,
            method=GuardianConsent.Method.SCHOOL_ROSTER,
            decision=GuardianConsent.Decision.GIVEN,
            text_version="",
        )
        for student_id in new_ids
    )
    ConsentRosterEntry.objects.bulk_create(
        ConsentRosterEntry(
            consent=consent,
            roster_import=locked,
            school_method=by_student[consent.student_id]["method"],
            consented_on=by_student[consent.student_id]["date"],
        )
        for consent in consents
    )
    locked.used_at = timezone.now()
    locked.recorded_count = len(consents)
    locked.rows = []  # the pupils' names are not kept once recorded
    locked.save(update_fields=["used_at", "recorded_count", "rows"])
    forget_roles(new_ids)  # bulk writes send no signal
    return len(consents)
