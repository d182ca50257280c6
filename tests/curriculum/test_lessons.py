"""Lesson pages and quizzes through the real URLs, as each kind of visitor."""

import re

import pytest
from wagtail.models import Page

from curriculum.models import Certificate, LessonPage, LessonProgress, ModulePage, QuizAttempt
from curriculum.quiz import questions_from_stream

pytestmark = pytest.mark.django_db


def lesson(module_slug="middle-harm-law-response", slug="law-and-responsibility", lang="ko") -> LessonPage:
    return LessonPage.objects.get(slug=slug, locale__language_code=lang, url_path__contains=f"/{module_slug}/")


def right_answers(page, wrong=0):
    """Form data answering every question right, except the first `wrong` ones."""
    data = {"form_token": "token-for-this-test-1"}
    for i, q in enumerate(questions_from_stream(page.quiz)):
        ids = sorted(q.correct_ids) if i >= wrong else sorted(q.choice_ids - q.correct_ids)[:1]
        data[f"q-{q.id}"] = ids
    return data


def test_anyone_can_read_a_lesson_and_try_the_quiz_without_storing(client):
    page = lesson()
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()
    response = client.post(page.url + "quiz/", right_answers(page))
    assert response.status_code == 200
    assert "100%" in response.content.decode()
    assert QuizAttempt.objects.count() == 0


def test_correct_answers_and_teacher_notes_never_reach_students_before_submitting(client, cast):
    page = lesson()
    client.force_login(cast.student)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert page.title in html and 'id="quiz"' in html
    assert 'class="teacher-note"' not in html
    assert "For teachers only" not in html and "교사용" not in html
    assert "correct" not in html.split('id="quiz"', 1)[1].lower().replace("correctly", "")
    for block in page.quiz:
        for choice in block.value["choices"]:
            assert choice["feedback"] not in html
        assert block.value["explanation"] not in html


def test_teachers_see_teacher_notes(client, cast):
    page = lesson()
    assert any(b.block_type == "teacher_note" for b in page.body)
    client.force_login(cast.teacher)
    assert 'class="teacher-note"' in client.get(page.url).content.decode()


def test_parents_do_not_see_teacher_notes(client, cast):
    page = LessonPage.objects.get(slug="talking-by-age", locale__language_code="ko")
    assert any(b.block_type == "teacher_note" for b in page.body)
    client.force_login(cast.parent)
    response = client.get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()
    assert 'class="teacher-note"' not in response.content.decode()


def test_a_students_failed_then_passed_attempts_are_stored(client, cast):
    page = lesson()
    client.force_login(cast.student)
    failed = client.post(page.url + "quiz/", {**right_answers(page, wrong=5), "form_token": "first-attempt-token"})
    assert failed.status_code == 200
    progress = LessonProgress.objects.get(student=cast.student, lesson=page)
    assert progress.status == "in_progress" and progress.attempts == 1
    passed = client.post(page.url + "quiz/", {**right_answers(page), "form_token": "second-attempt-token"})
    assert "100%" in passed.content.decode()
    progress.refresh_from_db()
    assert progress.status == "passed" and progress.attempts == 2 and progress.best_score == 100
    assert QuizAttempt.objects.filter(student=cast.student).count() == 2


def test_double_submit_stores_one_attempt(client, cast):
    page = lesson()
    client.force_login(cast.student)
    data = right_answers(page)
    client.post(page.url + "quiz/", data)
    client.post(page.url + "quiz/", data)
    assert QuizAttempt.objects.filter(student=cast.student).count() == 1
    assert LessonProgress.objects.get(student=cast.student, lesson=page).attempts == 1


