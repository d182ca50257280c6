"""Reads of the accounts app for parents, students and teachers, written with
query counts in mind: each answers in a fixed number of queries whatever
the number of children, classes or assignments.

What a parent sees of a child is a summary: which modules are assigned,
when they are due, how many lessons are done and whether the module is
finished. Never an answer, a score or an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Subquery

from . import consent
from .models import GuardianConsent, GuardianLink, Invitation, InvitationEvent, User

# --- Consent ----------------------------------------------------------------


@dataclass
class ConsentStatus:
    """Where a student stands: ``needed`` (under the consent age) and, if
    so, whether consent is on file, and this guardian's own decision."""

    needed: bool
    on_file: bool
    paper_on_file: bool = False
    roster_on_file: bool = False  # from the school's own consent roster
    my_decision: str | None = None

    @property
    def waiting(self) -> bool:
        return self.needed and not self.on_file

    @property
    def results_stored(self) -> bool:
        return not self.needed or self.on_file


def _given(student_ref: str, method: str) -> Exists:
    return Exists(
        GuardianConsent.objects.filter(
            student=OuterRef(student_ref), method=method, decision=GuardianConsent.Decision.GIVEN, ended_at__isnull=True
        )
    )


def consent_annotations(student_ref: str, guardian=None) -> dict:
    annotations = {
        "in_old_enough_class": consent.in_old_enough_class(student_ref),
        "consent_on_file": consent.consent_on_file(student_ref),
        "paper_on_file": _given(student_ref, GuardianConsent.Method.PAPER),
        "roster_on_file": _given(student_ref, GuardianConsent.Method.SCHOOL_ROSTER),
    }
    if guardian is not None:
        annotations["my_decision"] = Subquery(
            GuardianConsent.objects.filter(
                student=OuterRef(student_ref),
                guardian=guardian,
                method=GuardianConsent.Method.ONLINE,
                ended_at__isnull=True,
            ).values("decision")[:1]
        )
    return annotations


def consent_status_of(row, student: User, today: date | None = None) -> ConsentStatus:
    needed = not consent.old_enough(
        birth_year=student.birth_year, in_old_enough_class=row.in_old_enough_class, today=today
    )
    return ConsentStatus(
        needed=needed,
        on_file=row.consent_on_file,
        paper_on_file=row.paper_on_file,
        roster_on_file=row.roster_on_file,
        my_decision=getattr(row, "my_decision", None),
    )


def consent_status(student: User, guardian: User | None = None) -> ConsentStatus:
    """One student's consent status (one query)."""
    row = User.objects.filter(pk=student.pk).annotate(**consent_annotations("pk", guardian)).get()
    return consent_status_of(row, row)


def students_waiting_for_consent(student_ids) -> set[int]:
    """Of these students, those under the consent age without a guardian's
    consent on file: their results are not stored yet (one query). For the
    teacher's "N students wait for consent"."""
    ids = list(student_ids)
    if not ids:
        return set()
    return set(
        User.objects.filter(pk__in=ids)
        .annotate(in_old_enough_class=consent.in_old_enough_class(), consent_on_file=consent.consent_on_file())
        .exclude(consent.old_enough_q())
        .filter(consent_on_file=False)
        .values_list("pk", flat=True)
    )


def consent_records(student: User) -> list[GuardianConsent]:
    """The current decisions about a student, for the teacher's page."""
    return list(
        GuardianConsent.objects.filter(student=student, ended_at__isnull=True)
        .select_related("guardian", "recorded_by")
        .order_by("-created_at")
    )


# --- Guardians of a student ---------------------------------------------------


def guardian_links_key(student_id: int) -> str:
    return f"guardian-links:{student_id}"


def guardian_links_of(student: User) -> list[dict]:
    """The student's guardians, cached: they change rarely, and the start
    page must stay within its query budget. GuardianLink saves and deletes
    clear the entry (accounts.signals)."""
    key = guardian_links_key(student.pk)
    links = cache.get(key)
    if links is None:
        links = [
            {"pk": link.pk, "guardian": {"get_short_name": link.guardian.get_short_name()}}
            for link in GuardianLink.objects.filter(student=student, guardian__is_active=True)
            .select_related("guardian")
            .order_by("created_at", "pk")
        ]
        cache.set(key, links, 60 * 60)
    return links


def guardian_recipients_for_reminder(student_ids) -> list[tuple[int, str, str]]:
    """(student id, email, language) for each guardian of these students who
    turned email updates on and verified their address (one query). A
    guardian of two of the students appears once per child."""
    ids = list(student_ids)
    if not ids:
        return []
    verified = EmailAddress.objects.filter(
        user=OuterRef("guardian_id"), email__iexact=OuterRef("guardian__email"), verified=True
    )
    rows = (
        GuardianLink.objects.filter(
            student_id__in=ids,
            guardian__is_active=True,
            guardian__parent_profile__email_updates=True,
        )
        .exclude(guardian__email="")
        .filter(Exists(verified))
        .values_list("student_id", "guardian__email", "guardian__preferred_language")
        .order_by("student_id", "guardian__email")
    )
    return [(student_id, email, language) for student_id, email, language in rows]


def guardian_emails_for_reminder(student_ids) -> list[tuple[str, str]]:
    """(email, language) of the guardians of these students who turned email
    updates on and verified their address, each once (one query)."""
    seen: dict[str, str] = {}
    for _student_id, email, language in guardian_recipients_for_reminder(student_ids):
        seen.setdefault(email, language)
    return sorted(seen.items())


# --- The parent page ----------------------------------------------------------


# --- Invitations waiting for a second person ---------------------------------


def _in_district(district_id: int) -> Q:
    return Q(school__district_id=district_id) | Q(district_id=district_id)


def invitations_waiting_in_district(district_id: int) -> list[Invitation]:
    """Counselor invitations of the district's schools and safety-officer
    invitations of the district that wait for approval, oldest first (one
    query)."""
    return list(
        Invitation.objects.filter(_in_district(district_id), waiting_for_approval=True, revoked_at__isnull=True)
        .select_related("school", "district", "invited_by")
        .order_by("created_at", "id")
    )


def invitation_decisions_in_district(district_id: int, limit: int = 20) -> list[InvitationEvent]:
    """The latest approvals and refusals in the district, with who decided (one query)."""
    return list(
        InvitationEvent.objects.filter(
            Q(invitation__school__district_id=district_id) | Q(invitation__district_id=district_id),
            action__in=[InvitationEvent.Action.APPROVED, InvitationEvent.Action.DECLINED],
        ).select_related("invitation__school", "invitation__district", "actor")[:limit]
    )
