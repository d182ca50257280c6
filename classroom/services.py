"""Writes of the classroom: classes, student accounts and their login cards,
enrolments, assignments, reminders, digests and staff roles.

Every function is keyword-only and does its writes in one transaction; a
problem the teacher can fix is raised as ``ClassroomError`` with a message
in the active language, and nothing is changed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from accounts.selectors import guardian_recipients_for_reminder
from curriculum.models.pages import STUDENT_BANDS
from curriculum.permissions import band_for_grade
from edu_platform.urls_public import public_base_url
from schools.models import EndedMembership, Membership, Role

from . import selectors, tasks  # tasks import this module too: a service and its own tasks
from .models import Assignment, Classroom, Enrollment, Notice, new_join_code


class ClassroomError(Exception):
    """Something the teacher can fix; the message is for them. ``field`` names
    the form field it belongs to, so a form can show it beside that field."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------


@transaction.atomic
def classroom_create(*, school, name: str, grade: int, school_year: int, teacher) -> Classroom:
    classroom = Classroom.objects.create(school=school, name=name.strip(), grade=grade, school_year=school_year)
    classroom.teachers.add(teacher)
    return classroom


def classroom_archive(*, classroom: Classroom) -> Classroom:
    """End of the school year: the class leaves the start pages of its
    teachers and students; its results stay."""
    if classroom.archived_at is None:
        classroom.archived_at = timezone.now()
        classroom.save(update_fields=["archived_at"])
    return classroom


def classroom_restore(*, classroom: Classroom) -> Classroom:
    classroom.archived_at = None
    classroom.save(update_fields=["archived_at"])
    return classroom


def classroom_join_code_renew(*, classroom: Classroom) -> str:
    """A new join code, for when the old one reached people outside the class."""
    for _attempt in range(5):
        code = new_join_code()
        if not Classroom.objects.filter(join_code=code).exists():
            classroom.join_code = code
            classroom.save(update_fields=["join_code"])
            return code
    raise ClassroomError(_("No new code could be made. Try again."))


# Hashing a new class's passwords with the platform's Argon2 settings takes
# about half a second each, which is 20 seconds for a class of 40. New
# student passwords are random (44 bits), so PBKDF2 with fewer iterations is
# safe enough for the days until first login, when Django re-hashes them
# with the preferred hasher.


@transaction.atomic
def enrollment_update(*, enrollment: Enrollment, to_classroom: Classroom, number: int | None) -> Enrollment:
    """Change a student's number, or move them to another class (with their
    results: progress belongs to the student, not the class)."""
    moving = to_classroom.pk != enrollment.classroom_id
    if moving:
        if to_classroom.archived_at is not None:
            raise ClassroomError(_("That class is archived."))
        if Enrollment.objects.filter(classroom=to_classroom, student_id=enrollment.student_id).exists():
            raise ClassroomError(_("The student is already in that class."))
    if number is not None and (
        Enrollment.objects.filter(classroom=to_classroom, student_number=number).exclude(pk=enrollment.pk).exists()
    ):
        raise ClassroomError(_("Number %(number)d is already used in that class.") % {"number": number})
    enrollment.classroom = to_classroom
    enrollment.student_number = number
    enrollment.save(update_fields=["classroom", "student_number"])
    if moving:
        Membership.objects.get_or_create(user_id=enrollment.student_id, school=to_classroom.school, role=Role.STUDENT)
        Notice.objects.filter(student_id=enrollment.student_id, dismissed_at__isnull=True).exclude(
            assignment__classroom=to_classroom
        ).update(dismissed_at=timezone.now())
    return enrollment


def normalise_join_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


@transaction.atomic
def enrollment_join(*, student: User, code: str) -> tuple[Enrollment, bool]:
    """A student who already has an account joins a class with its code.
    Returns the enrolment and whether it is new."""
    classroom = (
        Classroom.objects.select_related("school")
        .filter(join_code=normalise_join_code(code), archived_at__isnull=True)
        .first()
    )
    if classroom is None:
        raise ClassroomError(_("No class has this code. Check the code on the board and try again."))
    enrollment, created = Enrollment.objects.get_or_create(classroom=classroom, student=student)
    if created:
        Membership.objects.get_or_create(user=student, school=classroom.school, role=Role.STUDENT)
    return enrollment, created


# --------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------


def _check_dates(opens_on: datetime.date, due_on: datetime.date) -> None:
    if due_on < opens_on:
        raise ClassroomError(_("The due date cannot be before the opening date."), field="due_on")


ALREADY_ASSIGNED = _lazy("This module is already assigned to this class. Change its dates in the list instead.")


def module_fits_class(*, classroom: Classroom, module) -> bool:
    """Students open modules of their own band or younger ones only, so a
    module for older students cannot be assigned to the class."""
    band = band_for_grade(classroom.school.level, classroom.grade)
    return module.band not in STUDENT_BANDS or STUDENT_BANDS.index(module.band) <= STUDENT_BANDS.index(band)


