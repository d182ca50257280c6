"""Student accounts from a roster or one by one, their login cards, new
cards, deactivation and moving to another class."""

import math
import re

import pytest
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from accounts.models import GuardianCode, User
from classroom import services, student_accounts
from classroom.models import Enrollment, RosterImport
from classroom.services import ClassroomError
from classroom.student_accounts import PASSWORD_ALPHABET, class_number, new_student_password
from schools.models import Membership, Role
from tests.factories import ClassroomFactory, MembershipFactory

ROSTER = "번호,이름\n" + "".join(f"{n},학생{n:02d}\n" for n in range(1, 10))


def import_roster(client, classroom, text=ROSTER):
    response = client.post(
        f"/teach/classes/{classroom.pk}/students/import/",
        {"file": SimpleUploadedFile("r.csv", text.encode("cp949"), content_type="text/csv")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def card_values(html, label):
    return re.findall(rf"<dt>{label}</dt><dd class=\"secret\">([^<]+)</dd>", html)


@pytest.fixture
def class_3(cast):
    classroom = ClassroomFactory(school=cast.school, name="1학년 3반", grade=1, school_year=2026)
    classroom.teachers.add(cast.teacher)
    return classroom


def test_import_creates_every_account_and_shows_printable_cards(client, cast, class_3):
    client.force_login(cast.teacher)
    preview = import_roster(client, class_3)
    response = client.post(preview)
    assert response.status_code == 200
    html = response.content.decode()
    usernames = card_values(html, "아이디")
    passwords = card_values(html, "비밀번호")
    assert usernames == [f"home01-26-13-{n:02d}" for n in range(1, 10)]
    assert len(passwords) == 9 and len(set(passwords)) == 9
    # Nine cards: two A4 sheets of at most eight.
    assert html.count('class="card-sheet"') == 2
    assert html.count('class="login-card"') == 9
    assert html.count('<svg class="qr"') == 9 and 'id="qr-path"' not in html
    assert "http://testserver/accounts/login/" in html or "/accounts/login/" in html
    assert "/accounts/signup/" in html
    # Every student exists once, enrolled with their number, as a student of the school.
    students = User.objects.filter(username__in=usernames)
    assert students.count() == 9
    assert set(Enrollment.objects.filter(classroom=class_3).values_list("student_number", flat=True)) == set(
        range(1, 10)
    )
    assert Membership.objects.filter(user__in=students, school=cast.school, role=Role.STUDENT).count() == 9
    # The password works and is not stored in plain text; students have no email.
    first = students.get(username=usernames[0])
    assert passwords[0] not in first.password and first.email == ""
    assert authenticate(username=usernames[0], password=passwords[0]) == first
    # The guardian code on the card is the one the parents' feature checks.
    codes = re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", html)
    assert len(set(codes)) == 9
    assert GuardianCode.objects.filter(code_hash=GuardianCode.hash(codes[0]), student=first, used_at=None).exists()
    # The import no longer holds the children's names.
    assert RosterImport.objects.get().rows == []


def test_the_card_page_says_passwords_are_not_kept_and_prints_without_inline_code(client, cast, class_3):
    client.force_login(cast.teacher)
    response = client.post(import_roster(client, class_3))
    assert response.status_code == 200
    html = response.content.decode()
    assert "저장되지 않" in html  # "not stored"
    assert "style=" not in html.split("<main", 1)[1]
    assert "<script>" not in html
    assert response_headers_forbid_caching(client, class_3)


def response_headers_forbid_caching(client, classroom):
    response = client.post(f"/teach/classes/{classroom.pk}/students/", {"name": "캐시", "number": ""})
    return "no-store" in response["Cache-Control"]


def test_confirming_twice_creates_nothing_more(client, cast, class_3):
    client.force_login(cast.teacher)
    preview = import_roster(client, class_3)
    client.post(preview)
    count = User.objects.count()
    again = client.post(preview, follow=True)
    assert User.objects.count() == count
    assert "이미 만들어" in again.content.decode()


def test_it_is_all_or_nothing_when_a_number_was_taken_meanwhile(client, cast, class_3):
    client.force_login(cast.teacher)
    preview = import_roster(client, class_3)
    client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "먼저온학생", "number": "5"})
    count = User.objects.count()
    response = client.post(preview, follow=True)
    assert User.objects.count() == count
    assert Enrollment.objects.filter(classroom=class_3).count() == 1
    assert "5" in response.content.decode() and "아무것도 만들지 않았습니다" in response.content.decode()


