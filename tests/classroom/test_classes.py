"""Teachers create, list, archive and restore their classes."""

from classroom.models import Classroom
from tests.classroom.conftest import assign, lessons_of, take_quiz
from tests.factories import MembershipFactory, SchoolFactory


def test_creating_a_class_is_one_short_form(client, cast):
    client.force_login(cast.teacher)
    form = client.get("/teach/classes/new/").content.decode()
    assert 'name="name"' in form and 'name="grade"' in form and 'name="school_year"' in form
    response = client.post(
        "/teach/classes/new/", {"name": "1학년 3반", "grade": "1", "school_year": "2026", "school": cast.school.pk}
    )
    classroom = Classroom.objects.get(name="1학년 3반")
    assert response["Location"] == f"/teach/classes/{classroom.pk}/students/"
    assert list(classroom.teachers.all()) == [cast.teacher] and classroom.school == cast.school


def test_the_grade_must_fit_the_school_level(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        "/teach/classes/new/", {"name": "5학년 1반", "grade": "5", "school_year": "2026", "school": cast.school.pk}
    )
    html = response.content.decode()
    assert 'id="id_grade_error"' in html and "중학교" in html
    assert 'value="5학년 1반"' in html
    assert not Classroom.objects.filter(name="5학년 1반").exists()


def test_a_second_class_with_the_same_name_in_the_same_year_is_refused(client, cast):
    client.force_login(cast.teacher)
    data = {"name": cast.classroom.name, "grade": "1", "school_year": "2026", "school": cast.school.pk}
    response = client.post("/teach/classes/new/", data)
    assert 'id="id_name_error"' in response.content.decode()
    assert Classroom.objects.filter(name=cast.classroom.name).count() == 1


def test_a_class_cannot_be_created_at_a_school_where_i_do_not_teach(client, cast):
    client.force_login(cast.teacher)
    data = {"name": "몰래반", "grade": "1", "school_year": "2026", "school": cast.other_school.pk}
    response = client.post("/teach/classes/new/", data)
    assert response.status_code == 200
    assert not Classroom.objects.filter(name="몰래반").exists()


def test_a_teacher_at_two_schools_chooses_the_school(client, cast):
    second = SchoolFactory(code="SECOND01", name="둘째학교", level="elementary")
    MembershipFactory(user=cast.teacher, school=second, role="teacher")
    client.force_login(cast.teacher)
    html = client.get("/teach/classes/new/").content.decode()
    assert "<select" in html and "둘째학교" in html
    client.post("/teach/classes/new/", {"name": "5학년 2반", "grade": "5", "school_year": "2026", "school": second.pk})
    assert Classroom.objects.get(name="5학년 2반").school == second


def test_teacher_home_lists_my_classes_with_completion(client, cast, module):
    assign(cast.classroom, module)
    take_quiz(cast.student, lessons_of(module)[0], module)
    client.force_login(cast.teacher)
    response = client.get("/teach/")
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.classroom.name in html and cast.other_classroom.name not in html
    assert '<progress max="100" value="25"' in html


def test_archiving_and_restoring(client, cast):
    client.force_login(cast.teacher)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/archive/", {"action": "archive"})
    assert response["Location"] == "/teach/"
    cast.classroom.refresh_from_db()
    assert cast.classroom.archived_at is not None
    html = client.get("/teach/").content.decode()
    assert "보관한 학급" in html
    # An archived class can be looked at, not changed.
    assert client.get(f"/teach/classes/{cast.classroom.pk}/").status_code == 200
    client.post(f"/teach/classes/{cast.classroom.pk}/archive/", {"action": "restore"})
    cast.classroom.refresh_from_db()
    assert cast.classroom.archived_at is None
