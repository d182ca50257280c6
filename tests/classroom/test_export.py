"""The CSV export opens in Excel with Korean intact: UTF-8 with a BOM, Korean
headers in Korean, and no cell that a spreadsheet would run as a formula."""

import csv
import io

from accounts.models import User
from tests.classroom.conftest import assign, lessons_of, take_quiz


def rows_of(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    # What Excel does: read UTF-8 because of the BOM.
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_a_bom_korean_headers_and_the_figures(client, cast, module):
    assign(cast.classroom, module)
    first = lessons_of(module)[0]
    take_quiz(cast.student, first, module)
    client.force_login(cast.teacher)
    response = client.get(f"/teach/classes/{cast.classroom.pk}/progress.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, row = rows_of(response)
    assert header[:3] == ["번호", "이름", "아이디"]
    assert f"{first.title}: 상태" in header
    assert row[1] == cast.student.display_name
    assert row[header.index(f"{first.title}: 상태")] == "통과"
    assert row[header.index(f"{first.title}: 최고 점수")] == "100"
    assert row[header.index("완료율(%)")] == "25"


def test_csv_headers_are_english_on_the_english_page(client, cast, module):
    assign(cast.classroom, module)
    client.force_login(cast.teacher)
    header, _row = rows_of(client.get(f"/en/teach/classes/{cast.classroom.pk}/progress.csv"))
    assert header[:3] == ["Number", "Name", "Username"]


def test_names_never_become_formulas(client, cast, module):
    assign(cast.classroom, module)
    User.objects.filter(pk=cast.student.pk).update(display_name='=HYPERLINK("http://evil")')
    client.force_login(cast.teacher)
    _header, row = rows_of(client.get(f"/teach/classes/{cast.classroom.pk}/progress.csv"))
    assert row[1].startswith("'=")


def test_another_teachers_class_cannot_be_exported(client, cast):
    client.force_login(cast.teacher)
    assert client.get(f"/teach/classes/{cast.other_classroom.pk}/progress.csv").status_code == 404
