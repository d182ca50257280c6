"""Who may see what. Views, templates and tests ask this module; nothing else
in the code base compares roles.

Roles are read once per request and kept on the user object, so asking many
questions costs nothing more. Between requests they are kept in the cache for
a few minutes: every write that changes a role (memberships, enrollments,
guardian links and consent, groups, safety officers, classes and schools)
forgets the people it concerns (accounts/signals.py), and the short timeout
bounds what a missed signal could leave behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from schools.models import District, Role

from .consent import consent_on_file, in_old_enough_class, old_enough
from .models import GuardianLink

CMS_ACCESS_PERMISSION = "wagtailadmin.access_admin"
ROLES_TIMEOUT = 5 * 60


@dataclass(frozen=True)
class Roles:
    """The roles one person holds: school ids per role, and the rest."""

    schools: dict[str, frozenset[int]] = field(default_factory=dict)
    jurisdictions: frozenset[str] = frozenset()
    district_ids: frozenset[int] = frozenset()
    is_parent: bool = False
    is_editor: bool = False
    is_superuser: bool = False
    # Read for students only, in the same query (accounts.consent decides
    # with them whether the student's results may be stored).
    consent_on_file: bool = False
    in_old_enough_class: bool = False
    # (school level, grade) of each current class a student is in.
    class_grades: frozenset[tuple[str, int]] = frozenset()

    def school_ids(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for role in roles:
            ids |= self.schools.get(role, frozenset())
        return frozenset(ids)

    def has(self, role: str) -> bool:
        return bool(self.schools.get(role))


def roles_of(user) -> Roles:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Roles()
    cached = getattr(user, "_roles_cache", None)
    if cached is not None:
        return cached
    stored = getattr(user, "_roles_prefetched", None)
    if stored is None:
        stored = cache.get(_roles_key(user.pk))
    if stored is None:
        stored = _read_roles(user)
        cache.set(_roles_key(user.pk), stored, ROLES_TIMEOUT)
    # The user's own row was just read by the request: take its flags fresh.
    roles = _roles_from(user, stored)
    user._roles_cache = roles
    return roles


ROLES_KEY_PREFIX = "roles:v1:"


def _roles_key(user_id: int) -> str:
    return f"{ROLES_KEY_PREFIX}{user_id}"


def forget_every_stored_role() -> int:
    """Drop every stored role from Redis (after an outage during which a
    change could not be forgotten). Walks the keys with SCAN, in batches."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return 0  # only Redis outlives an outage with entries in it
    client = backend._cache.get_client(write=True)
    keys, dropped = [], 0
    for key in client.scan_iter(match=backend.make_key(ROLES_KEY_PREFIX + "*"), count=1000):
        keys.append(key)
        if len(keys) == 1000:
            dropped += client.delete(*keys)
            keys = []
    if keys:
        dropped += client.delete(*keys)
    return dropped


def roles_cache_key(user) -> str | None:
    """For a caller that reads several cache keys in one round trip
    (curriculum.route_cache) and hands the roles over with accept_roles."""
    return _roles_key(user.pk) if getattr(user, "is_authenticated", False) else None


def accept_roles(user, stored) -> None:
    if stored is not None:
        user._roles_prefetched = stored


def forget_roles(user_ids) -> None:
    """Drop the stored roles of these people: now, and again when the
    transaction that changed them commits (a request running meanwhile may
    have stored what it read before the change)."""
    keys = [_roles_key(pk) for pk in set(user_ids) if pk is not None]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _roles_from(user, stored: dict) -> Roles:
    return Roles(
        schools=stored["schools"],
        jurisdictions=stored["jurisdictions"],
        district_ids=stored["district_ids"],
        is_parent=user.is_parent or stored["has_children"],
        is_editor=user.is_superuser or stored["cms_access"],
        is_superuser=user.is_superuser,
        consent_on_file=stored["consent_on_file"],
        in_old_enough_class=stored["in_old_enough_class"],
        class_grades=stored["class_grades"],
    )


