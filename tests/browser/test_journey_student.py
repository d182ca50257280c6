"""Journey 2: a student logs in with the credentials from a card, reads a
lesson, fails the quiz, retries, passes, finishes the module and opens the
certificate, in Korean and in English, on a phone and on a desktop."""

import re

import pytest

from curriculum.content_schema import load_content

from .conftest import new_page

MODULE = "e12-my-pictures"


def make_student(server, username: str) -> str:
    password = "card-pass-" + username[-6:]
    script = (
        "from accounts.models import User; from classroom.models import *; from schools.models import *; "
        f"u, _ = User.objects.get_or_create(username='{username}', defaults={{'display_name': '카드학생'}}); "
        f"u.set_password('{password}'); u.save(); "
        "s = School.objects.get(code='DEMO01'); c = s.classrooms.get(join_code='DEMO3BAN'); "
        "Membership.objects.get_or_create(user=u, school=s, role='student'); "
        "Enrollment.objects.get_or_create(classroom=c, student=u); "
        # A 13-year-old's results are kept once a guardian's consent is on file.
        "from families.services import consent_record_paper; "
        "consent_record_paper(teacher=User.objects.get(username='demo-teacher'), student=u, on_file=True)"
    )
    server.manage("shell", "-c", script)
    return password


@pytest.mark.parametrize("language", ["ko", "en"])
def test_student_journey(browser, server, viewport, a11y, language):
    prefix = "" if language == "ko" else "/en"
    username = f"card-{language}-{viewport['width']}"
    password = make_student(server, username)
    page = new_page(browser, server, viewport, language)

    page.goto(f"{prefix}/accounts/login/")
    a11y.check(page, "login")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my/$"))
    a11y.check(page, "student home")

    page.goto(f"{prefix}/learn/{MODULE}/")
    a11y.check(page, "module")
    lessons = [a.get_attribute("href") for a in page.locator(".lesson-list a").all()]
    assert len(lessons) == 2

    content = {lesson["slug"]: lesson for lesson in load_content()[1][_module_index()]["lessons"]}
    for lesson_url in lessons:
        page.goto(lesson_url)
        a11y.check(page, "lesson")
        assert page.locator(".teacher-note").count() == 0
        assert page.locator("input[name^=q-]").count() > 0
        quiz = content[lesson_url.rstrip("/").rsplit("/", 1)[1]]["quiz"]
        # First try: a wrong choice everywhere.
        choose(page, quiz, language, correct=False)
        page.locator("#quiz form button[type=submit]").click()
        page.wait_for_selector(".quiz-result.not-passed")
        a11y.check(page, "quiz result")
        # The review now shows why; try again and pass. The retry asks
        # every question in its second form: other words, other choices.
        page.locator(".quiz .button-row a.button").first.click()
        assert page.locator("input[name=quiz_form]").get_attribute("value") == "b"
        second = [{**q["alt"], "kind": q["kind"]} for q in quiz]
        first_prompt = quiz[0]["prompt"][language]
        assert first_prompt not in page.locator("#quiz").inner_text()
        choose(page, second, language, correct=True)
        page.locator("#quiz form button[type=submit]").click()
        page.wait_for_selector(".quiz-result.passed")
        assert "100%" in page.locator(".quiz-result .score").inner_text()

    page.goto(f"{prefix}/learn/{MODULE}/certificate/")
    a11y.check(page, "certificate")
    code = page.locator(".certificate-code strong").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    assert page.goto(f"{prefix}/certificates/verify/{code}/").status == 200
    a11y.check(page, "verify")
    assert page.locator(".notice.success").count() == 1
    assert "카드학생" not in page.content()
    page.context.close()


def _module_index() -> int:
    return [m["slug"] for m in load_content()[1]].index(MODULE)


def choose(page, quiz: list[dict], language: str, *, correct: bool):
    """Tick, for each question, the right choices or one wrong one, found by
    the choice texts of the content file."""
    for question, fieldset in zip(quiz, page.locator("fieldset.question").all(), strict=True):
        if correct:
            wanted = {c["text"][language] for c in question["choices"] if c.get("correct")}
        else:
            wanted = {next(c["text"][language] for c in question["choices"] if not c.get("correct"))}
        for label in fieldset.locator("label.choice").all():
            box = label.locator("input")
            if label.inner_text().strip() in wanted:
                box.check()
            elif box.get_attribute("type") == "checkbox":
                box.uncheck()
