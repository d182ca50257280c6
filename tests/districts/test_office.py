"""The education office: onboarding schools from a file (preview, all or
nothing, idempotent), completion per school and grade with a chart, the
reporting spreadsheet, and who may see it."""

import io

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Invitation
from districts.models import SchoolImport
from schools.models import School
from tests.conftest import mfa_login
from tests.factories import ClassroomFactory, EnrollmentFactory, SchoolFactory, StudentFactory, UserFactory

CSV = (
    "학교명,학교급,학교코드,상담교사,관리자\n"
    "새빛초등학교,초,7010057,counselor1@example.org,admin1@example.org; vice1@example.org\n"
    "바다중학교,중,7010058,counselor2@example.org,\n"
)


@pytest.fixture
def officer(cast, client):
    user = UserFactory(username="office-officer", email="officer@example.org")
    cast.school.district.safety_officers.add(user)
    mfa_login(client, user)
    return user


def office(cast) -> str:
    return f"/en/office/{cast.school.district.code}/"


def upload(client, cast, content: bytes, name: str = "schools.csv"):
    return client.post(office(cast) + "schools/import/", {"file": SimpleUploadedFile(name, content)})


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_officer_onboards_schools_from_a_file_and_staff_are_invited(
    client, cast, officer, django_capture_on_commit_callbacks
):
    response = upload(client, cast, CSV.encode("utf-8"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "새빛초등학교" in page and "2 new, 0 changed, 0 unchanged." in page
    assert not School.objects.filter(code="7010057").exists(), "nothing is saved before the officer confirms"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"])
    assert done.status_code == 302
    school = School.objects.get(code="7010057")
    assert school.district == cast.school.district and school.level == "elementary"
    assert set(Invitation.objects.filter(school=school).values_list("email", "role")) == {
        ("counselor1@example.org", "counselor"),
        ("admin1@example.org", "school_admin"),
        ("vice1@example.org", "school_admin"),
    }
    assert len(mail.outbox) == 4
    # The officer is the second person: the counselor invitation is approved and sent at once.
    counselor_invitation = Invitation.objects.get(school=school, role="counselor")
    assert not counselor_invitation.waiting_for_approval
    assert counselor_invitation.approved_by == counselor_invitation.invited_by
    assert SchoolImport.objects.get().rows[0]["counselors"] == [], "addresses are not kept after the invitations"
    # The school's report channel exists at once.
    assert client.get("/en/report/7010057/").status_code == 200


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_updates(
    client, cast, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(upload(client, cast, CSV.encode())["Location"])
    before = (School.objects.count(), Invitation.objects.count(), len(mail.outbox))
    again = upload(client, cast, CSV.encode())
    assert "0 new, 0 changed, 2 unchanged." in client.get(again["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(again["Location"])
    assert (School.objects.count(), Invitation.objects.count(), len(mail.outbox)) == before
    changed = upload(client, cast, CSV.replace("바다중학교", "푸른바다중학교").encode("cp949"))
    assert "0 new, 1 changed, 1 unchanged." in client.get(changed["Location"]).content.decode()
    client.post(changed["Location"])
    assert School.objects.get(code="7010058").name == "푸른바다중학교"


def test_an_xlsx_file_with_our_template_layout_is_read(client, cast, officer):
    template = client.get(office(cast) + "schools/import/template.xlsx")
    assert template.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(template.content)).active.values)
    assert rows[0][:3] == ("학교명", "학교급", "학교코드")
    content = xlsx([rows[0], ["산들고등학교", "고등학교", 7010099, "", ""]])
    response = upload(client, cast, content, "schools.xlsx")
    assert response.status_code == 302
    client.post(response["Location"])
    assert School.objects.get(code="7010099").level == "high"


@pytest.mark.parametrize(
    ("label", "content", "name", "message"),
    [
        ("encrypted", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "schools.xlsx", "protected with a password"),
        ("macros", None, "schools.xlsm", "macros"),
        ("bomb", None, "schools.xlsx", "unpacks to far more data"),
        ("bad rows", "학교명,학교급,학교코드\n,대학,12\n".encode(), "schools.csv", None),
        ("no columns", b"a,b\n1,2\n", "schools.csv", "Missing"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(client, cast, officer, label, content, name, message):
    import zipfile

    if label == "macros":
        buffer = io.BytesIO(xlsx([["학교명", "학교급", "학교코드"], ["가", "초", "7010001"]]))
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("xl/vbaProject.bin", b"macro")
        content = buffer.getvalue()
    if label == "bomb":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", "0" * 30_000_000)
        content = buffer.getvalue()
    schools = School.objects.count()
    response = upload(client, cast, content, name)
    if message is None:  # the rows are shown with their problems, and nothing can be confirmed
        preview = client.get(response["Location"])
        page = preview.content.decode()
        assert preview.status_code == 200 and "The school&#x27;s name is missing." in page
        assert "The level must be" in page and "Save the schools" not in page
        assert client.post(response["Location"]).status_code == 302
    else:
        assert response.status_code == 200
        assert message in response.content.decode()
    assert School.objects.count() == schools


def _class_with_pupils(school, grade, pupils):
    classroom = ClassroomFactory(school=school, grade=grade, school_year=2026)
    for _ in range(pupils):
        EnrollmentFactory(classroom=classroom, student=StudentFactory())
    return classroom


def test_the_office_sees_schools_below_the_threshold_first_in_a_chart_and_never_a_pupil(client, cast, officer):
    from tests.classroom.conftest import assign, lessons_of, source_module, take_check, take_quiz

    # The cast's school finishes its module (100%, with a learning gain); a
    # school named to sort after it by name does not (0%).
    module = source_module()
    assign(cast.classroom, module)
    take_check(cast.student, module, "pre", wrong=(0, 1))
    for lesson in lessons_of(module):
        take_quiz(cast.student, lesson, module)
    take_check(cast.student, module, "post")
    low = SchoolFactory(code="LOW001", name="하늘학교", district=cast.school.district)
    assign(_class_with_pupils(low, 3, 2), module)
    response = client.get(office(cast))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'class="chart-guide"' in page, "a chart with the threshold line"
    assert '<table class="visually-hidden">' in page, "the chart's numbers for screen readers"
    table = page[page.index('id="schools-heading"') :]
    assert table.index("하늘학교") < table.index(cast.school.name), "below the threshold comes first"
    assert "100%" in table and "below the threshold" in table
    assert cast.student.display_name not in page and cast.student.username not in page
    drill = client.get(office(cast) + f"schools/{low.code}/")
    assert drill.status_code == 200 and "Grade 3" in drill.content.decode()
    assert client.get(office(cast) + f"schools/{cast.other_school.code}/").status_code == 404


def test_the_spreadsheet_has_a_row_per_school(client, cast, officer):
    response = client.get(office(cast) + "completion.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    schools = list(workbook.worksheets[0].values)
    assert schools[0][0] == "School"
    assert {row[1] for row in schools[1:]} == set(
        School.objects.filter(district=cast.school.district).values_list("code", flat=True)
    )


def test_office_queries_do_not_grow_with_schools(client, cast, officer):
    from districts.selectors import forget_rollup

    district = cast.school.district
    SchoolFactory(code="GROW01", district=district)
    _class_with_pupils(School.objects.get(code="GROW01"), 4, 3)
    assert client.get(office(cast)).status_code == 200  # the first visit fills the caches (roles, routes)
    forget_rollup(district)  # added up on the spot
    with CaptureQueriesContext(connection) as first:
        client.get(office(cast))
    few = len(first.captured_queries)
    with CaptureQueriesContext(connection) as kept:  # the rollup is kept
        client.get(office(cast))
    for n in range(8):
        school = SchoolFactory(code=f"GROW1{n}", district=district)
        _class_with_pupils(school, 1 + n % 6, 2)
    forget_rollup(district)
    with CaptureQueriesContext(connection) as second:
        page = client.get(office(cast)).content.decode()
    assert "GROW17" in page or School.objects.get(code="GROW17").name in page
    assert len(second.captured_queries) == few, [q["sql"][:120] for q in second.captured_queries]
    with CaptureQueriesContext(connection) as kept_again:
        client.get(office(cast))
    assert len(kept_again.captured_queries) == len(kept.captured_queries) < few


def test_the_rollup_is_refreshed_by_the_periodic_task(client, cast, officer):
    from districts.tasks import refresh_office_rollups

    district = cast.school.district
    first = client.get(office(cast)).content.decode()
    late = SchoolFactory(code="LATE01", name="늦게온학교", district=district)
    assert "늦게온학교" not in client.get(office(cast)).content.decode()  # kept figures, at most minutes old
    assert refresh_office_rollups() >= 1
    assert late.name in client.get(office(cast)).content.decode()
    assert "added up at" in first or "집계" in first


def test_another_office_and_a_school_admin_are_refused(client, cast):
    stranger = UserFactory(username="stranger-officer")
    cast.other_school.district.safety_officers.add(stranger)
    mfa_login(client, stranger)
    assert client.get(office(cast)).status_code == 403
    assert client.get(office(cast) + "completion.xlsx").status_code == 403
    client.logout()
    mfa_login(client, cast.school_admin)
    assert client.get(office(cast)).status_code == 403