def _read_roles(user) -> dict:
    """What the database says about a person's roles (two queries, three
    for a student, four for a safety officer)."""
    schools: dict[str, set[int]] = {}
    jurisdictions = set()
    for role, school_id, jurisdiction in user.memberships.values_list("role", "school_id", "school__jurisdiction"):
        schools.setdefault(role, set()).add(school_id)
        jurisdictions.add(jurisdiction)
    # Everything else in one query, as EXISTS flags on the user's own row.
    student = Role.STUDENT in schools
    student_flags = _student_flags(student)
    flags = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_children=Exists(GuardianLink.objects.filter(guardian=OuterRef("pk"))),
            cms_access=Exists(
                Permission.objects.filter(
                    Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk")),
                    codename="access_admin",
                    content_type__app_label="wagtailadmin",
                )
            ),
            is_officer=Exists(District.safety_officers.through.objects.filter(user=OuterRef("pk"))),
            **student_flags,
        )
        .values("has_children", "cms_access", "is_officer", *student_flags)
        .get()
    )
    district_ids = (
        frozenset(user.districts_as_safety_officer.values_list("id", flat=True)) if flags["is_officer"] else frozenset()
    )
    class_grades = (
        frozenset(
            # Through the user's own relation: accounts sits below the classroom app.
            user.enrollments.filter(classroom__archived_at__isnull=True).values_list(
                "classroom__school__level", "classroom__grade"
            )
        )
        if student
        else frozenset()
    )
    return {
        "schools": {role: frozenset(ids) for role, ids in schools.items()},
        "jurisdictions": frozenset(jurisdictions),
        "district_ids": district_ids,
        "has_children": flags["has_children"],
        "cms_access": flags["cms_access"],
        "consent_on_file": flags.get("consent_on_file", False),
        "in_old_enough_class": flags.get("in_old_enough_class", False),
        "class_grades": class_grades,
    }


def _student_flags(student: bool) -> dict:
    if not student:
        return {}
    return {"consent_on_file": consent_on_file(), "in_old_enough_class": in_old_enough_class()}


def is_student(user) -> bool:
    return roles_of(user).has(Role.STUDENT)


def is_teacher(user) -> bool:
    return roles_of(user).has(Role.TEACHER)


def is_counselor(user) -> bool:
    return roles_of(user).has(Role.COUNSELOR) or bool(roles_of(user).district_ids)


def is_school_admin(user) -> bool:
    return roles_of(user).has(Role.SCHOOL_ADMIN)


def is_parent(user) -> bool:
    return roles_of(user).is_parent


def is_editor(user) -> bool:
    return roles_of(user).is_editor


def is_safety_officer(user) -> bool:
    return bool(roles_of(user).district_ids)


def needs_mfa(user) -> bool:
    """Counselors, school admins, safety officers and CMS staff must use a
    second factor: they can reach reports or publish to every school."""
    roles = roles_of(user)
    return bool(roles.has(Role.COUNSELOR) or roles.has(Role.SCHOOL_ADMIN) or roles.district_ids or roles.is_editor)


def can_manage_school(user, school) -> bool:
    return school.pk in roles_of(user).school_ids(Role.SCHOOL_ADMIN)


def is_school_admin_or_safety_officer(user) -> bool:
    return is_school_admin(user) or is_safety_officer(user)


def can_approve_invitation(user, invitation) -> bool:
    """A second person: another admin of the school or a safety officer of its
    district; for a safety officer, another safety officer of the district.
    Never the inviter (nor the invited person: accounts.services checks the
    addresses)."""
    if user.pk == invitation.invited_by_id:
        return False
    roles = roles_of(user)
    if invitation.school_id is None:
        return invitation.district_id in roles.district_ids
    return invitation.school_id in roles.school_ids(Role.SCHOOL_ADMIN) or (
        invitation.school.district_id in roles.district_ids
    )


def home_url_name(user) -> str:
    """The start page of a person's main role; staff roles come first."""
    roles = roles_of(user)
    if roles.has(Role.SCHOOL_ADMIN):
        return "school_home"
    if roles.has(Role.COUNSELOR) or roles.district_ids:
        return "counsel_home"
    if roles.has(Role.TEACHER):
        return "teacher_home"
    if roles.has(Role.STUDENT):
        return "student_home"
    if roles.is_editor:
        return "wagtailadmin_home"
    return "parent_home"


def role_required(check):
    """View decorator: anonymous visitors go to the login page; signed-in
    people without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_role = check.__name__
        return wrapped

    return decorator


# One decorator per role, named ``<role>_required``: every app's views use these.
student_required = role_required(is_student)
teacher_required = role_required(is_teacher)
parent_required = role_required(is_parent)
counselor_required = role_required(is_counselor)
school_admin_required = role_required(is_school_admin)
safety_officer_required = role_required(is_safety_officer)
school_admin_or_safety_officer_required = role_required(is_school_admin_or_safety_officer)


def results_may_be_stored(student) -> bool:
    """Whether this student's results may be stored now: old enough, or a
    guardian's consent on file (accounts.consent says what that means).
    Costs no query of its own for a student: the two flags are read with
    the student's roles (one query per request, kept on the user object)."""
    roles = roles_of(student)
    if roles.has(Role.STUDENT):
        on_file, in_class = roles.consent_on_file, roles.in_old_enough_class
    else:  # not a student by membership (yet): ask directly
        flags = (
            get_user_model()
            .objects.filter(pk=student.pk)
            .annotate(in_old_enough_class=in_old_enough_class(), consent=consent_on_file())
            .values("in_old_enough_class", "consent")
            .get()
        )
        on_file, in_class = flags["consent"], flags["in_old_enough_class"]
    return on_file or old_enough(birth_year=student.birth_year, in_old_enough_class=in_class)
