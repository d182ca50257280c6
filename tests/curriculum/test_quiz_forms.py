"""Every lesson quiz question has a second, equivalent form: try 1 shows form
A, the next try form B, then A again, so a retry is not the same quiz. Both
forms are stored in the CMS in both languages; the real quiz view chooses the
form, keeps it for the whole attempt (with its own shuffle) and grades what
was shown."""

import re

import pytest

from accounts.models import GuardianConsent
from curriculum import quiz
from curriculum.content_schema import CONTENT_DIR, read_yaml
from curriculum.models import LessonPage, QuizAttempt
from curriculum.quiz import questions_from_stream
from tests.curriculum.test_lessons import lesson

pytestmark = pytest.mark.django_db


def form_on(html) -> str:
    return re.search(r'name="quiz_form" value="(\w+)"', html).group(1)


def token_on(html) -> str:
    return re.search(r'name="form_token" value="([\w-]+)"', html).group(1)


def choice_ids_on(html) -> set[str]:
    return set(re.findall(r'name="q-[\w-]+" value="([\w-]+)"', html))


def answers(page, form, *, token, wrong=0) -> dict:
    """Form data for one try at ``form``: right answers except the first ``wrong``."""
    data = {"form_token": token, "quiz_form": form}
    for i, q in enumerate(questions_from_stream(page.quiz, form)):
        ids = sorted(q.correct_ids) if i >= wrong else sorted(q.choice_ids - q.correct_ids)[:1]
        data[f"q-{q.id}"] = ids
    return data


def file_quiz(module_slug: str, lesson_slug: str) -> list[dict]:
    data = read_yaml(CONTENT_DIR / "modules" / f"{module_slug}.yaml")
    return next(lesson for lesson in data["lessons"] if lesson["slug"] == lesson_slug)["quiz"]


@pytest.fixture
def waiting(cast):
    GuardianConsent.objects.filter(student=cast.student).delete()
    return cast.student


def test_every_question_of_every_loaded_quiz_has_a_second_form_with_its_own_choices():
    lessons = LessonPage.objects.filter(locale__language_code="ko")
    assert lessons.count() >= 20
    for page in lessons:
        first, second = questions_from_stream(page.quiz, "a"), questions_from_stream(page.quiz, "b")
        assert [q.id for q in first] == [q.id for q in second], page.url_path
        for a, b in zip(first, second, strict=True):
            assert a.kind == b.kind
            assert a.prompt != b.prompt, (page.url_path, a.prompt)
            assert not a.choice_ids & b.choice_ids, "each form has choice ids of its own"
            assert b.correct_ids, (page.url_path, b.prompt)


def test_the_english_second_forms_are_the_files_english_in_the_same_order():
    page = lesson("e12-my-pictures", "pictures-need-permission", lang="en")
    ko = lesson("e12-my-pictures", "pictures-need-permission")
    expected = file_quiz("e12-my-pictures", "pictures-need-permission")
    shown = questions_from_stream(page.quiz, "b")
    assert [q.prompt for q in shown] == [q["alt"]["prompt"]["en"] for q in expected]
    assert [[c.text for c in q.choices] for q in shown] == [
        [c["text"]["en"] for c in q["alt"]["choices"]] for q in expected
    ]
    korean = questions_from_stream(ko.quiz, "b")
    assert [[(c.id, c.correct) for c in q.choices] for q in shown] == [
        [(c.id, c.correct) for c in q.choices] for q in korean
    ], "same ids and keys in both languages"


