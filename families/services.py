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

from accounts.consent import CONSENT_TEXT_VERSION
from accounts.models import GuardianCode, GuardianConsent, GuardianLink, ParentProfile, User, normalise_guardian_code
from accounts.permissions import forget_roles

from .selectors import digest_for_parent


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
    return GuardianConsent.objects.create(
        student=student,
        guardian=guardian,
        recorded_by=guardian,
        method=GuardianConsent.Method.ONLINE,
        decision=decision,
        text_version=CONSENT_TEXT_VERSION,
        language=language,
    )


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
    return len(returned - on_file), ended