def test_a_roster_with_problems_cannot_be_confirmed(client, cast, class_3):
    client.force_login(cast.teacher)
    preview = import_roster(client, class_3, "번호,이름\n1,\n2,김\n")
    count = User.objects.count()
    client.post(preview)
    assert User.objects.count() == count


def test_adding_one_student_gives_the_next_number_and_a_card(client, cast, class_3):
    client.force_login(cast.teacher)
    client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "김하늘", "number": "7"})
    response = client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "  이   바다 ", "number": ""})
    html = response.content.decode()
    assert card_values(html, "아이디") == ["home01-26-13-08"]
    assert User.objects.get(username="home01-26-13-08").display_name == "이 바다"


def test_adding_a_student_with_a_taken_number_or_no_name_says_so(client, cast, class_3):
    client.force_login(cast.teacher)
    client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "김하늘", "number": "7"})
    count = User.objects.count()
    response = client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "이바다", "number": "7"})
    html = response.content.decode()
    assert 'id="id_number_error"' in html and "7" in html
    assert 'value="이바다"' in html  # the form keeps what was typed
    response = client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "   ", "number": ""})
    assert 'id="id_name_error"' in response.content.decode()
    assert User.objects.count() == count


def test_usernames_stay_unique_when_the_same_class_name_exists_twice(cast):
    first = ClassroomFactory(school=cast.school, name="1학년 3반", grade=1, school_year=2026)
    second = ClassroomFactory(school=cast.school, name="1학년 3반 (방과후)", grade=1, school_year=2026)
    a = student_accounts.student_add(classroom=first, name="가", number=1)
    b = student_accounts.student_add(classroom=second, name="나", number=1)
    c = student_accounts.student_add(
        classroom=ClassroomFactory(school=cast.school, name="3반", grade=1), name="다", number=1
    )
    assert (a.username, b.username, c.username) == ("home01-26-13-01", "home01-26-13-01-2", "home01-26-13-01-3")


@pytest.mark.parametrize(
    ("name", "grade", "expected"),
    [("1학년 3반", 1, "3"), ("3반", 2, "3"), ("Class 2-4", 2, "4"), ("과학반", 1, ""), ("2학년", 2, "")],
)
def test_the_class_number_comes_from_the_name(name, grade, expected):
    assert class_number(ClassroomFactory.build(name=name, grade=grade)) == expected


def test_passwords_are_typeable_and_have_at_least_40_bits():
    password = new_student_password()
    assert re.fullmatch(r"[a-z2-9]{3}-[a-z2-9]{3}-[a-z2-9]{3}", password)
    assert not set(password) & set("01ilo")
    assert 9 * math.log2(len(PASSWORD_ALPHABET)) >= 40
    assert len({new_student_password() for _ in range(200)}) == 200


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_new_passwords_are_hashed_quickly_and_upgraded_at_first_login(cast):
    card = student_accounts.student_add(classroom=cast.classroom, name="빠른해시", number=None)
    student = User.objects.get(username=card.username)
    assert student.password.startswith(f"pbkdf2_sha256${student_accounts.INITIAL_PBKDF2_ITERATIONS}$")
    assert authenticate(username=card.username, password=card.password) == student
    student.refresh_from_db()
    assert student.password.startswith("md5$")  # re-hashed with the preferred hasher


def test_new_cards_replace_password_and_guardian_code(client, cast):
    client.force_login(cast.teacher)
    old_code = GuardianCode.issue(cast.student)
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/students/cards/", {"enrollment": [enrollment.pk]})
    html = response.content.decode()
    [password] = card_values(html, "비밀번호")
    assert authenticate(username="student", password=password) is not None
    assert authenticate(username="student", password="correct-horse-battery-staple") is None
    assert not GuardianCode.objects.get(code_hash=GuardianCode.hash(old_code)).usable


def test_the_reset_button_on_a_student_makes_one_card(client, cast):
    client.force_login(cast.teacher)
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/students/{enrollment.pk}/reset/")
    assert response.status_code == 200
    assert len(card_values(response.content.decode(), "비밀번호")) == 1


