"""Roster files: both encodings Korean Excel and others write, every kind of
bad file and bad row, and the upload page that shows them and creates
nothing."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import User
from classroom.models import Enrollment, RosterImport
from classroom.roster import MAX_BYTES, parse_roster


@pytest.fixture(autouse=True)
def english():
    """Messages made outside a request use the active language: fix it, since
    an earlier test's request may have left Korean active."""
    with translation.override("en"):
        yield


KOREAN = "번호,이름,생년\n1,김하늘,2013\n2,이바다,\n3,박 서 준,2012\n"


def parse(data: bytes, **kwargs):
    return parse_roster(io.BytesIO(data), **kwargs)


def rows(roster):
    return [(r.line, r.number, r.name, r.birth_year) for r in roster.rows]


@pytest.mark.parametrize(
    "encoded",
    [KOREAN.encode("utf-8"), ("\ufeff" + KOREAN).encode("utf-8"), KOREAN.encode("cp949")],
    ids=["utf-8", "utf-8 with BOM", "cp949"],
)
def test_it_reads_utf8_with_and_without_bom_and_cp949(encoded):
    roster = parse(encoded, this_year=2026)
    assert roster.ok
    assert rows(roster) == [(2, 1, "김하늘", 2013), (3, 2, "이바다", None), (4, 3, "박 서 준", 2012)]


def test_it_reads_english_headers_crlf_semicolons_and_skips_blank_lines():
    data = b"Name;No;Birth year\r\n\r\nKim Haneul;1;2013\r\nLee Bada;02;\r\n;;\r\n"
    roster = parse(data, this_year=2026)
    assert roster.ok
    assert rows(roster) == [(3, 1, "Kim Haneul", 2013), (4, 2, "Lee Bada", None)]


def test_it_reads_quoted_commas_and_ignores_extra_columns():
    roster = parse('이름,번호,비고\n"Park, Jiwoo",7,전학생\n'.encode())
    assert roster.ok
    assert rows(roster) == [(2, 7, "Park, Jiwoo", None)]
    assert roster.ignored_columns == ["비고"]


def test_an_english_header_with_korean_names_in_cp949():
    roster = parse("number,name\n1,김하늘\n".encode("cp949"))
    assert roster.ok and roster.encoding == "cp949"
    assert roster.rows[0].name == "김하늘"


def test_missing_columns_are_named():
    roster = parse("이름\n김하늘\n".encode())
    assert not roster.ok and roster.rows == []
    assert "번호 / number" in roster.file_errors[0]
    roster = parse("학년,반\n1,3\n".encode())
    assert "이름 / name" in roster.file_errors[0] and "번호 / number" in roster.file_errors[0]


def test_blank_names_and_bad_numbers_are_reported_per_row():
    roster = parse("번호,이름,생년\n1,,\n,김하늘,\nx,이바다,\n0,박,\n5,최,1890\n".encode(), this_year=2026)
    assert not roster.ok
    problems = {r.line: [code for code, _params in r.errors] for r in roster.rows}
    assert problems == {
        2: ["name_missing"],
        3: ["number_missing"],
        4: ["number_invalid"],
        5: ["number_invalid"],
        6: ["birth_year_invalid"],
    }
    assert roster.rows[0].messages == ["The name is missing."]


def test_duplicate_numbers_name_the_other_line():
    roster = parse("번호,이름\n7,김하늘\n8,이바다\n7,박서준\n".encode())
    assert roster.problem_count == 2
    assert roster.rows[0].messages == ["Number 7 is also used on line 4."]
    assert roster.rows[2].messages == ["Number 7 is also used on line 2."]


def test_numbers_already_in_the_class_are_reported():
    roster = parse("번호,이름\n7,김하늘\n".encode(), taken_numbers={7: "이미있음"})
    assert roster.rows[0].messages == ["Number 7 already belongs to 이미있음 in this class."]