@transaction.atomic
def assignment_create(
    *, classroom: Classroom, module, opens_on, due_on, requires_previous: bool, created_by
) -> Assignment:
    if not module_fits_class(classroom=classroom, module=module):
        raise ClassroomError(
            _("This module is for older students: the students of this class could not open it."), field="module"
        )
    if classroom.assignments.filter(module=module).exists():
        raise ClassroomError(ALREADY_ASSIGNED, field="module")
    _check_dates(opens_on, due_on)
    position = (classroom.assignments.aggregate(n=Max("position"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return Assignment.objects.create(
                classroom=classroom,
                module=module,
                opens_on=opens_on,
                due_on=due_on,
                position=position,
                requires_previous=requires_previous,
                created_by=created_by,
            )
    except IntegrityError:  # assigned by a second click at the same moment
        raise ClassroomError(ALREADY_ASSIGNED, field="module")


def assignment_update(*, assignment: Assignment, opens_on, due_on, requires_previous: bool) -> Assignment:
    _check_dates(opens_on, due_on)
    assignment.opens_on = opens_on
    assignment.due_on = due_on
    assignment.requires_previous = requires_previous
    assignment.save(update_fields=["opens_on", "due_on", "requires_previous"])
    return assignment


def assignment_delete(*, assignment: Assignment) -> None:
    """Removes the assignment only: what students did stays theirs."""
    assignment.delete()


@transaction.atomic
def assignment_move(*, assignment: Assignment, up: bool) -> None:
    """Swap with the neighbour above or below; positions are renumbered
    1, 2, 3 ... on the way."""
    ordered = list(
        Assignment.objects.select_for_update()
        .filter(classroom_id=assignment.classroom_id)
        .order_by("position", "due_on", "id")
    )
    index = next(i for i, a in enumerate(ordered) if a.pk == assignment.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered, start=1):
        item.position = position
    Assignment.objects.bulk_update(ordered, ["position"])


# --------------------------------------------------------------------------
# Reminders and digests
# --------------------------------------------------------------------------


def reminders_queue(*, classroom: Classroom, sent_by) -> None:
    """The "Remind" button: the notices are made by a Celery task once this
    request's transaction has committed."""
    classroom_id, sender_id = classroom.pk, sent_by.pk
    transaction.on_commit(lambda: tasks.send_class_reminders.delay(classroom_id, sender_id))


def guardian_emails_for_reminder(student_ids) -> list[tuple[int, str, str]]:
    """The guardians to email about a reminder, as ``(student_id, email
    address, language code)``: only guardians who are linked to the student,
    have a verified address and opted in to email updates."""
    return guardian_recipients_for_reminder(student_ids)


def reminders_send(*, classroom_id: int, sent_by_id: int | None = None, on: datetime.date | None = None) -> int:
    """An in-app notice for every active student who has not finished an open
    assignment of the class; reminding again refreshes the open notice
    rather than adding one. Returns the number of notices made or refreshed."""
    classroom = Classroom.objects.filter(pk=classroom_id, archived_at__isnull=True).first()
    if classroom is None:
        return 0
    unfinished = selectors.unfinished_students(classroom, on=on)
    if not unfinished:
        return 0
    now = timezone.now()
    wanted = {(student_id, a.pk) for a, ids in unfinished.items() for student_id in ids}
    with transaction.atomic():
        existing = list(
            Notice.objects.select_for_update().filter(
                dismissed_at__isnull=True, assignment_id__in=[a.pk for a in unfinished]
            )
        )
        refreshed = []
        for notice in existing:
            if (notice.student_id, notice.assignment_id) in wanted:
                notice.created_at = now
                notice.sent_by_id = sent_by_id
                refreshed.append(notice)
                wanted.discard((notice.student_id, notice.assignment_id))
        Notice.objects.bulk_update(refreshed, ["created_at", "sent_by"])
        Notice.objects.bulk_create(
            Notice(student_id=s, assignment_id=a, sent_by_id=sent_by_id, created_at=now) for s, a in sorted(wanted)
        )
    _email_guardians(unfinished)
    return len(refreshed) + len(wanted)


def _email_guardians(unfinished: dict) -> None:
    student_ids = sorted({s for ids in unfinished.values() for s in ids})
    recipients = guardian_emails_for_reminder(student_ids)
    if not recipients:
        return
    names = dict(User.objects.filter(pk__in=student_ids).values_list("pk", "display_name"))
    for student_id, email, language in recipients:
        assignments = [a for a, ids in unfinished.items() if student_id in ids]
        context = {"child": names.get(student_id, ""), "assignments": assignments, "site_url": public_base_url()}
        with translation.override(language):
            subject = render_to_string("classroom/email/guardian_reminder_subject.txt", context).strip()
            body = render_to_string("classroom/email/guardian_reminder_body.txt", context)
        send_mail(subject, body, None, [email])


# A digest about things long overdue is the same every day and gets ignored.
DIGEST_DAYS = 14


def teacher_digests_send(*, on: datetime.date | None = None) -> int:
    """The daily email to each teacher with something overdue in the last two
    weeks: class names and counts only, never students' names or answers.
    Returns the number of emails sent."""
    on = on or selectors.today()
    overdue = selectors.overdue_by_teacher(on=on, days=DIGEST_DAYS)
    if not overdue:
        return 0
    sent = 0
    teachers = User.objects.filter(pk__in=overdue.keys(), is_active=True).exclude(email="")
    for teacher in teachers:
        context = {"teacher": teacher, "classes": overdue[teacher.pk], "site_url": public_base_url(), "on": on}
        with translation.override(teacher.preferred_language or settings.LANGUAGE_CODE):
            subject = render_to_string("classroom/email/teacher_digest_subject.txt", context).strip()
            body = render_to_string("classroom/email/teacher_digest_body.txt", context)
        send_mail(subject, body, None, [teacher.email])
        sent += 1
    return sent


def notice_dismiss(*, notice: Notice) -> None:
    if notice.dismissed_at is None:
        notice.dismissed_at = timezone.now()
        notice.save(update_fields=["dismissed_at"])


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


@transaction.atomic
def teacher_membership_end(*, membership: Membership, ended_by) -> EndedMembership:
    """End a teacher's role at a school. Their classes stay (with their other
    teachers and all results) but they no longer reach them; re-inviting them
    gives everything back."""
    ended = EndedMembership.objects.create(
        user_id=membership.user_id, school_id=membership.school_id, role=membership.role, ended_by=ended_by
    )
    membership.delete()
    return ended