def test_accounts_with_an_adult_role_are_never_reset_or_deactivated(client, cast):
    """A teacher who joined a class as a student (with its code) keeps their
    own password: a colleague could otherwise take over their account."""
    MembershipFactory(user=cast.other_teacher, school=cast.school, role=Role.STUDENT)
    enrollment = Enrollment.objects.create(classroom=cast.classroom, student=cast.other_teacher)
    client.force_login(cast.teacher)
    before = User.objects.get(pk=cast.other_teacher.pk).password
    assert client.post(f"/teach/classes/{cast.classroom.pk}/students/{enrollment.pk}/reset/").status_code == 404
    assert (
        client.post(f"/teach/classes/{cast.classroom.pk}/students/{enrollment.pk}/active/", {"active": "0"}).status_code
        == 404
    )
    response = client.post(f"/teach/classes/{cast.classroom.pk}/students/cards/", {"enrollment": [enrollment.pk]})
    assert response.status_code == 302
    other = User.objects.get(pk=cast.other_teacher.pk)
    assert other.password == before and other.is_active


def test_deactivating_stops_the_login_and_keeps_the_results(client, cast):
    client.force_login(cast.teacher)
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    url = f"/teach/classes/{cast.classroom.pk}/students/{enrollment.pk}/active/"
    client.post(url, {"active": "0"})
    assert authenticate(username="student", password="correct-horse-battery-staple") is None
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()
    client.post(url, {"active": "1"})
    assert authenticate(username="student", password="correct-horse-battery-staple") is not None


def test_moving_a_student_to_another_of_my_classes(client, cast):
    target = ClassroomFactory(school=cast.school, name="2학년 3반")
    target.teachers.add(cast.teacher)
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    client.force_login(cast.teacher)
    url = f"/teach/classes/{cast.classroom.pk}/students/{enrollment.pk}/"
    response = client.post(url, {"classroom": target.pk, "number": "4"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.classroom_id, enrollment.student_number) == (target.pk, 4)


def test_a_student_cannot_be_moved_into_another_teachers_class(client, cast):
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    client.force_login(cast.teacher)
    url = f"/teach/classes/{cast.classroom.pk}/students/{enrollment.pk}/"
    response = client.post(url, {"classroom": cast.other_classroom.pk, "number": ""})
    assert response.status_code == 200
    assert 'id="id_classroom_error"' in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.classroom_id == cast.classroom.pk


def test_a_number_already_used_in_the_target_class_is_refused(cast):
    target = ClassroomFactory(school=cast.school)
    student_accounts.student_add(classroom=target, name="가", number=4)
    enrollment = Enrollment.objects.get(classroom=cast.classroom, student=cast.student)
    with pytest.raises(ClassroomError):
        services.enrollment_update(enrollment=enrollment, to_classroom=target, number=4)
    enrollment.refresh_from_db()
    assert enrollment.classroom_id == cast.classroom.pk


def test_archived_classes_take_no_new_students(client, cast, class_3):
    services.classroom_archive(classroom=class_3)
    client.force_login(cast.teacher)
    count = User.objects.count()
    client.post(f"/teach/classes/{class_3.pk}/students/", {"name": "가", "number": "1"})
    assert client.get(f"/teach/classes/{class_3.pk}/students/import/").status_code == 302
    assert User.objects.count() == count


def test_reloading_the_card_page_makes_no_new_passwords(client, cast, class_3):
    client.force_login(cast.teacher)
    page = client.get(f"/teach/classes/{class_3.pk}/students/").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    data = {"name": "김하늘", "number": "", "once": once}
    first = client.post(f"/teach/classes/{class_3.pk}/students/", data)
    assert first.status_code == 200 and len(card_values(first.content.decode(), "비밀번호")) == 1
    student = User.objects.get(display_name="김하늘")
    again = client.post(f"/teach/classes/{class_3.pk}/students/", data, follow=True)
    assert "이미 만든 카드" in again.content.decode()
    assert User.objects.filter(display_name="김하늘").count() == 1
    assert User.objects.get(pk=student.pk).password == student.password


def test_the_birth_year_of_the_roster_is_kept_when_accounts_have_one(client, cast, class_3):
    if not any(f.name == "birth_year" for f in User._meta.get_fields()):
        pytest.skip("User.birth_year comes with the parents feature")
    client.force_login(cast.teacher)
    client.post(import_roster(client, class_3, "번호,이름,생년\n1,김하늘,2013\n2,이바다,\n"))
    years = dict(User.objects.filter(enrollments__classroom=class_3).values_list("display_name", "birth_year"))
    assert years == {"김하늘": 2013, "이바다": None}
