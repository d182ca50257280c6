"""The class dashboard against a class computed by hand, item analysis from
first attempts, and its query budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classroom.selectors import class_dashboard
from curriculum.quiz import questions_from_stream
from tests.classroom.conftest import add_students, assign, lessons_of, source_module, take_check, take_quiz
from tests.factories import ClassroomFactory


@pytest.fixture
def hand_class(cast, module):
    """Three students, one module of four lessons (six questions each; the
    pre-check has three questions, the post-check three).

    A: pre 1/3 (33), post 3/3 (100); lesson 1 first 5/6 then 6/6; lesson 2 6/6.
    B: pre 2/3 (66), post 2/3 (66); lesson 1 4/6 (passes, mark 60); lesson 2 3/6.
    C: nothing.
    """
    classroom = ClassroomFactory(school=cast.school, name="3학년 7반")
    classroom.teachers.add(cast.teacher)
    a, b, c = add_students(classroom, 3)
    assign(classroom, module)
    l1, l2, *_ = lessons_of(module)
    take_check(a, module, "pre", wrong=(0, 1))
    take_check(a, module, "post")
    take_check(b, module, "pre", wrong=(0,))
    take_check(b, module, "post", wrong=(2,))
    take_quiz(a, l1, module, wrong=(1,))
    take_quiz(a, l1, module)
    take_quiz(a, l2, module)
    take_quiz(b, l1, module, wrong=(1, 2))
    take_quiz(b, l2, module, wrong=(0, 1, 2))
    # A later post-check does not replace the first one.
    take_check(b, module, "post")
    return classroom, (a, b, c), (l1, l2)


def test_cells_and_completion_match_the_hand_computed_class(hand_class):
    classroom, (a, b, c), (l1, l2) = hand_class
    d = class_dashboard(classroom, language="ko")
    assert [r.student for r in d.rows] == [a, b, c]
    row_a, row_b, row_c = d.rows
    assert [(x.status, x.best_score, x.attempts) for x in row_a.cells] == [
        ("passed", 100, 2),
        ("passed", 100, 1),
        ("not_started", None, 0),
        ("not_started", None, 0),
    ]
    assert [(x.status, x.best_score, x.attempts) for x in row_b.cells[:2]] == [
        ("passed", 66, 1),
        ("in_progress", 50, 1),
    ]
    assert [r.percent for r in d.rows] == [50, 25, 0]
    [m] = d.modules
    assert (m.finished, m.students, m.percent_done) == (0, 3, 25)
    assert d.percent == 25


def test_learning_gain_uses_students_who_took_both_checks(hand_class):
    classroom, *_ = hand_class
    d = class_dashboard(classroom, language="ko")
    [m] = d.modules
    assert (m.pre_mean, m.post_mean, m.gain, m.both) == (49.5, 83.0, 33.5, 2)
    assert [r.gain for r in d.rows] == [67.0, 0.0, None]
    assert d.gain == 33.5


def test_item_analysis_counts_first_attempts_and_names_the_misconception(hand_class):
    classroom, _students, (l1, _l2) = hand_class
    d = class_dashboard(classroom, language="ko")
    items = {i.column.lesson.pk: i for i in d.items}[l1.pk]
    assert items.attempts == 2
    q = items.questions
    assert [x.percent_correct for x in q] == [100, 0, 50, 100, 100, 100]
    wrong_choice = sorted(questions_from_stream(l1.quiz)[1].choice_ids - questions_from_stream(l1.quiz)[1].correct_ids)[
        0
    ]
    expected_text = next(
        item.value["text"] for item in list(l1.quiz)[1].value["choices"].bound_blocks if str(item.id) == wrong_choice
    )
    assert (q[1].top_wrong.text, q[1].top_wrong.chosen) == (expected_text, 2)
    assert q[0].top_wrong is None


def test_item_analysis_is_shown_in_english_from_the_translated_quiz(client, cast, hand_class):
    from curriculum.models import LessonPage

    classroom, _s, (l1, _l2) = hand_class
    english = LessonPage.objects.get(translation_key=l1.translation_key, locale__language_code="en")
    client.force_login(cast.teacher)
    html = client.get(f"/en/teach/classes/{classroom.pk}/").content.decode()
    assert list(english.quiz)[1].value["prompt"] in html
    assert english.title in html
    assert "FIRST attempt" in html


def test_the_page_shows_the_figures(client, cast, hand_class):
    classroom, (a, _b, _c), _l = hand_class
    client.force_login(cast.teacher)
    html = client.get(f"/teach/classes/{classroom.pk}/").content.decode()
    assert "+33.5" in html and "25%" in html and a.display_name in html
    assert '<th scope="row">' in html and 'scope="colgroup"' in html
    assert "첫 번째 시도" in html


def _big_class(cast, students: int):
    classroom = ClassroomFactory(school=cast.school, name="큰반")
    classroom.teachers.add(cast.teacher)
    modules = [
        source_module(s)
        for s in ("middle-harm-law-response", "high-consent-responsibility", "e56-deepfakes-and-my-rights")
    ]
    for m in modules:
        assign(classroom, m)
    return classroom, modules


def _fill(classroom, modules, students):
    for student in students:
        for module in modules[:2]:
            lesson = lessons_of(module)[0]
            take_quiz(student, lesson, module, wrong=(1,))
            take_quiz(student, lesson, module)
        take_check(student, modules[0], "pre", wrong=(0,))
        take_check(student, modules[0], "post")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_queries_are_the_same_for_10_and_40_students_and_at_most_12(client, cast, prefix):
    classroom, modules = _big_class(cast, 0)
    assert sum(len(lessons_of(m)) for m in modules) == 11
    _fill(classroom, modules, add_students(classroom, 10))
    client.force_login(cast.teacher)
    url = f"{prefix}/teach/classes/{classroom.pk}/"
    client.get(url)
    ten = _count(client, url)
    _fill(classroom, modules, add_students(classroom, 30, start=11))
    forty = _count(client, url)
    assert ten == forty
    assert forty <= 12, forty
    # The export has the grid without the consent notice: never more queries than the page.
    assert _count(client, f"{prefix}/teach/classes/{classroom.pk}/progress.csv") <= forty


def test_a_class_of_35_is_one_page_with_every_student_within_the_query_budget(client, cast):
    """Its render time is measured by `make bench` (teacher_dashboard, a class of 35)."""
    classroom, modules = _big_class(cast, 0)
    students = add_students(classroom, 35)
    _fill(classroom, modules, students)
    client.force_login(cast.teacher)
    url = f"/teach/classes/{classroom.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 12, len(ctx.captured_queries)
    html = response.content.decode()
    assert all(student.display_name in html for student in students)


def test_deactivated_students_leave_the_figures(cast, hand_class):
    classroom, (a, b, c), _l = hand_class
    c.is_active = False
    c.save()
    d = class_dashboard(classroom, language="ko")
    assert [r.student for r in d.rows] == [a, b]
    assert d.percent == 37  # 3 of 8
