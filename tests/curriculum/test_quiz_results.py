"""After a quiz or check: the result comes first and takes the focus, the
correct answers wait for a pass (or the third try), and each attempt shows
its own stable order of choices."""

import re

import pytest

from accounts.models import GuardianConsent
from curriculum import quiz
from curriculum.models import LessonPage, ModulePage, QuizAttempt
from curriculum.quiz import questions_from_stream
from tests.curriculum.test_lessons import lesson, right_answers

pytestmark = pytest.mark.django_db


def order_on(html) -> list[tuple[str, str]]:
    """(question id, choice id) in the order the page shows them."""
    return re.findall(r'name="q-([\w-]+)" value="([\w-]+)"', html)


def token_on(html) -> str:
    return re.search(r'name="form_token" value="([\w-]+)"', html).group(1)


def reveals_key(html) -> bool:
    quiz_part = html.split('id="quiz"', 1)[1]
    return 'class="is-correct' in quiz_part or 'class="explanation"' in quiz_part


@pytest.fixture
def shuffled():
    page = lesson()
    LessonPage.objects.filter(pk=page.pk).update(shuffle_choices=True)
    return LessonPage.objects.get(pk=page.pk)


@pytest.fixture
def waiting(cast):
    GuardianConsent.objects.filter(student=cast.student).delete()
    return cast.student


def test_the_result_comes_first_takes_the_focus_and_is_announced(client, cast):
    page = lesson()
    client.force_login(cast.student)
    form = client.get(page.url).content.decode()
    assert f'action="{page.url}quiz/#quiz-result"' in form
    html = client.post(page.url + "quiz/", right_answers(page, wrong=5)).content.decode()
    quiz_part = html.split('id="quiz"', 1)[1]
    result_at = quiz_part.index('id="quiz-result"')
    assert result_at < quiz_part.index('class="quiz-review"'), "the result comes before the questions"
    result_tag = quiz_part[: result_at + 20].rsplit("<div", 1)[1]
    assert 'role="status"' in result_tag and 'tabindex="-1"' in result_tag
    assert "js/quiz-result.js" in html


def test_questions_left_open_are_announced_at_the_same_anchor(client, cast):
    page = lesson()
    data = right_answers(page)
    data.pop(next(k for k in data if k.startswith("q-")))
    html = client.post(page.url + "quiz/", data).content.decode()
    assert 'role="alert" id="quiz-result" tabindex="-1"' in html


def test_the_focus_script_focuses_the_result():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/quiz-result.js").read_text()
    assert 'getElementById("quiz-result")' in script and ".focus(" in script


def test_a_failed_try_says_what_was_wrong_without_handing_out_the_key(client, cast):
    page = lesson()
    client.force_login(cast.student)
    html = client.post(
        page.url + "quiz/", {**right_answers(page, wrong=5), "form_token": "failed-try-1"}
    ).content.decode()
    assert "✗" in html and "✓" in html, "each question says whether it was right"
    assert not reveals_key(html)
    wrong_choices = {}
    for q in questions_from_stream(page.quiz)[:5]:
        chosen = sorted(q.choice_ids - q.correct_ids)[0]
        wrong_choices[q.id] = next(c for c in q.choices if c.id == chosen)
        correct_feedback = [str(c.feedback) for c in q.choices if c.correct and str(c.feedback)]
        for feedback in correct_feedback:
            assert feedback not in html
    assert any(str(c.feedback) and str(c.feedback) in html for c in wrong_choices.values()), (
        "the chosen choice's feedback explains why"
    )
    assert "세 번째" in html or "third" in html


def test_the_key_is_shown_once_passed(client, cast):
    page = lesson()
    client.force_login(cast.student)
    html = client.post(page.url + "quiz/", {**right_answers(page), "form_token": "passing-try-1"}).content.decode()
    assert reveals_key(html)


def test_the_key_is_shown_after_the_third_stored_try(client, cast):
    page = lesson()
    client.force_login(cast.student)
    seen = []
    for n in range(3):
        data = {**right_answers(page, wrong=5), "form_token": f"stored-try-{n}"}
        seen.append(reveals_key(client.post(page.url + "quiz/", data).content.decode()))
    assert QuizAttempt.objects.filter(student=cast.student).count() == 3
    assert seen == [False, False, True]
    # Resending the same attempt neither stores nor counts it again.
    client.post(page.url + "quiz/", {**right_answers(page, wrong=5), "form_token": "stored-try-2"})
    assert QuizAttempt.objects.filter(student=cast.student).count() == 3