def test_a_pupils_retry_shows_the_second_form_then_the_first_again(client, cast):
    page = lesson()
    client.force_login(cast.student)
    first_ids = {c.id for q in questions_from_stream(page.quiz, "a") for c in q.choices}
    second_ids = {c.id for q in questions_from_stream(page.quiz, "b") for c in q.choices}

    html = client.get(page.url).content.decode()
    assert form_on(html) == "a" and choice_ids_on(html) == first_ids
    assert questions_from_stream(page.quiz, "a")[0].prompt in html
    result = client.post(page.url + "quiz/", answers(page, "a", token=token_on(html), wrong=5)).content.decode()
    assert "quiz-result not-passed" in result

    retry = client.get(page.url).content.decode()
    assert form_on(retry) == "b", "the second try is the second form"
    assert choice_ids_on(retry) == second_ids
    assert questions_from_stream(page.quiz, "b")[0].prompt in retry
    assert questions_from_stream(page.quiz, "a")[0].prompt not in retry
    result = client.post(page.url + "quiz/", answers(page, "b", token=token_on(retry))).content.decode()
    assert "quiz-result passed" in result and "100%" in result
    # The result shows form B, the form that was answered.
    assert set(re.findall(r'data-choice="([\w-]+)"', result)) == second_ids
    stored = QuizAttempt.objects.filter(student=cast.student).order_by("created_at")
    assert [a.passed for a in stored] == [False, True]
    assert {c for ids in stored[1].answers.values() for c in ids} <= second_ids

    third = client.get(page.url).content.decode()
    assert form_on(third) == "a", "then the first form again"


def test_an_unanswered_second_form_comes_back_as_the_second_form_in_the_same_order(client, cast):
    page = LessonPage.objects.get(pk=lesson().pk)
    client.force_login(cast.student)
    html = client.get(page.url).content.decode()
    client.post(page.url + "quiz/", answers(page, "a", token=token_on(html), wrong=5))
    retry = client.get(page.url).content.decode()
    order = re.findall(r'name="q-([\w-]+)" value="([\w-]+)"', retry)
    again = client.post(page.url + "quiz/", {"form_token": token_on(retry), "quiz_form": "b"}).content.decode()
    assert form_on(again) == "b"
    assert re.findall(r'name="q-([\w-]+)" value="([\w-]+)"', again) == order


def test_without_consent_the_session_alternates_the_forms(client, waiting):
    page = lesson()
    client.force_login(waiting)
    html = client.get(page.url).content.decode()
    assert form_on(html) == "a"
    client.post(page.url + "quiz/", answers(page, "a", token=token_on(html), wrong=5))
    # Sending the same attempt again does not flip the form twice.
    client.post(page.url + "quiz/", answers(page, "a", token=token_on(html), wrong=5))
    retry = client.get(page.url).content.decode()
    assert form_on(retry) == "b"
    client.post(page.url + "quiz/", answers(page, "b", token=token_on(retry), wrong=5))
    assert form_on(client.get(page.url).content.decode()) == "a"
    assert not QuizAttempt.objects.filter(student=waiting).exists()


def test_anonymous_visitors_share_the_cached_first_form(client):
    page = lesson()
    html = client.get(page.url).content.decode()
    client.post(page.url + "quiz/", answers(page, "a", token=token_on(html), wrong=5))
    assert form_on(client.get(page.url).content.decode()) == "a"


@pytest.mark.parametrize("form", ["b", "c", ""])
def test_answers_to_one_form_sent_as_another_are_refused_and_change_nothing(client, cast, form):
    page = lesson()
    client.force_login(cast.student)
    data = {**answers(page, "a", token="mixed-forms-1"), "quiz_form": form}
    response = client.post(page.url + "quiz/", data)
    assert response.status_code == 400
    assert "다시" in response.content.decode()  # the message is in the pupil's language
    assert not QuizAttempt.objects.filter(student=cast.student).exists()


def test_grading_reads_the_form_that_was_answered():
    page = lesson()
    for form in quiz.FORMS:
        questions = questions_from_stream(page.quiz, form)
        data = {k: v for k, v in answers(page, form, token="t" * 10).items() if k.startswith("q-")}
        parsed = quiz.parse_answers(questions, data)
        assert quiz.grade(questions, parsed, 60).score == 100
        other = questions_from_stream(page.quiz, "b" if form == "a" else "a")
        with pytest.raises(quiz.ForgedAnswers):
            quiz.parse_answers(other, data)


def test_the_form_of_a_try_alternates():
    assert [quiz.form_for_try(n) for n in range(5)] == ["a", "b", "a", "b", "a"]


def test_a_question_made_in_the_cms_without_a_second_form_is_asked_the_same_way():
    page = lesson()
    raw = page.quiz.raw_data
    raw[0]["value"].update(alt_prompt="", alt_explanation="", alt_choices=[])
    page.quiz = raw
    first, second = questions_from_stream(page.quiz, "a"), questions_from_stream(page.quiz, "b")
    assert second[0] == first[0]
    assert second[1] != first[1]
