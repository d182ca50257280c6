"""Student accounts and login cards: usernames from the class, passwords a
child can type, accounts made for a whole roster at once (all or nothing),
new passwords, and deactivation. No email: students sign in with the card."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.hashers import get_hashers_by_algorithm, make_password
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.card_signin import card_tokens_issue
from accounts.models import GuardianCode, User
from accounts.ratelimit import pupil_account, pupil_login_forget
from schools.models import Membership, Role

from . import account_ids, selectors
from .models import Classroom, Enrollment, RosterImport
from .services import ClassroomError

# Lower case without look-alikes (no i, l, o, 0, 1): 31 symbols, 9 of them
# in three groups give 44.6 bits. Easy to type on a school tablet, and with
# the growing wait after wrong passwords (accounts.ratelimit) not guessable.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet, not a secret


PASSWORD_GROUPS = 3


PASSWORD_GROUP_LENGTH = 3


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
    # The token of the card's sign-in QR code (accounts.card_signin), shown once.
    signin_token: str = ""


def next_free_number(classroom: Classroom) -> int:
    highest = classroom.enrollments.aggregate(n=Max("student_number"))["n"] or 0
    return highest + 1


@transaction.atomic
def student_accounts_create(*, classroom: Classroom, rows: list[dict]) -> list[LoginCard]:
    """Create one student account per row ({"name", "number", optionally
    "birth_year" and "account_id"}), enrol them
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
    account_ids.account_ids_save(
        classroom=classroom,
        ids={users[u].pk: row["account_id"] for u, row in zip(usernames, rows, strict=True) if row.get("account_id")},
    )
    tokens = card_tokens_issue(users.values())
    return [
        LoginCard(
            name=row["name"],
            number=row["number"],
            username=username,
            password=password,
            guardian_code=GuardianCode.issue(users[username]),
            signin_token=tokens[users[username].pk],
        )
        for username, row, password in zip(usernames, rows, passwords, strict=True)
    ]


def student_add(*, classroom: Classroom, name: str, number: int | None) -> LoginCard:
    """One student, typed in by the teacher; without a number they get the
    next free one."""
    number = number or next_free_number(classroom)
    return student_accounts_create(classroom=classroom, rows=[{"name": name.strip(), "number": number}])[0]


def roster_import_create(*, classroom: Classroom, created_by, filename: str, roster) -> RosterImport:
    """Keep a checked roster for its preview, with its school account IDs
    checked against the education office. Older unconfirmed imports of the
    same teacher and class, and any older than a day, are deleted: they hold
    children's names and nobody will confirm them."""
    account_ids.check_account_ids(classroom=classroom, rows=roster.rows)
    with transaction.atomic():
        RosterImport.objects.filter(used_at__isnull=True, classroom=classroom, created_by=created_by).delete()
        RosterImport.objects.filter(created_at__lt=timezone.now() - RosterImport.KEEP_FOR).delete()
        return RosterImport.objects.create(
            classroom=classroom,
            created_by=created_by,
            filename=filename[:200],
            rows=[row.as_dict() for row in roster.rows],
        )


@dataclass
class RosterResult:
    cards: list[LoginCard]  # the new pupils' login cards
    account_ids_saved: int  # school account IDs given to pupils already in the class


def roster_import_confirm(*, roster_import: RosterImport) -> RosterResult:
    """The "create N accounts" button: the new pupils' accounts and every
    school account ID of the file, all or nothing, once."""
    try:
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
            result = _roster_apply(locked.classroom, locked.rows)
            locked.used_at = timezone.now()
            locked.rows = []
            locked.save(update_fields=["used_at", "rows"])
    except IntegrityError:
        raise ClassroomError(
            _(
                "A school account ID of the file was given to someone else meanwhile. "
                "Nothing was changed: upload the file again."
            )
        ) from None
    return result


def _roster_apply(classroom: Classroom, rows: list[dict]) -> RosterResult:
    new = [row for row in rows if not row.get("existing")]
    updates = [row for row in rows if row.get("change") == account_ids.UPDATE]
    if not new and not updates:
        raise ClassroomError(_("Everything in this file is already in the class. Nothing was changed."))
    cards = []
    if new:
        cards = student_accounts_create(
            classroom=classroom,
            rows=[
                {
                    "name": row["name"],
                    "number": row["number"],
                    "birth_year": row.get("birth_year"),
                    "account_id": row.get("account_id", ""),
                }
                for row in new
            ],
        )
    pupils = account_ids.pupils_by_number(classroom)
    if any(row["number"] not in pupils for row in updates):
        raise ClassroomError(_("The class changed since the file was checked. Nothing was changed: upload it again."))
    saved = account_ids.account_ids_save(
        classroom=classroom, ids={pupils[row["number"]]: row["account_id"] for row in updates}
    )
    return RosterResult(cards=cards, account_ids_saved=saved)


@transaction.atomic
def student_passwords_reset(*, enrollments: list[Enrollment]) -> list[LoginCard]:
    """New passwords and guardian codes: new cards. The old password stops
    working at once and the student is signed out everywhere; any wait left
    from wrong passwords ends, so the pupil signs in with the new card at
    once. The caller checks who may be reset (``permissions.manageable_student_ids``)."""
    cards = []
    students = []
    # New cards end the old cards' sign-in QR codes too.
    tokens = card_tokens_issue(enrollment.student for enrollment in enrollments)
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
                signin_token=tokens[student.pk],
            )
        )
    User.objects.bulk_update(students, ["password"])
    for student in students:
        pupil_login_forget(pupil_account(student))
    return cards


def student_set_active(*, student: User, active: bool) -> User:
    """Deactivate a student who left (they can no longer sign in; their
    results stay), or bring them back."""
    student.is_active = active
    student.save(update_fields=["is_active"])
    return student
