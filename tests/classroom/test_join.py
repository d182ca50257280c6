"""Students who already have an account join a class with its code."""

from classroom.models import Enrollment
from classroom.services import classroom_archive
from schools.models import Membership, Role
from tests.factories import ClassroomFactory, SchoolFactory


def test_a_student_joins_with_the_code_however_it_is_typed(client, cast):
    client.force_login(cast.student)
    code = cast.other_classroom.join_code
    typed = f" {code[:4].lower()}-{code[4:]} "
    response = client.post("/join/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert Enrollment.objects.filter(classroom=cast.other_classroom, student=cast.student).exists()


def test_joining_a_class_of_another_school_adds_the_student_role_there(client, cast):
    away = ClassroomFactory(school=cast.other_school)
    client.force_login(cast.student)
    client.post("/join/", {"code": away.join_code})
    assert Membership.objects.filter(user=cast.student, school=cast.other_school, role=Role.STUDENT).exists()


def test_joining_twice_changes_nothing(client, cast):
    client.force_login(cast.student)
    client.post("/join/", {"code": cast.classroom.join_code})
    assert Enrollment.objects.filter(student=cast.student).count() == 1


def test_a_wrong_code_says_so_next_to_the_field_and_keeps_it(client, cast):
    client.force_login(cast.student)
    response = client.post("/join/", {"code": "NOPE1234"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in html and 'value="NOPE1234"' in html
    assert "코드" in html
    assert Enrollment.objects.filter(student=cast.student).count() == 1


def test_an_archived_class_cannot_be_joined(client, cast):
    classroom_archive(classroom=cast.other_classroom)
    client.force_login(cast.student)
    client.post("/join/", {"code": cast.other_classroom.join_code})
    assert not Enrollment.objects.filter(classroom=cast.other_classroom, student=cast.student).exists()


def test_guessing_codes_is_stopped_after_ten_tries(client, cast):
    client.force_login(cast.student)
    for n in range(10):
        client.post("/join/", {"code": f"WRONG{n:03d}"})
    response = client.post("/join/", {"code": cast.other_classroom.join_code})
    assert "15" in response.content.decode()
    assert not Enrollment.objects.filter(classroom=cast.other_classroom, student=cast.student).exists()


def test_the_teacher_can_renew_a_leaked_code(client, cast):
    client.force_login(cast.teacher)
    old = cast.classroom.join_code
    page = client.get(f"/teach/classes/{cast.classroom.pk}/code/").content.decode()
    assert f"{old[:4]}-{old[4:]}" in page and "/join/" in page
    client.post(f"/teach/classes/{cast.classroom.pk}/code/")
    cast.classroom.refresh_from_db()
    assert cast.classroom.join_code != old
    client.force_login(cast.other_student)
    client.post("/join/", {"code": old})
    assert not Enrollment.objects.filter(student=cast.other_student).exists()


def test_only_students_use_the_join_page(client, cast):
    client.force_login(cast.parent)
    assert client.get("/join/").status_code == 403
    assert SchoolFactory  # the cast has every other role covered in test_permissions
