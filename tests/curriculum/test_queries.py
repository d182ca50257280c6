"""Query budgets: a lesson page for a student costs the same with 1 or 200
earlier attempts (at most 15), a quiz submission at most 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from curriculum.models import LessonPage, QuizAttempt
from tests.curriculum.test_lessons import lesson, right_answers

pytestmark = pytest.mark.django_db


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_attempts(student, page, n):
    start = QuizAttempt.objects.count()
    QuizAttempt.objects.bulk_create(
        QuizAttempt(
            student=student,
            page=page,
            answers={},
            correct_count=1,
            question_count=5,
            score=20,
            passed=False,
            form_token=f"bulk-{page.pk}-{start + i}",
        )
        for i in range(n)
    )


def test_lesson_page_queries_do_not_grow_with_attempts(client, cast):
    page = lesson()
    client.force_login(cast.student)
    client.get(page.url)  # first visit records "in progress"
    add_attempts(cast.student, page, 1)
    few = count_queries(lambda: client.get(page.url))
    add_attempts(cast.student, page, 199)
    many = count_queries(lambda: client.get(page.url))
    assert few == many
    assert many <= 15, many


def test_quiz_submission_stays_within_budget(client, cast):
    page = lesson()
    client.force_login(cast.student)
    client.get(page.url)
    add_attempts(cast.student, page, 50)
    queries = count_queries(lambda: client.post(page.url + "quiz/", right_answers(page)))
    assert queries <= 20, queries


def test_english_lesson_page_within_budget(client, cast):
    page = LessonPage.objects.get(slug="law-and-responsibility", locale__language_code="en")
    client.force_login(cast.student)
    client.get(page.url)
    assert count_queries(lambda: client.get(page.url)) <= 15
