"""The "school account ID" column of a class roster, through the real upload,
preview and confirm pages: IDs for new pupils and for pupils already in the
class, problems per row (repeated in the file, already someone else's in the
education office), nothing stored while a row has a problem, and the same
file twice changing nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ExternalId, User
from classroom.models import Enrollment, RosterImport
from classroom.roster import parse_roster
from schools.models import Role
from tests.factories import EnrollmentFactory, MembershipFactory, SchoolFactory, StudentFactory

FILE = "번호,이름,학교 계정 ID\n1,김하늘,s2026001\n2,이바다,s2026002\n3,박서준,\n"


def upload(client, classroom, text: str, prefix=""):
    answer = client.post(
        f"{prefix}/teach/classes/{classroom.pk}/students/import/",
        {"file": SimpleUploadedFile("명렬표.csv", text.encode(), content_type="text/csv")},
    )
    assert answer.status_code == 302, answer.content[:500]
    return answer["Location"]


def stored(cast):
    return sorted(ExternalId.objects.filter(district=cast.school.district).values_list("user__display_name", "value"))


@pytest.fixture
def class_3(cast):
    from tests.factories import ClassroomFactory

    classroom = ClassroomFactory(school=cast.school, name="2학년 3반")
    classroom.teachers.add(cast.teacher)
    return classroom


def test_new_pupils_get_their_school_account_ids(client, cast, class_3):
    client.force_login(cast.teacher)
    preview = upload(client, class_3, FILE)
    html = client.get(preview).content.decode()
    assert "학교 계정 ID" in html and "s2026001" in html
    assert "계정 3개 만들기" in html
    assert ExternalId.objects.count() == 0
    cards = client.post(preview)
    assert cards.status_code == 200
    assert stored(cast) == [("김하늘", "s2026001"), ("이바다", "s2026002")]


def test_re_importing_the_same_file_changes_nothing(client, cast, class_3):
    client.force_login(cast.teacher)
    client.post(upload(client, class_3, FILE))
    before = (User.objects.count(), Enrollment.objects.count(), stored(cast))
    preview = upload(client, class_3, FILE)
    html = client.get(preview).content.decode()
    assert "이 파일의 내용은 모두 이미 학급에 있습니다." in html
    assert "만들기" not in html and "저장" not in html.split("다른 파일 올리기")[0]
    answer = client.post(preview, follow=True)
    assert "이미 학급에 있습니다" in answer.content.decode()
    assert (User.objects.count(), Enrollment.objects.count(), stored(cast)) == before


def test_pupils_already_in_the_class_get_ids_from_a_file(client, cast, class_3):
    client.force_login(cast.teacher)
    client.post(upload(client, class_3, "번호,이름\n1,김하늘\n2,이바다\n"))
    users = User.objects.count()
    preview = upload(client, class_3, "번호,이름,school account id\n1,김하늘,s-1\n2,이 바다,s-2\n")
    html = client.get(preview).content.decode()
    assert "학교 계정 ID 2개 저장" in html
    answer = client.post(preview, follow=True)
    assert "학생 2명의 학교 계정 ID를 저장했습니다." in answer.content.decode()
    assert User.objects.count() == users
    assert stored(cast) == [("김하늘", "s-1"), ("이바다", "s-2")]
    # A changed ID replaces the old one.
    client.post(upload(client, class_3, "번호,이름,학교계정ID\n1,김하늘,s-1b\n"))
    assert stored(cast) == [("김하늘", "s-1b"), ("이바다", "s-2")]


def test_an_id_repeated_in_the_file_is_a_problem_on_both_rows_and_nothing_is_stored(client, cast, class_3):
    client.force_login(cast.teacher)
    users = User.objects.count()
    preview = upload(client, class_3, "번호,이름,학교 계정 ID\n1,김하늘,same\n2,이바다,same\n")
    html = client.get(preview).content.decode()
    assert "학교 계정 ID same은(는) 3번째 줄에도 있습니다." in html
    assert "학교 계정 ID same은(는) 2번째 줄에도 있습니다." in html
    assert "만들기" not in html.split("다른 파일 올리기")[0]
    client.post(preview)
    assert User.objects.count() == users and ExternalId.objects.count() == 0


def test_an_id_of_another_person_in_the_office_is_refused_in_the_readers_language(client, cast, class_3):
    neighbour_school = SchoolFactory(district=cast.school.district, code="NEXT01")
    neighbour = StudentFactory(username="neighbour", display_name="옆학교학생")
    MembershipFactory(user=neighbour, school=neighbour_school, role=Role.STUDENT)
    ExternalId.objects.create(district=cast.school.district, user=neighbour, value="s2026001")
    # The same ID in another education office is someone else's business.
    ExternalId.objects.create(district=cast.other_school.district, user=cast.other_student, value="s2026002")
    client.force_login(cast.teacher)
    users = User.objects.count()
    preview = upload(client, class_3, FILE)
    korean = client.get(preview).content.decode()
    assert "학교 계정 ID s2026001은(는) 이 교육청의 다른 사람이 이미 쓰고 있습니다." in korean
    assert "옆학교학생" not in korean  # whose it is stays private
    assert korean.count('class="row-problem"') == 1
    english = client.get("/en" + preview).content.decode()
    assert "School account ID s2026001 already belongs to another person in this education office." in english
    client.post(preview)
    assert User.objects.count() == users
    assert ExternalId.objects.filter(district=cast.school.district).count() == 1
    assert RosterImport.objects.get().used_at is None


def test_a_pupil_keeps_their_own_id_when_the_file_names_it_again(client, cast):
    EnrollmentFactory._meta.model.objects.filter(student=cast.student).update(student_number=5)
    ExternalId.objects.create(district=cast.school.district, user=cast.student, value="mine")
    client.force_login(cast.teacher)
    preview = upload(client, cast.classroom, "번호,이름,학교 계정 ID\n5,학생,mine\n6,새학생,new-1\n")
    html = client.get(preview).content.decode()
    assert 'class="row-problem"' not in html and "계정 1개 만들기" in html
    client.post(preview)
    assert sorted(ExternalId.objects.values_list("value", flat=True)) == ["mine", "new-1"]


def test_an_id_longer_than_200_characters_is_a_row_problem():
    roster = parse_roster(io.BytesIO(("번호,이름,계정ID\n1,김하늘," + "x" * 201 + "\n").encode()))
    assert [code for code, _params in roster.rows[0].errors] == ["account_id_too_long"]
