"""Every classroom URL asked by every role of the cast: anonymous visitors go
to the login page, people without the role get 403, and a teacher who
changes an id to another teacher's class or object gets 404, never data."""

import pytest

from classroom.models import Enrollment, Notice, RosterImport
from schools.models import Membership, Role
from tests.classroom.conftest import assign, source_module
from tests.conftest import mfa_login

MFA_ROLES = {"counselor", "school_admin", "editor", "reviewer"}
ALL = ["student", "other_student", "teacher", "other_teacher", "parent", "counselor", "school_admin", "editor"]


@pytest.fixture
def world(cast):
    module = source_module()
    assignment = assign(cast.classroom, module)
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    roster = RosterImport.objects.create(classroom=cast.classroom, created_by=cast.teacher, rows=[])
    notice = Notice.objects.create(student=cast.student, assignment=assignment)
    staff = Membership.objects.get(user=cast.other_teacher, school=cast.school, role=Role.TEACHER)
    return {
        "c": cast.classroom.pk,
        "a": assignment.pk,
        "e": enrollment.pk,
        "r": roster.pk,
        "n": notice.pk,
        "m": staff.pk,
        "school": cast.school.code,
    }


def login(client, cast, role):
    user = getattr(cast, role)
    if role in MFA_ROLES:
        mfa_login(client, user)
    else:
        client.force_login(user)


# (method, url template, role allowed, answer for the owner, answer for the other teacher or student)
TEACHER_URLS = [
    ("get", "/teach/", 200, None),
    ("get", "/teach/classes/new/", 200, None),
    ("get", "/teach/classes/{c}/", 200, 404),
    ("get", "/teach/classes/{c}/progress.csv", 200, 404),
    ("get", "/teach/classes/{c}/code/", 200, 404),
    ("post", "/teach/classes/{c}/code/", 302, 404),
    ("get", "/teach/classes/{c}/students/", 200, 404),
    ("post", "/teach/classes/{c}/students/cards/", 200, 404),
    ("get", "/teach/classes/{c}/students/import/", 200, 404),
    ("get", "/teach/classes/{c}/students/import/{r}/", 200, 404),
    ("get", "/teach/classes/{c}/students/{e}/", 200, 404),
    ("post", "/teach/classes/{c}/students/{e}/reset/", 200, 404),
    ("post", "/teach/classes/{c}/students/{e}/active/", 302, 404),
    ("get", "/teach/classes/{c}/assignments/", 200, 404),
    ("get", "/teach/classes/{c}/assignments/{a}/", 200, 404),
    ("post", "/teach/classes/{c}/assignments/{a}/move/", 302, 404),
    ("post", "/teach/classes/{c}/remind/", 302, 404),
    ("post", "/teach/classes/{c}/archive/", 302, 404),
]


def _data(url):
    if url.endswith("/cards/"):
        return {"enrollment": ["{e}"]}
    if url.endswith("/active/"):
        return {"active": "1"}
    if url.endswith("/archive/"):
        return {"action": "restore"}
    return {}


def _ask(client, method, url, ids):
    data = {k: [v.format(**ids) for v in vs] if isinstance(vs, list) else vs for k, vs in _data(url).items()}
    return getattr(client, method)(url.format(**ids), data)


@pytest.mark.parametrize(
    ("method", "url", "owner", "other"), TEACHER_URLS, ids=[f"{m} {u}" for m, u, *_ in TEACHER_URLS]
)
def test_teacher_urls(client, cast, world, method, url, owner, other):
    client.logout()
    response = _ask(client, method, url, world)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], "anonymous"
    for role in ("student", "parent", "counselor", "school_admin", "editor"):
        client.logout()
        login(client, cast, role)
        assert _ask(client, method, url, world).status_code == 403, role
    client.logout()
    login(client, cast, "teacher")
    assert _ask(client, method, url, world).status_code == owner, "teacher"
    if other is not None:
        client.logout()
        login(client, cast, "other_teacher")
        response = _ask(client, method, url, world)
        assert response.status_code == other, "other_teacher"
        html = response.content.decode()
        assert cast.classroom.join_code not in html and cast.classroom.name not in html


STUDENT_URLS = [
    ("get", "/my/", 200, None),
    ("get", "/join/", 200, None),
    ("post", "/my/notices/{n}/dismiss/", 302, 404),
]


@pytest.mark.parametrize(
    ("method", "url", "owner", "other"), STUDENT_URLS, ids=[f"{m} {u}" for m, u, *_ in STUDENT_URLS]
)
def test_student_urls(client, cast, world, method, url, owner, other):
    response = _ask(client, method, url, world)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], "anonymous"
    for role in ("teacher", "parent", "counselor", "school_admin", "editor"):
        client.logout()
        login(client, cast, role)
        assert _ask(client, method, url, world).status_code == 403, role
    if other is not None:
        client.logout()
        login(client, cast, "other_student")
        assert _ask(client, method, url, world).status_code == other, "other_student"
    client.logout()
    login(client, cast, "student")
    assert _ask(client, method, url, world).status_code == owner, "student"


SCHOOL_URLS = [
    ("get", "/school/", 200, None),
    ("get", "/school/{school}/staff/", 200, 403),
    ("post", "/school/{school}/staff/{m}/end/", 302, 403),
]


@pytest.mark.parametrize(("method", "url", "owner", "other"), SCHOOL_URLS, ids=[f"{m} {u}" for m, u, *_ in SCHOOL_URLS])
def test_school_admin_urls(client, cast, world, method, url, owner, other):
    from tests.factories import MembershipFactory, UserFactory

    response = _ask(client, method, url, world)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"], "anonymous"
    for role in ("student", "teacher", "parent", "counselor", "editor"):
        client.logout()
        login(client, cast, role)
        assert _ask(client, method, url, world).status_code == 403, role
    if other is not None:
        away_admin = UserFactory()
        MembershipFactory(user=away_admin, school=cast.other_school, role=Role.SCHOOL_ADMIN)
        client.logout()
        mfa_login(client, away_admin)
        assert _ask(client, method, url, world).status_code == other, "other school's admin"
        assert Membership.objects.filter(pk=world["m"]).exists()
    client.logout()
    login(client, cast, "school_admin")
    assert _ask(client, method, url, world).status_code == owner, "school_admin"


def test_another_teachers_student_is_not_reached_through_my_class(client, cast, world):
    theirs = Enrollment.objects.create(classroom=cast.other_classroom, student=cast.other_student)
    client.force_login(cast.teacher)
    for method, url in [
        ("get", f"/teach/classes/{cast.classroom.pk}/students/{theirs.pk}/"),
        ("post", f"/teach/classes/{cast.classroom.pk}/students/{theirs.pk}/reset/"),
        ("post", f"/teach/classes/{cast.classroom.pk}/students/{theirs.pk}/active/"),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    response = client.post(f"/teach/classes/{cast.classroom.pk}/students/cards/", {"enrollment": [theirs.pk]})
    assert response.status_code == 302  # nothing ticked that belongs to me


def test_a_roster_import_of_another_teacher_is_a_404(client, cast, world):
    cast.classroom.teachers.add(cast.other_teacher)
    client.force_login(cast.other_teacher)
    assert client.get(f"/teach/classes/{cast.classroom.pk}/students/import/{world['r']}/").status_code == 404
