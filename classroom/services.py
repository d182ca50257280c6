"""Writes of the classroom: classes, student accounts and their login cards,
enrolments, assignments, reminders, digests and staff roles.

Every function is keyword-only and does its writes in one transaction; a
problem the teacher can fix is raised as ``ClassroomError`` with a message
in the active language, and nothing is changed.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth.hashers import get_hashers_by_algorithm, make_password
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import GuardianCode, User
from accounts.selectors import guardian_recipients_for_reminder
from schools.models import EndedMembership, Membership, Role

from . import selectors
from .models import Assignment, Classroom, Enrollment, Notice, RosterImport, new_join_code


class ClassroomError(Exception):
    """Something the teacher can fix; the message is for them."""


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


# --------------------------------------------------------------------------
# Student accounts and login cards
# --------------------------------------------------------------------------

# Lower case without look-alikes (no i, l, o, 0, 1): 31 symbols, 9 of them
# in three groups give 44.6 bits. Easy to type on a school tablet, and with
# the login rate limit (5 failures per 15 minutes per account) not guessable.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a secret
PASSWORD_GROUPS = 3
PASSWORD_GROUP_LENGTH = 3
# Hashing a new class's passwords with the platform's Argon2 settings takes
# about half a second each, which is 20 seconds for a class of 40. New
# student passwords are random (44 bits), so PBKDF2 with fewer iterations is
# safe enough for the days until first login, when Django re-hashes them
# with the preferred hasher.
INITIAL_PBKDF2_ITERATIONS = 60_000


def new_student_password() -> str:
    groups = (
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH)) for _ in range(PASSWORD_GROUPS)
    )
    return "-".join(groups)


def _initial_password_hash(password: str) -> str:
    hasher = get_hashers_by_algorithm().get("pbkdf2_sha256")
    if hasher is None:
        return make_password(password)
    return hasher.encode(password, hasher.salt(), iterations=INITIAL_PBKDF2_ITERATIONS)


def class_number(classroom: Classroom) -> str:
    """The class's number within its grade, read from its name ("1학년 3반",
    "3반", "Class 2-3"), so that the username reads like the class."""
    match = re.search(r"(\d+)\s*반", classroom.name)
    if match:
        return match.group(1)
    numbers = re.findall(r"\d+", classroom.name)
    # "2-3": the grade, then the class; a single number is most likely the grade.
    return numbers[-1] if len(numbers) >= 2 else ""


def username_base(classroom: Classroom, number: int) -> str:
    """school code, year, grade and class, number: ``demo01-26-13-07`` is
    number 7 of grade 1, class 3 of 2026 at DEMO01."""
    year = classroom.school_year % 100
    return f"{classroom.school.code.lower()}-{year:02d}-{classroom.grade}{class_number(classroom)}-{number:02d}"


def _unique_usernames(bases: list[str]) -> list[str]:
    """The bases, each made unique against existing accounts and each other
    by a suffix (-2, -3, ...) where needed (two queries at most)."""
    taken = set(User.objects.filter(username__in=bases).values_list("username", flat=True))
    if taken:
        suffixed = reduce(or_, (Q(username__startswith=f"{base}-") for base in taken))
        taken |= set(User.objects.filter(suffixed).values_list("username", flat=True))
    result = []
    for base in bases:
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        result.append(candidate)
    return result


@dataclass(frozen=True)
class LoginCard:
    """What is printed for one student. The password and the guardian code
    exist in plain text only here, on the card page, never in the database."""

    name: str
    number: int | None
    username: str
    password: str
    guardian_code: str


def next_free_number(classroom: Classroom) -> int:
    highest = classroom.enrollments.aggregate(n=Max("student_number"))["n"] or 0
    return highest + 1


@transaction.atomic
def student_accounts_create(*, classroom: Classroom, rows: list[dict]) -> list[LoginCard]:
    """Create one student account per row ({"name", "number", optionally
    "birth_year"}), enrol them
    and make their login cards: all of them, or none. The class row is
    locked so that two imports into one class cannot both take a number."""
    classroom = Classroom.objects.select_for_update().select_related("school").get(pk=classroom.pk)
    if classroom.archived_at is not None:
        raise ClassroomError(_("This class is archived. Restore it before adding students."))
    if not rows:
        raise ClassroomError(_("There are no students to create."))
    taken = selectors.taken_numbers(classroom)
    numbers = [row["number"] for row in rows]
    clashes = sorted({n for n in numbers if n in taken} | {n for n in numbers if numbers.count(n) > 1})
    if clashes:
        raise ClassroomError(
            _("These numbers are already used in this class: %(numbers)s. Nothing was created.")
            % {"numbers": ", ".join(str(n) for n in clashes)}
        )
    usernames = _unique_usernames([username_base(classroom, row["number"]) for row in rows])
    passwords = [new_student_password() for _row in rows]
    # The birth year decides whether a guardian must consent to storing
    # results (the parents feature's User.birth_year); only the year is kept.
    keeps_birth_year = any(f.name == "birth_year" for f in User._meta.get_fields())
    User.objects.bulk_create(
        User(
            username=username,
            display_name=row["name"],
            email="",
            preferred_language=classroom.school.default_language,
            password=_initial_password_hash(password),
            **({"birth_year": row.get("birth_year")} if keeps_birth_year else {}),
        )
        for username, row, password in zip(usernames, rows, passwords, strict=True)
    )
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    Membership.objects.bulk_create(
        [Membership(user=users[u], school=classroom.school, role=Role.STUDENT) for u in usernames],
        ignore_conflicts=True,
    )
    Enrollment.objects.bulk_create(
        Enrollment(classroom=classroom, student=users[u], student_number=row["number"])
        for u, row in zip(usernames, rows, strict=True)
    )
    return [
        LoginCard(
            name=row["name"],
            number=row["number"],
            username=username,
            password=password,
            guardian_code=GuardianCode.issue(users[username]),
        )
        for username, row, password in zip(usernames, rows, passwords, strict=True)
    ]


def student_add(*, classroom: Classroom, name: str, number: int | None) -> LoginCard:
    """One student, typed in by the teacher; without a number they get the
    next free one."""
    number = number or next_free_number(classroom)
    return student_accounts_create(classroom=classroom, rows=[{"name": name.strip(), "number": number}])[0]


def roster_import_create(*, classroom: Classroom, created_by, filename: str, roster) -> RosterImport:
    """Keep a checked roster for its preview. Older unconfirmed imports of the
    same teacher and class, and any older than a day, are deleted: they hold
    children's names and nobody will confirm them."""
    with transaction.atomic():
        RosterImport.objects.filter(used_at__isnull=True, classroom=classroom, created_by=created_by).delete()
        RosterImport.objects.filter(created_at__lt=timezone.now() - RosterImport.KEEP_FOR).delete()
        return RosterImport.objects.create(
            classroom=classroom,
            created_by=created_by,
            filename=filename[:200],
            rows=[row.as_dict() for row in roster.rows],
        )