class CountingFile(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_ten_thousand_rows_are_refused_without_reading_the_whole_file():
    data = ("번호,이름\n" + "".join(f"{i},학생{i}\n" for i in range(1, 10_001))).encode()
    upload = CountingFile(data)
    roster = parse_roster(upload)
    assert roster.rows == []
    assert roster.file_errors == ["The file has more than 200 students. Upload at most 200 rows at a time (one class)."]
    assert upload.bytes_read < len(data) / 2


def test_two_hundred_rows_are_fine():
    data = ("번호,이름\n" + "".join(f"{i},학생{i}\n" for i in range(1, 201))).encode()
    assert parse(data).ok


def test_a_file_over_one_megabyte_is_refused_unread():
    upload = SimpleUploadedFile("big.csv", b"x" * (MAX_BYTES + 1), content_type="text/csv")
    roster = parse_roster(upload, filename=upload.name)
    assert roster.file_errors and "1 MB" in roster.file_errors[0]


def _xlsx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("명렬표.xlsx", _xlsx_bytes()),
        ("명렬표.csv", _xlsx_bytes()),  # a spreadsheet renamed to .csv
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("roster.ods", b"anything"),
    ],
)
def test_spreadsheets_get_a_save_as_csv_message(name, data):
    roster = parse_roster(io.BytesIO(data), filename=name)
    assert roster.rows == []
    assert "CSV UTF-8" in roster.file_errors[0]


@pytest.mark.parametrize(
    "data",
    [
        "번호,이름\n1,김하늘\n".encode("utf-16"),  # Excel's "Unicode text"
        b"%PDF-1.7 ...",
        b"\x00\x01\x02\x03binary",
    ],
    ids=["utf-16", "pdf", "binary"],
)
def test_other_files_get_a_clear_message(data):
    roster = parse(data)
    assert roster.rows == [] and roster.file_errors


def test_a_file_in_no_known_encoding_is_refused():
    roster = parse(b"\xec\xa0\xa0\xff\xfe\xfd,\xff\n1,\xff\xff\n")
    assert roster.file_errors == [
        "The file's characters could not be read. Save it again as “CSV UTF-8” (or CSV from Korean Excel)."
    ]


def test_empty_files_and_header_only_files():
    assert parse(b"").file_errors == ["The file is empty."]
    assert parse(b"\n\n").file_errors == ["The file is empty."]
    assert parse("번호,이름\n".encode()).file_errors == ["The file has column names but no students."]


# --- the upload page -------------------------------------------------------


def upload(client, classroom, data: bytes, name="명렬표.csv"):
    return client.post(
        f"/teach/classes/{classroom.pk}/students/import/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_upload_shows_a_preview_and_creates_nothing(client, cast):
    client.force_login(cast.teacher)
    users = User.objects.count()
    response = upload(client, cast.classroom, KOREAN.encode("cp949"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "김하늘" in html and "이바다" in html
    assert "계정 3개 만들기" in html
    assert User.objects.count() == users
    assert Enrollment.objects.filter(classroom=cast.classroom).count() == 1


def test_upload_with_row_problems_lists_them_in_korean_and_offers_no_create_button(client, cast):
    client.force_login(cast.teacher)
    response = upload(client, cast.classroom, "번호,이름\n1,\n1,김하늘\n".encode())
    html_response = client.get(response["Location"])
    assert html_response.status_code == 200
    html = html_response.content.decode()
    assert "이름이 비어 있습니다." in html
    assert 'class="row-problem"' in html
    assert "계정 만들기" not in html
    assert User.objects.filter(display_name="김하늘").count() == 0


def test_a_file_problem_is_shown_next_to_the_field_and_nothing_is_kept(client, cast):
    client.force_login(cast.teacher)
    response = upload(client, cast.classroom, _xlsx_bytes(), name="명렬표.xlsx")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_file_error"' in html and 'aria-invalid="true"' in html
    assert "CSV" in html
    assert RosterImport.objects.count() == 0


def test_english_page_gives_english_messages(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        f"/en/teach/classes/{cast.classroom.pk}/students/import/",
        {"file": SimpleUploadedFile("a.csv", "이름\n김\n".encode(), content_type="text/csv")},
    )
    assert "The first row must name the columns" in response.content.decode()


def test_preview_rows_are_shown_in_the_language_of_whoever_looks(client, cast):
    client.force_login(cast.teacher)
    response = upload(client, cast.classroom, "번호,이름\n1,\n".encode())
    location = response["Location"]
    assert "The name is missing." in client.get("/en" + location).content.decode()
    korean = client.get(location)
    assert korean.status_code == 200
    assert "이름이 비어 있습니다." in korean.content.decode()
    assert "The name is missing." not in korean.content.decode()
