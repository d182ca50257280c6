"""The student start page: every assigned module once, due dates, progress,
"continue" to the next lesson, overdue and locked marked, certificates, and
a query budget that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classroom.selectors import student_start
from curriculum.models import LessonPage, ModulePage
from tests.classroom.conftest import assign, lessons_of, source_module, take_check, take_quiz
from tests.factories import ClassroomFactory, EnrollmentFactory


def test_a_module_assigned_in_two_classes_is_shown_once_with_the_earliest_due_date(cast, module):
    second = ClassroomFactory(school=cast.school, name="방과후반")
    EnrollmentFactory(classroom=second, student=cast.student)
    assign(cast.classroom, module, due=10)
    assign(second, module, due=4)
    start = student_start(cast.student, language="ko")
    [item] = start["modules"]
    assert (item.title, (item.due_on - start["today"]).days) == (module.title, 4)


def test_progress_and_continue_point_at_the_next_unfinished_lesson(client, cast, module):
    assign(cast.classroom, module)
    first, second, *_ = lessons_of(module)
    take_quiz(cast.student, first, module)
    client.force_login(cast.student)
    html = client.get("/my/").content.decode()
    assert '<progress max="4" value="1"' in html
    assert f'href="{second.url}"' in html and "계속" in html
    english = LessonPage.objects.get(translation_key=second.translation_key, locale__language_code="en")
    html = client.get("/en/my/").content.decode()
    assert f'href="{english.url}"' in html and english.url.startswith("/en/") and "Continue" in html


def test_a_module_not_started_offers_start(client, cast, module):
    assign(cast.classroom, module)
    client.force_login(cast.student)
    html = client.get("/my/").content.decode()
    assert f'href="{lessons_of(module)[0].url}"' in html and "시작하기" in html


def test_overdue_modules_are_marked_and_finished_ones_are_not(client, cast, module):
    assign(cast.classroom, module, opens=-10, due=-1)
    client.force_login(cast.student)
    assert "기한 지남" in client.get("/my/").content.decode()
    for lesson in lessons_of(module):
        take_quiz(cast.student, lesson, module)
    response = client.get("/my/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "기한 지남" not in html and "다 했어요" in html


def test_a_module_that_opens_later_shows_its_date_and_no_link(client, cast, module):
    assign(cast.classroom, module, opens=3, due=10)
    client.force_login(cast.student)
    response = client.get("/my/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "열려요" in html
    assert f'href="{lessons_of(module)[0].url}"' not in html


def test_a_module_locked_in_one_class_but_open_in_another_is_open(cast, module):
    high = source_module("high-consent-responsibility")
    assign(cast.classroom, module, position=1)
    assign(cast.classroom, high, position=2, requires_previous=True)
    second = ClassroomFactory(school=cast.school, name="방과후반")
    EnrollmentFactory(classroom=second, student=cast.student)
    assign(second, high, position=1)
    items = {m.module.pk: m for m in student_start(cast.student, language="ko")["modules"]}
    assert items[high.pk].locked is False


def test_certificates_are_listed(client, cast, module):
    assign(cast.classroom, module)
    for lesson in lessons_of(module):
        take_quiz(cast.student, lesson, module)
    client.force_login(cast.student)
    html = client.get("/my/").content.decode()
    assert "내 수료증" in html and f'href="{module.url}certificate/"' in html


def test_archived_classes_leave_the_start_page(cast, module):
    from classroom.services import classroom_archive

    assign(cast.classroom, module)
    classroom_archive(classroom=cast.classroom)
    assert student_start(cast.student, language="ko")["modules"] == []


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_start_page_costs_at_most_10_queries_whatever_was_assigned_and_done(client, cast, module, prefix):
    assign(cast.classroom, module)
    client.force_login(cast.student)
    client.get(f"{prefix}/my/")
    few = _count(client, f"{prefix}/my/")
    second = ClassroomFactory(school=cast.school, name="방과후반")
    EnrollmentFactory(classroom=second, student=cast.student)
    for slug in ("e56-deepfakes-and-my-rights", "e34-real-or-fake", "e12-my-pictures"):
        assign(second, ModulePage.objects.get(slug=slug, locale__language_code="ko"), requires_previous=True)
    assign(second, module)
    for lesson in lessons_of(module):
        take_quiz(cast.student, lesson, module, wrong=(0, 1, 2, 3))
        take_quiz(cast.student, lesson, module)
    take_check(cast.student, module, "pre")
    from classroom.services import reminders_send

    reminders_send(classroom_id=second.pk)
    # The new class made the student's roles be read again, once.
    assert _count(client, f"{prefix}/my/") == few + 3
    many = _count(client, f"{prefix}/my/")
    assert few == many
    assert many <= 10, many