def roster_import_confirm(*, roster_import: RosterImport) -> list[LoginCard]:
    """The "create N accounts" button: all accounts or none, once."""
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.used_at is not None:
            raise ClassroomError(
                _(
                    "These accounts were already created. Their passwords are not stored: "
                    "make new login cards from the student list if the cards were lost."
                )
            )
        if locked.has_problems:
            raise ClassroomError(_("The file has problems. Fix them and upload it again."))
        cards = student_accounts_create(
            classroom=locked.classroom,
            rows=[
                {"name": row["name"], "number": row["number"], "birth_year": row.get("birth_year")}
                for row in locked.rows
            ],
        )
        locked.used_at = timezone.now()
        locked.rows = []
        locked.save(update_fields=["used_at", "rows"])
    return cards


@transaction.atomic
def student_passwords_reset(*, enrollments: list[Enrollment]) -> list[LoginCard]:
    """New passwords and guardian codes: new cards. The old password stops
    working at once and the student is signed out everywhere. The caller
    checks who may be reset (``permissions.manageable_student_ids``)."""
    cards = []
    students = []
    for enrollment in enrollments:
        student = enrollment.student
        password = new_student_password()
        student.password = _initial_password_hash(password)
        students.append(student)
        cards.append(
            LoginCard(
                name=student.display_name or student.username,
                number=enrollment.student_number,
                username=student.username,
                password=password,
                guardian_code=GuardianCode.issue(student),
            )
        )
    User.objects.bulk_update(students, ["password"])
    return cards


def student_set_active(*, student: User, active: bool) -> User:
    """Deactivate a student who left (they can no longer sign in; their
    results stay), or bring them back."""
    student.is_active = active
    student.save(update_fields=["is_active"])
    return student


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
        raise ClassroomError(_("The due date cannot be before the opening date."))


@transaction.atomic
def assignment_create(
    *, classroom: Classroom, module, opens_on, due_on, requires_previous: bool, created_by
) -> Assignment:
    _check_dates(opens_on, due_on)
    if classroom.assignments.filter(module=module).exists():
        raise ClassroomError(_("This module is already assigned to this class. Change its dates instead."))
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
    except IntegrityError:
        raise ClassroomError(_("This module is already assigned to this class. Change its dates instead."))


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
    from .tasks import send_class_reminders

    classroom_id, sender_id = classroom.pk, sent_by.pk
    transaction.on_commit(lambda: send_class_reminders.delay(classroom_id, sender_id))


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
        context = {"child": names.get(student_id, ""), "assignments": assignments, "site_url": settings.SITE_URL}
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
        context = {"teacher": teacher, "classes": overdue[teacher.pk], "site_url": settings.SITE_URL, "on": on}
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
