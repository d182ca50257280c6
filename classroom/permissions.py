"""Who may do what with classes, students and staff. Built on
``accounts.permissions`` (the one place that says who holds which role);
views and templates ask these functions and never compare roles themselves.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet

from accounts import permissions as roles
from accounts.models import GuardianLink
from schools.models import STAFF_ROLES, Membership, Role

from .models import Classroom, Enrollment


def taught_classrooms(user) -> QuerySet[Classroom]:
    """The classes a person teaches, at schools where they still hold the
    teacher role: a teacher whose role the school admin ended loses every
    class of that school at once, and gets them back if re-invited."""
    school_ids = roles.roles_of(user).school_ids(Role.TEACHER)
    if not school_ids:
        return Classroom.objects.none()
    return Classroom.objects.filter(teachers=user, school_id__in=school_ids)


def teacher_school_ids(user) -> frozenset[int]:
    return roles.roles_of(user).school_ids(Role.TEACHER)


def managed_school_ids(user) -> frozenset[int]:
    return roles.roles_of(user).school_ids(Role.SCHOOL_ADMIN)


def can_create_classroom(user) -> bool:
    return bool(teacher_school_ids(user))


def can_manage_school(user, school) -> bool:
    return roles.can_manage_school(user, school)


def can_end_membership(user, membership: Membership) -> bool:
    """A school admin ends the teacher role of a colleague at their school;
    never their own role (that would lock the school out)."""
    return (
        membership.role == Role.TEACHER
        and membership.school_id in managed_school_ids(user)
        and membership.user_id != user.pk
    )


def manageable_student_ids(student_ids) -> set[int]:
    """Of these enrolled people, the ones whose account a teacher may reset or
    deactivate: plain student accounts. Anyone who is also staff, a parent, a
    CMS user or a site administrator is left alone (one query)."""
    user_model = get_user_model()
    rows = (
        user_model.objects.filter(pk__in=list(student_ids), is_superuser=False, is_staff=False, is_parent=False)
        .annotate(
            adult_role=Exists(Membership.objects.filter(user=OuterRef("pk"), role__in=[r.value for r in STAFF_ROLES])),
            guardian=Exists(GuardianLink.objects.filter(guardian=OuterRef("pk"))),
            cms_group=Exists(Group.objects.filter(user=OuterRef("pk"))),
        )
        .filter(adult_role=False, guardian=False, cms_group=False)
        .values_list("pk", flat=True)
    )
    return set(rows)


def can_manage_student_account(student) -> bool:
    return student.pk in manageable_student_ids([student.pk])


def teaches_student(user, student_id: int) -> bool:
    """A teacher of one of the student's classes (one query). Archived
    classes count, as they do for the class pages: a teacher keeps their
    archived classes and can restore them."""
    if not roles.is_teacher(user):
        return False
    return Enrollment.objects.filter(student_id=student_id, classroom__teachers=user).exists()