def test_without_consent_the_tries_are_counted_in_the_session(client, waiting):
    page = lesson()
    client.force_login(waiting)
    seen = []
    for n in range(3):
        data = {**right_answers(page, wrong=5), "form_token": f"session-try-{n}"}
        seen.append(reveals_key(client.post(page.url + "quiz/", data).content.decode()))
        if n == 0:  # a reload of the same attempt does not count
            data = {**right_answers(page, wrong=5), "form_token": "session-try-0"}
            assert not reveals_key(client.post(page.url + "quiz/", data).content.decode())
    assert seen == [False, False, True]
    assert not QuizAttempt.objects.filter(student=waiting).exists()


def test_a_pupil_waiting_for_consent_is_not_told_to_log_in(client, waiting):
    page = lesson()
    client.force_login(waiting)
    html = client.post(page.url + "quiz/", right_answers(page)).content.decode()
    assert "보호자가 동의하기 전에는" in html
    assert "로그인" not in html.split('id="quiz-result"', 1)[1].split("</div>", 1)[0]


def test_an_anonymous_visitor_is_still_invited_to_log_in(client, db):
    page = lesson()
    html = client.post(page.url + "quiz/", right_answers(page)).content.decode()
    assert "로그인" in html.split('id="quiz-result"', 1)[1].split("</div>", 1)[0]
    assert "보호자가 동의하기 전에는" not in html


def test_choices_are_shuffled_per_attempt_and_stable_within_it(client, cast, shuffled):
    client.force_login(cast.student)
    pages = [client.get(shuffled.url).content.decode() for _ in range(6)]
    orders = [order_on(html) for html in pages]
    assert len({tuple(o) for o in orders}) > 1, "different attempts see different orders"
    natural = [(q.id, c.id) for q in questions_from_stream(shuffled.quiz) for c in q.choices]
    assert sorted(orders[0]) == sorted(natural)

    html, order = pages[0], orders[0]
    token = token_on(html)
    # Questions left open: the form comes back in the same order.
    partial = {"form_token": token}
    again = client.post(shuffled.url + "quiz/", partial).content.decode()
    assert order_on(again) == order
    # The result shows the choices in the order the pupil saw, graded by id.
    result = client.post(shuffled.url + "quiz/", {**right_answers(shuffled), "form_token": token}).content.decode()
    assert "100%" in result
    shown = re.findall(r'data-choice="([\w-]+)"', result)
    assert shown == [choice for _q, choice in order]


def test_the_order_comes_from_the_token_and_never_moves_true_or_false():
    question = quiz.Question(
        id="q1", kind="single", choices=tuple(quiz.Choice(id=f"c{n}", correct=n == 0) for n in range(6))
    )
    first = quiz.choice_order(question, secret="s", attempt="token-a")
    assert first == quiz.choice_order(question, secret="s", attempt="token-a")
    assert sorted(c.id for c in first) == [f"c{n}" for n in range(6)]
    orders = {tuple(c.id for c in quiz.choice_order(question, secret="s", attempt=f"t{n}")) for n in range(20)}
    assert len(orders) > 1
    true_false = quiz.Question(id="q2", kind="true_false", choices=question.choices[:2])
    assert quiz.choice_order(true_false, secret="s", attempt="token-a") == list(true_false.choices)


def test_reveals_key_rules():
    failed = quiz.Result(correct_count=1, question_count=4, score=25, passed=False)
    passed = quiz.Result(correct_count=3, question_count=4, score=75, passed=True)
    all_right = quiz.Result(correct_count=4, question_count=4, score=100, passed=True)
    assert not quiz.reveals_key(failed, 1) and not quiz.reveals_key(failed, 2)
    assert quiz.reveals_key(failed, 3)
    assert quiz.reveals_key(passed, 1)
    # A module check has no pass mark: only all right (or the third try) shows the key.
    assert not quiz.reveals_key(passed, 1, graded=False)
    assert quiz.reveals_key(all_right, 1, graded=False)


def test_a_module_check_result_comes_first_and_keeps_the_key_back(client, cast):
    module = ModulePage.objects.get(slug="middle-harm-law-response", locale__language_code="ko")
    client.force_login(cast.student)
    url = module.url + "check/pre/"
    form = client.get(url)
    assert form.status_code == 200, url
    html = form.content.decode()
    assert 'action="#quiz-result"' in html
    data = {"form_token": token_on(html)}
    for q in questions_from_stream(module.precheck):
        data[f"q-{q.id}"] = sorted(q.choice_ids - q.correct_ids)[:1]
    result = client.post(url, data).content.decode()
    assert 'role="status" tabindex="-1" id="quiz-result"' in result
    assert not reveals_key(result)
