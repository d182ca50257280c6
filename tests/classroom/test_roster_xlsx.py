"""Rosters from Excel: the NEIS student list and our template read like CSV,
through the same preview and all-or-nothing creation; a fake xlsx, a zip
bomb, a password-protected and a macro file are refused with a message."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from classroom.models import RosterImport
from classroom.roster_xlsx import parse_xlsx, template_workbook
from tests.factories import ClassroomFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def neis_list(n=5) -> bytes:
    """The NEIS layout: a title, the school and class, an empty row, then the header."""
    return workbook_bytes(
        [
            ["학생 명렬표"],
            ["우리중학교", None, "1학년 3반"],
            [],
            ["번호", "성명", "성별", "생년월일"],
            *[[n, f"학생{n:02d}", "남", "2013.03.01"] for n in range(1, n + 1)],
            [],
            ["출력일: 2026-03-02"],
        ]
    )


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture
def class_3(cast):
    classroom = ClassroomFactory(school=cast.school, name="1학년 3반", grade=1, school_year=2026)
    classroom.teachers.add(cast.teacher)
    return classroom


def post(client, classroom, name, data):
    return client.post(f"/teach/classes/{classroom.pk}/students/import/", {"file": upload(name, data)})


def test_the_neis_list_is_read_from_its_header_row():
    roster = parse_xlsx(io.BytesIO(neis_list(3)), filename="명렬표.xlsx", this_year=2026)
    assert roster.ok, roster.file_errors
    assert [(r.line, r.number, r.name) for r in roster.rows] == [(5, 1, "학생01"), (6, 2, "학생02"), (7, 3, "학생03")]
    assert "생년월일" in roster.ignored_columns


def test_our_template_has_a_header_and_an_example_row_and_reads_back():
    roster = parse_xlsx(io.BytesIO(template_workbook()), filename="t.xlsx")
    assert roster.ok and len(roster.rows) == 1
    assert roster.rows[0].number == 1 and roster.rows[0].name == "홍길동" and roster.rows[0].birth_year


def test_row_problems_are_marked_like_csv():
    data = workbook_bytes([["번호", "이름"], [1, "가"], [1, "나"], ["x", "다"], [4, None]])
    roster = parse_xlsx(io.BytesIO(data), filename="r.xlsx", taken_numbers={})
    codes = [[code for code, _ in row.errors] for row in roster.rows]
    assert codes == [["number_repeated"], ["number_repeated"], ["number_invalid"], ["name_missing"]]


def test_a_file_without_the_columns_names_them():
    roster = parse_xlsx(io.BytesIO(workbook_bytes([["a", "b"], [1, 2]])), filename="r.xlsx")
    assert roster.file_errors and "번호" in str(roster.file_errors[0])


def test_teacher_imports_the_neis_list_previews_and_creates_all(client, cast, class_3):
    client.force_login(cast.teacher)
    response = post(client, class_3, "명렬표.xlsx", neis_list(5))
    assert response.status_code == 302, response.content.decode()[:800]
    preview = client.get(response["Location"])
    assert "학생05" in preview.content.decode()
    cards = client.post(response["Location"])
    assert cards.status_code == 200
    assert User.objects.filter(display_name__regex=r"^학생\d\d$").count() == 5
    assert class_3.enrollments.count() == 5


def test_the_template_downloads_from_the_upload_page(client, cast, class_3):
    client.force_login(cast.teacher)
    page = client.get(f"/teach/classes/{class_3.pk}/students/import/").content.decode()
    url = f"/teach/classes/{class_3.pk}/students/import/template.xlsx"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("번호", "이름", "생년", "학교 계정 ID") and len(rows) == 2


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    return out.getvalue()


def with_macros() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([["번호", "이름"], [1, "가"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"macro")
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"EncryptedPackage"


@pytest.mark.parametrize(
    ("name", "data", "ko", "en"),
    [
        ("r.xlsx", b"PK\x03\x04 this is not a zip at all", "진짜 엑셀", "not a real Excel"),
        ("r.xlsx", "번호,이름\n1,가".encode(), "진짜 엑셀", "not a real"),
        ("r.xlsx", bomb(), "풀면", "unpacks"),
        ("r.xlsx", OLE, "비밀번호", "password"),
        ("r.xlsm", workbook_bytes([["번호", "이름"], [1, "가"]]), "매크로", "macros"),
        ("r.xlsx", with_macros(), "매크로", "macros"),
    ],
    ids=["fake-zip", "text-named-xlsx", "bomb", "encrypted", "xlsm", "vba-inside"],
)
def test_bad_excel_files_are_refused_with_a_message_in_both_languages(client, cast, class_3, name, data, ko, en):
    client.force_login(cast.teacher)
    response = post(client, class_3, name, data)
    assert response.status_code == 200
    assert ko in response.content.decode()
    english = client.post(
        f"/en/teach/classes/{class_3.pk}/students/import/", {"file": upload(name, data)}
    ).content.decode()
    assert en in english
    assert not RosterImport.objects.exists()
    assert class_3.enrollments.count() == 0


def test_the_bomb_is_refused_before_openpyxl_opens_it(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    roster = parse_xlsx(io.BytesIO(bomb()), filename="r.xlsx")
    assert roster.file_errors and not roster.rows
