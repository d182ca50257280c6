"""School admins see every class of their school with its completion and
manage teachers: end a teacher's role, re-invite them."""

from django.core import mail

from accounts.models import Invitation
from schools.models import EndedMembership, Membership, Role
from tests.classroom.conftest import assign, lessons_of, take_quiz
from tests.conftest import mfa_login
from tests.factories import ClassroomFactory


def test_school_admins_need_a_second_factor(client, cast):
    client.force_login(cast.school_admin)
    response = client.get("/school/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_every_class_of_the_school_with_completion_and_none_of_other_schools(client, cast, module):
    away = ClassroomFactory(school=cast.other_school, name="다른학교반")
    assign(cast.classroom, module)
    take_quiz(cast.student, lessons_of(module)[0], module)
    mfa_login(client, cast.school_admin)
    response = client.get("/school/")
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.classroom.name in html and cast.other_classroom.name in html
    assert away.name not in html
    assert cast.teacher.display_name in html and cast.other_teacher.display_name in html
    assert '<progress max="100" value="25"' in html


def test_the_school_page_query_count_does_not_grow_with_classes(client, cast, module):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assign(cast.classroom, module)
    mfa_login(client, cast.school_admin)
    client.get("/school/")
    with CaptureQueriesContext(connection) as few:
        client.get("/school/")
    for n in range(6):
        extra = ClassroomFactory(school=cast.school, name=f"추가{n}")
        extra.teachers.add(cast.teacher)
        assign(extra, module)
    with CaptureQueriesContext(connection) as many:
        client.get("/school/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_ending_a_teacher_role_takes_their_classes_away_and_reinviting_gives_them_back(
    client, cast, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=cast.teacher, school=cast.school, role=Role.TEACHER)
    mfa_login(client, cast.school_admin)
    response = client.post(f"/school/{cast.school.code}/staff/{membership.pk}/end/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert EndedMembership.objects.filter(user=cast.teacher, school=cast.school, ended_by=cast.school_admin).exists()
    # The class keeps its teacher link, but the former teacher no longer reaches it.
    teacher_client = client_class_for(client)
    teacher_client.force_login(cast.teacher)
    assert teacher_client.get(f"/teach/classes/{cast.classroom.pk}/").status_code == 403
    # The staff page lists them as a former teacher with a re-invite button.
    html = client.get(f"/school/{cast.school.code}/staff/").content.decode()
    assert "이전 교사" in html and cast.teacher.email in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/school/{cast.school.code}/staff/", {"email": cast.teacher.email, "role": "teacher"})
    assert Invitation.objects.filter(email=cast.teacher.email, role="teacher").exists()
    assert mail.outbox[-1].to == [cast.teacher.email]


def client_class_for(client):
    return client.__class__()


def test_an_admin_cannot_end_their_own_role_or_another_schools(client, cast):
    from tests.factories import MembershipFactory, UserFactory

    own = MembershipFactory(user=cast.school_admin, school=cast.school, role=Role.TEACHER)
    away_teacher = UserFactory()
    away = MembershipFactory(user=away_teacher, school=cast.other_school, role=Role.TEACHER)
    mfa_login(client, cast.school_admin)
    assert client.post(f"/school/{cast.school.code}/staff/{own.pk}/end/").status_code == 403
    assert client.post(f"/school/{cast.school.code}/staff/{away.pk}/end/").status_code == 404
    assert client.post(f"/school/{cast.other_school.code}/staff/{away.pk}/end/").status_code == 403
    counselor = Membership.objects.get(user=cast.counselor, role=Role.COUNSELOR)
    assert client.post(f"/school/{cast.school.code}/staff/{counselor.pk}/end/").status_code == 403
    assert Membership.objects.filter(pk__in=[own.pk, away.pk, counselor.pk]).count() == 3
