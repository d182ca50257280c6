"""Anonymous class learning: every pupil's first try counts for the class,
with nothing that ties a count to a pupil, and the dashboard shows a
question's numbers once five pupils answered it. A pupil without consent
leaves no row with an answer behind."""

from django.apps import apps
from django.conf import settings
from django.test import Client

from classroom.models import ClassAnswerCount
from curriculum.models import LessonProgress, QuizAttempt
from curriculum.quiz import questions_from_stream
from tests.classroom.conftest import add_students, assign, source_module
from tests.curriculum.test_lessons import lesson, right_answers
from tests.factories import ClassroomFactory


def young_class(cast, n):
    """A grade-1 middle-school class: every pupil is under the consent age
    and none has consent on file."""
    classroom = ClassroomFactory(school=cast.school, name="1학년 7반", grade=1)
    classroom.teachers.add(cast.teacher)
    students = add_students(classroom, n)
    assign(classroom, source_module())
    return classroom, students


def answer(student, page, wrong=0, attempt=1):
    client = Client()
    client.force_login(student)
    response = client.post(
        page.url + "quiz/", {**right_answers(page, wrong=wrong), "form_token": f"token-for-this-test-{attempt}"}
    )
    assert response.status_code == 200
    return client, response


def rows_of(user) -> dict[str, int]:
    """Rows of every table that point at this user."""
    counts = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "many_to_one", False) and field.related_model is apps.get_model(settings.AUTH_USER_MODEL):
                n = model._default_manager.filter(**{field.name: user}).count()
                if n:
                    counts[f"{model._meta.label}.{field.name}"] = n
    return counts


def test_a_pupil_without_consent_sees_the_result_and_no_table_keeps_an_answer_of_theirs(cast):
    classroom, (pupil, *_others) = young_class(cast, 1)
    page = lesson()
    before = rows_of(pupil)
    _client, response = answer(pupil, page, wrong=1)
    html = response.content.decode()
    assert 'id="quiz-result"' in html, "the pupil sees their own score at once"
    assert rows_of(pupil) == before, "no row tied to the pupil was added"
    assert not QuizAttempt.objects.filter(student=pupil).exists()
    assert not LessonProgress.objects.filter(student=pupil).exists()
    # The class counted the answers, with no pupil and no time on the rows.
    assert ClassAnswerCount.objects.filter(classroom=classroom).exists()
    fields = {f.name for f in ClassAnswerCount._meta.get_fields()}
    assert fields == {"id", "classroom", "page_id", "item", "count"}


def test_a_second_try_in_the_same_session_does_not_count_again(cast):
    classroom, (pupil,) = young_class(cast, 1)
    page = lesson()
    client, _ = answer(pupil, page, wrong=1)
    client.post(page.url + "quiz/", {**right_answers(page), "form_token": "token-for-this-test-2"})
    first_question = questions_from_stream(page.quiz)[0].id
    answered = ClassAnswerCount.objects.get(classroom=classroom, item=f"{first_question}:")
    assert answered.count == 1
    assert not ClassAnswerCount.objects.filter(classroom=classroom, item=f"{first_question}:+").exists()


def test_the_dashboard_shows_the_class_answers_from_five_pupils_with_no_names(client, cast):
    classroom, students = young_class(cast, 5)
    page = lesson()
    for student in students[:4]:
        answer(student, page, wrong=1)
    client.force_login(cast.teacher)
    url = f"/en/teach/classes/{classroom.pk}/"
    four = client.get(url)
    assert four.status_code == 200
    assert "What the class answered" in four.content.decode()
    assert "Fewer than 5 pupils have answered yet." in four.content.decode()
    answer(students[4], page, wrong=1)
    five = client.get(url)
    html = five.content.decode()
    assert five.status_code == 200
    section = html[html.index('id="class-answers"') : html.index("Questions the class found hard")]
    assert '<td class="num">5</td>' in section and "0%" in section and "100%" in section
    for student in students:
        assert student.display_name not in section
