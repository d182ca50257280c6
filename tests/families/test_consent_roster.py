"""The school admin's consent-roster import: the school's own list of pupils
it holds consent for, as .xlsx or CSV; a preview; all or nothing; method
"school roster" with the date and the recorder kept; unknown or ambiguous
pupils are errors and nothing is recorded; bad files are refused."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import GuardianConsent, User
from accounts.permissions import results_may_be_stored
from families.models import ConsentRosterEntry, ConsentRosterImport
from tests.classroom.conftest import add_students
from tests.classroom.test_roster_xlsx import OLE, bomb, with_macros, workbook_bytes
from tests.conftest import mfa_login
from tests.factories import ClassroomFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def classes(cast):
    """Two grade-1 classes of the cast's school (under the consent age), ten
    pupils each, named 학생01..학생10 in both: names alone are ambiguous."""
    one = ClassroomFactory(school=cast.school, name="1학년 5반", grade=1)
    two = ClassroomFactory(school=cast.school, name="1학년 6반", grade=1)
    add_students(one, 10)
    add_students(two, 10)
    return one, two


@pytest.fixture
def admin(client, cast):
    mfa_login(client, cast.school_admin)
    return client


def base(cast, lang=""):
    return f"{lang}/school/{cast.school.code}/consent-roster/"


def upload(client, cast, name, data, lang=""):
    return client.post(base(cast, lang), {"file": SimpleUploadedFile(name, data)})


def en(location: str) -> str:
    return location if location.startswith("/en/") else "/en" + location


def pupil(classroom, number) -> User:
    return classroom.enrollments.get(student_number=number).student


def roster_consents():
    return GuardianConsent.objects.filter(method="roster", ended_at__isnull=True)


def csv(text: str) -> bytes:
    return text.encode("utf-8-sig")


def test_csv_by_grade_class_and_number_preview_then_record_all(admin, cast, classes):
    one, two = classes
    data = csv(
        "학년,반,번호,이름,동의 방법,동의일\n"
        + "".join(f"1,5,{n},학생{n:02d},가정통신문,2026-03-0{1 + n % 5}\n" for n in range(1, 11))
        + "1,6반,3,,온라인 설문,2026.03.04\n"
    )
    home = admin.get("/school/").content.decode()
    assert base(cast) in home
    response = upload(admin, cast, "동의명단.csv", data)
    assert response.status_code == 302
    roster_import = ConsentRosterImport.objects.get()
    preview = admin.get(response["Location"]).content.decode()
    assert "11명" in preview or "11" in preview
    assert "학생03" in preview and "1학년 6반" in preview and "row-problem" not in preview
    assert not roster_consents().exists(), "nothing recorded before the confirmation"

    confirmed = admin.post(response["Location"])
    assert confirmed.status_code == 302
    consents = roster_consents()
    assert consents.count() == 11
    assert set(consents.values_list("decision", "recorded_by", "guardian")) == {("given", cast.school_admin.pk, None)}
    entry = ConsentRosterEntry.objects.get(consent__student=pupil(two, 3))
    assert (entry.school_method, entry.consented_on.isoformat()) == ("온라인 설문", "2026-03-04")
    assert ConsentRosterEntry.objects.get(consent__student=pupil(one, 4)).school_method == "가정통신문"
    assert all(results_may_be_stored(User.objects.get(pk=pupil(one, n).pk)) for n in range(1, 11))
    assert not results_may_be_stored(User.objects.get(pk=pupil(two, 1).pk))
    roster_import.refresh_from_db()
    assert roster_import.used_at and roster_import.rows == [] and roster_import.recorded_count == 11
    again = admin.post(response["Location"])
    assert again.status_code == 302 and roster_consents().count() == 11, "a second confirmation records nothing"


def test_xlsx_by_username_and_the_template(admin, cast, classes):
    one, _two = classes
    template = admin.get(base(cast) + "template.xlsx")
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    rows = list(openpyxl.load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("학년", "반", "번호", "이름", "아이디", "동의 방법", "동의일") and len(rows) == 2
    assert base(cast) + "template.xlsx" in admin.get(base(cast)).content.decode()

    import datetime

    data = workbook_bytes(
        [
            ["아이디", "동의 방법", "동의일"],
            [pupil(one, 1).username, "서면 동의서", datetime.date(2026, 3, 2)],
            [pupil(one, 2).username.upper(), "서면 동의서", "2026-03-03"],
        ]
    )
    response = upload(admin, cast, "consent.xlsx", data)
    assert response.status_code == 302
    admin.post(response["Location"])
    assert set(roster_consents().values_list("student_id", flat=True)) == {pupil(one, 1).pk, pupil(one, 2).pk}
    assert ConsentRosterEntry.objects.get(consent__student=pupil(one, 1)).consented_on == datetime.date(2026, 3, 2)


def test_unknown_and_ambiguous_pupils_are_listed_and_nothing_is_recorded(admin, cast, classes):
    data = csv(
        "학년,반,번호,이름,아이디,동의 방법,동의일\n"
        ",,,학생01,,가정통신문,2026-03-02\n"  # two pupils have this name
        ",,,없는학생,,가정통신문,2026-03-02\n"
        ",,,,nobody-here,가정통신문,2026-03-02\n"
        "1,9,1,,,가정통신문,2026-03-02\n"  # no class 1-9
        "1,5,30,,,가정통신문,2026-03-02\n"  # no number 30
        "1,5,2,다른이름,,가정통신문,2026-03-02\n"  # the name does not match
        "1,5,3,,,,2026-03-02\n"  # no method
        "1,5,4,,,가정통신문,어제\n"  # not a date
        "1,5,5,,,가정통신문,2999-01-01\n"  # in the future
        "1,5,6,,,가정통신문,2026-03-02\n"
        "1,5,6,,,가정통신문,2026-03-02\n"  # the same pupil twice
    )
    response = upload(admin, cast, "명단.csv", data, lang="/en")
    preview = admin.get(en(response["Location"])).content.decode()
    for said in [
        "2 pupils of this school are called 학생01",
        "No pupil of this school is called 없는학생",
        "No pupil of this school has the username nobody-here",
        "No current class of this school matches “1 9”",
        "has no pupil with number 30",
        "The name 다른이름 does not match this pupil (학생02)",
        "The consent method is missing",
        "The consent date must be a date like 2026-03-02",
        "The consent date is in the future",
        "This pupil is also on line 11",
    ]:
        assert said in preview, (said, re.findall(r"<li>(.*?)</li>", preview))
    assert "Nothing was recorded" in preview and "Record consent for" not in preview
    refused = admin.post(response["Location"])
    assert refused.status_code == 302
    assert not roster_consents().exists()
    assert "fix the rows with problems" in admin.get(en(response["Location"])).content.decode()


def test_row_problems_are_said_in_korean(admin, cast, classes):
    response = upload(admin, cast, "명단.csv", csv("이름,동의 방법,동의일\n학생01,가정통신문,2026-03-02\n"))
    preview = admin.get(response["Location"]).content.decode()
    assert "이 학교에 학생01 학생이 2명 있습니다" in preview


@pytest.mark.parametrize(
    ("name", "data", "ko", "en"),
    [
        ("r.xlsx", bomb(), "풀면", "unpacks"),
        ("r.xlsx", OLE, "비밀번호", "password"),
        ("r.xlsm", workbook_bytes([["아이디", "동의 방법", "동의일"], ["a", "b", "2026-03-02"]]), "매크로", "macros"),
        ("r.xlsx", with_macros(), "매크로", "macros"),
        ("r.csv", csv("번호,이름\n1,학생01\n"), "동의 방법", "Missing"),
        ("r.csv", csv("동의 방법,동의일\n가정통신문,2026-03-02\n"), "아이디", "who each pupil is"),
        ("r.csv", b"", "", ""),
    ],
    ids=["bomb", "encrypted", "xlsm", "vba-inside", "no-consent-columns", "no-identity-columns", "empty"],
)
def test_bad_files_are_refused_with_a_message_and_nothing_is_kept(admin, cast, classes, name, data, ko, en):
    response = upload(admin, cast, name, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html or "errorlist" in html
    assert ko in html
    english = upload(admin, cast, name, data, lang="/en").content.decode()
    assert en in english
    assert not ConsentRosterImport.objects.exists()
    assert not roster_consents().exists()


def test_a_file_over_1_mb_is_413(admin, cast, classes):
    response = upload(admin, cast, "big.csv", b"a" * (1024 * 1024 + 10))
    assert response.status_code == 413
    assert not ConsentRosterImport.objects.exists()


def test_other_schools_admins_and_teachers_cannot_import(client, cast, classes):
    client.force_login(cast.teacher)
    assert client.get(base(cast)).status_code in (302, 403)
    data = csv("아이디,동의 방법,동의일\nx,가정통신문,2026-03-02\n")
    assert client.post(base(cast), {"file": SimpleUploadedFile("a.csv", data)}).status_code in (302, 403)
    assert not ConsentRosterImport.objects.exists()


def test_another_admin_cannot_open_someone_s_preview(admin, cast, classes):
    response = upload(admin, cast, "명단.csv", csv("학년,반,번호,동의 방법,동의일\n1,5,1,가정통신문,2026-03-02\n"))
    roster_import = ConsentRosterImport.objects.get()
    roster_import.created_by = cast.teacher  # made by someone else
    roster_import.save()
    assert admin.get(response["Location"]).status_code == 404
    assert admin.post(response["Location"]).status_code == 404
    assert not roster_consents().exists()


def test_recording_costs_the_same_queries_for_10_and_40_pupils(admin, cast):
    counts = []
    for name, size in (("1학년 8반", 10), ("1학년 9반", 40)):
        classroom = ClassroomFactory(school=cast.school, name=name, grade=1)
        add_students(classroom, size)
        number = name.split()[1].removesuffix("반")
        data = csv(
            "학년,반,번호,동의 방법,동의일\n"
            + "".join(f"1,{number},{n},가정통신문,2026-03-02\n" for n in range(1, size + 1))
        )
        response = upload(admin, cast, "명단.csv", data)
        with CaptureQueriesContext(connection) as queries:
            admin.post(response["Location"])
        assert (
            GuardianConsent.objects.filter(method="roster", student__enrollments__classroom=classroom).count() == size
        )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_class_consent_sheet_names_a_school_roster_consent(admin, client, cast, classes):
    one, _ = classes
    one.teachers.add(cast.teacher)
    data = csv("학년,반,번호,이름,동의 방법,동의일\n1,5,2,학생02,가정통신문,2026-03-02\n")
    admin.post(upload(admin, cast, "동의명단.csv", data)["Location"])
    assert roster_consents().count() == 1
    client.force_login(cast.teacher)
    sheet = client.get(f"/teach/classes/{one.pk}/consent/").content.decode()
    row = next(r for r in sheet.split("<tr") if "학생02" in r)
    assert "동의 있음 (학교 동의 명단)" in row and "온라인" not in row
    other = next(r for r in sheet.split("<tr") if "학생03" in r)
    assert "동의 있음" not in other