def test_unanswered_questions_keep_the_answers_and_store_nothing(client, cast):
    page = lesson()
    client.force_login(cast.student)
    data = right_answers(page)
    first_question = next(k for k in data if k.startswith("q-"))
    kept_choice = data[first_question][0]
    last_question = [k for k in data if k.startswith("q-")][-1]
    del data[last_question]
    response = client.post(page.url + "quiz/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert f'id="{last_question}-error"' in html
    assert re.search(rf'value="{kept_choice}" checked', html)
    assert QuizAttempt.objects.count() == 0


@pytest.mark.parametrize("forgery", ["foreign_choice", "foreign_question", "no_token"])
def test_forged_submissions_get_400_and_store_nothing(client, cast, forgery):
    page = lesson()
    other = lesson(slug="not-a-game")
    client.force_login(cast.student)
    data = right_answers(page)
    if forgery == "foreign_choice":
        key = next(k for k in data if k.startswith("q-"))
        data[key] = [str(other.quiz[0].value["choices"].bound_blocks[0].id)]
    elif forgery == "foreign_question":
        data[f"q-{other.quiz[0].id}"] = [str(other.quiz[0].value["choices"].bound_blocks[0].id)]
    else:
        del data["form_token"]
    response = client.post(page.url + "quiz/", data)
    assert response.status_code == 400
    assert QuizAttempt.objects.count() == 0
    assert LessonProgress.objects.filter(status="passed").count() == 0


def test_english_page_records_progress_on_the_same_lesson(client, cast):
    ko = lesson()
    en = lesson(lang="en")
    client.force_login(cast.student)
    response = client.post(en.url + "quiz/", right_answers(en))
    assert "100%" in response.content.decode()
    assert LessonProgress.objects.get(student=cast.student).lesson_id == ko.pk


def test_finishing_every_lesson_gives_a_certificate_that_verifies_without_a_name(client, cast):
    module = ModulePage.objects.get(slug="e12-my-pictures", locale__language_code="ko")
    client.force_login(cast.student)
    for n, page in enumerate(LessonPage.objects.child_of(module)):
        client.post(page.url + "quiz/", {**right_answers(page), "form_token": f"certificate-token-{n}"})
    certificate = Certificate.objects.get(student=cast.student, module=module)
    page = client.get(module.url + "certificate/")
    assert page.status_code == 200
    assert certificate.code in page.content.decode()
    client.logout()
    verify = client.get(f"/certificates/verify/{certificate.code}/")
    html = verify.content.decode()
    assert verify.status_code == 200
    assert module.title in html
    assert cast.student.display_name not in html and cast.student.username not in html
    assert client.get("/certificates/verify/NOPE-NOPE-NOPE/").status_code == 404


def test_someone_elses_certificate_page_is_not_found(client, cast):
    module = ModulePage.objects.get(slug="e12-my-pictures", locale__language_code="ko")
    Certificate.objects.create(student=cast.student, module=module)
    client.force_login(cast.other_student)
    assert client.get(module.url + "certificate/").status_code == 404


def test_lessons_without_quiz_are_done_when_marked_read(client, cast):
    page = lesson()
    page.quiz = []
    page.save_revision().publish()
    client.force_login(cast.student)
    assert (
        "I have read this lesson" in client.get(page.url).content.decode()
        or "읽었어요" in client.get(page.url).content.decode()
    )
    client.post(page.url + "done/")
    assert LessonProgress.objects.get(student=cast.student, lesson=page).status == "read"


def test_pre_and_post_checks_store_attempts(client, cast):
    module = ModulePage.objects.get(slug="middle-harm-law-response", locale__language_code="ko")
    client.force_login(cast.student)
    for which, stream in (("pre", module.precheck), ("post", module.postcheck)):
        data = {"form_token": f"check-token-{which}"}
        for q in questions_from_stream(stream):
            data[f"q-{q.id}"] = sorted(q.correct_ids)
        assert client.post(f"{module.url}check/{which}/", data).status_code == 200
    kinds = set(QuizAttempt.objects.filter(student=cast.student, page=module).values_list("kind", flat=True))
    assert kinds == {"pre", "post"}


@pytest.mark.parametrize(
    ("level", "grade", "allowed", "refused"),
    [
        ("elementary", 1, "e12-my-pictures", "e34-real-or-fake"),
        ("elementary", 5, "e56-deepfakes-and-my-rights", "middle-harm-law-response"),
        ("middle", 2, "middle-harm-law-response", "high-consent-responsibility"),
        ("high", 1, "high-consent-responsibility", "teacher-playbook"),
    ],
)
def test_students_see_their_band_and_younger_ones_only(client, cast, level, grade, allowed, refused):
    cast.school.level = level
    cast.school.save()
    cast.classroom.grade = grade
    cast.classroom.save()
    client.force_login(cast.student)
    allowed_page = Page.objects.get(slug=allowed, locale__language_code="ko")
    refused_page = Page.objects.get(slug=refused, locale__language_code="ko")
    assert client.get(allowed_page.url).status_code == 200
    assert client.get(refused_page.url).status_code == 403
    first_refused_lesson = LessonPage.objects.child_of(refused_page).first()
    assert client.get(first_refused_lesson.url).status_code == 403
    assert client.get(Page.objects.get(slug="e12-my-pictures", locale__language_code="ko").url).status_code == 200


@pytest.mark.parametrize("who", ["teacher", "parent", "editor"])
def test_adults_see_every_band(client, cast, who):
    client.force_login(getattr(cast, who))
    for slug in ("e12-my-pictures", "high-consent-responsibility", "teacher-playbook"):
        assert client.get(Page.objects.get(slug=slug, locale__language_code="ko").url).status_code == 200


def test_every_lesson_shows_the_help_lines_of_the_jurisdiction(client):
    page = lesson(module_slug="e12-my-pictures", slug="pictures-need-permission")
    html = client.get(page.url).content.decode()
    for number in ("112", "1366", "117"):
        assert f'href="tel:{number}"' in html


def test_lower_bands_get_the_read_aloud_button_and_larger_type(client):
    page = lesson(module_slug="e12-my-pictures", slug="pictures-need-permission")
    html = client.get(page.url).content.decode()
    assert "data-read-aloud" in html
    assert 'class="band-e12"' in html


def test_read_aloud_covers_the_quiz_and_has_a_no_voice_message(client):
    """The script reads the lesson, then every part marked in the quiz: each
    question's prompt and each choice (read-aloud.js)."""
    page = lesson(module_slug="e12-my-pictures", slug="pictures-need-permission")
    html = client.get(page.url).content.decode()
    assert 'data-read-aloud="#lesson-body" data-read-aloud-also="#quiz"' in html
    quiz = html.split('id="quiz"', 1)[1]
    questions = list(questions_from_stream(page.quiz))
    assert quiz.count("<legend data-read-aloud-part>") == len(questions)
    choices = sum(len(q.choice_ids) for q in questions)
    assert len(re.findall(r"<span data-read-aloud-part>[^<]+</span>", quiz)) == choices
    # Without script the message stays hidden; the script shows it when the
    # device has no voice for the page's language.
    assert re.search(r'<p class="read-aloud-status"[^>]* hidden>이 기기에는 한국어 음성이 없어요', html)
    english = client.get(lesson(module_slug="e12-my-pictures", slug="pictures-need-permission", lang="en").url)
    assert "This device has no English voice" in english.content.decode()


@pytest.mark.no_consent
def test_without_consent_a_young_students_results_are_shown_but_not_stored(client, cast):
    page = lesson()
    client.force_login(cast.student)
    response = client.post(page.url + "quiz/", right_answers(page))
    assert "100%" in response.content.decode()
    assert QuizAttempt.objects.count() == 0
    assert LessonProgress.objects.count() == 0
