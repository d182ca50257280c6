"""Journey: a live class. A teacher presents a lesson; three pupils follow on
their own devices (one signed in without consent, one with consent, one
anonymous by code); they answer a poll and a quiz question, the projector's
chart fills in, an anonymous question is sent and screened, the class ends
and the teacher reads the summary. axe-core on the presenter, projector and
pupil views. The server is runserver, which daphne makes an ASGI server
(sockets included, in-memory channel layer)."""

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE

LESSON_SCRIPT = (
    "from curriculum.models import LessonPage; "
    "print(next(p.pk for p in LessonPage.objects.live().filter(locale__language_code='ko').order_by('path') "
    "if len(p.quiz) >= 2 and p.module.band == 'middle'))"
)


def make_pupil(server, username: str, consent: bool) -> str:
    password = "live-pass-" + username[-6:]
    script = (
        "from accounts.models import User; from classroom.models import *; from schools.models import *; "
        f"u, _ = User.objects.get_or_create(username='{username}', defaults={{'display_name': '실시간학생'}}); "
        f"u.set_password('{password}'); u.save(); "
        "s = School.objects.get(code='DEMO01'); c = s.classrooms.get(join_code='DEMO3BAN'); "
        "Membership.objects.get_or_create(user=u, school=s, role='student'); "
        "Enrollment.objects.get_or_create(classroom=c, student=u); "
        "from families.services import consent_record_paper; "
        f"consent_record_paper(teacher=User.objects.get(username='demo-teacher'), student=u, on_file={consent})"
    )
    server.manage("shell", "-c", script)
    return password


def _context(browser, server, viewport):
    context = browser.new_context(viewport=viewport, locale="ko-KR", base_url=server.url)
    context.set_default_timeout(30000)
    return context


def _login(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/(my|teach)/$"))


def _current(page):
    return page.locator(".live-slides > .live-slide:not([hidden])")


def test_live_class_journey(browser, server, a11y):
    # The shell also prints what it imported: the id is the last line of digits.
    lesson_id = re.findall(r"^\d+$", server.manage("shell", "-c", LESSON_SCRIPT).stdout, re.M)[-1]
    no_consent = make_pupil(server, "live-pupil-nocon", consent=False)
    with_consent = make_pupil(server, "live-pupil-yescon", consent=True)

    teacher = _context(browser, server, DESKTOP).new_page()
    _login(teacher, "demo-teacher", DEMO_PASSWORD)
    teacher.goto(f"/live/new/?lesson={lesson_id}")
    a11y.check(teacher, "live: open a session")
    teacher.get_by_role("button", name="실시간 수업 열기").click()
    try:
        teacher.wait_for_url(re.compile(r"/live/session/\d+/$"), timeout=60000)
    except PlaywrightTimeout:
        raise AssertionError(teacher.url + "\n" + teacher.locator("main").inner_text()[:2000]) from None
    code = teacher.locator(".presenter-head .join-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert teacher.locator(".teacher-notes:not([hidden])").count() == 1
    a11y.check(teacher, "live: presenter")

    projector = teacher.context.new_page()
    projector.set_viewport_size({"width": 1280, "height": 720})
    projector.goto(teacher.url + "screen/")
    expect(projector.locator(".join-code")).to_contain_text(code[:3])
    assert projector.locator(".teacher-notes, [data-next]").count() == 0
    a11y.check(projector, "live: projector")

    pupils = []
    for username, password in (("live-pupil-nocon", no_consent), ("live-pupil-yescon", with_consent)):
        page = _context(browser, server, PHONE).new_page()
        _login(page, username, password)
        page.get_by_role("link", name="실시간 수업 참여하기").click()  # one tap from the start page
        page.wait_for_url(re.compile(rf"/live/{code}/$"))
        pupils.append(page)
    anonymous = _context(browser, server, PHONE).new_page()
    anonymous.goto("/live/")
    anonymous.fill("#id_code", code)
    anonymous.locator("form.code-form button[type=submit]").click()
    anonymous.wait_for_url(re.compile(rf"/live/{code}/$"))
    pupils.append(anonymous)
    a11y.check(anonymous, "live: pupil")
    expect(teacher.locator("[data-joined]").first).to_have_text("3")
    assert pupils[0].locator(".teacher-notes, [data-next]").count() == 0

    # Follow three slides driven by the keyboard (a clicker sends the same keys).
    for number in (1, 2, 3):
        teacher.keyboard.press("ArrowRight" if number != 2 else "PageDown")
        for page in [*pupils, projector]:
            expect(_current(page)).to_have_attribute("data-slide", str(number))

    # Projector text is readable from the back row.
    for size in ({"width": 1280, "height": 720}, {"width": 1920, "height": 1080}):
        projector.set_viewport_size(size)
        font = projector.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector('.live-slide:not([hidden]) p, "
            ".live-slide:not([hidden]) li, .live-slide:not([hidden]) h2')).fontSize)"
        )
        assert font >= 32, (size, font)
    projector.set_viewport_size({"width": 1280, "height": 720})

    def goto_activity(selector):
        index = teacher.locator(f".presenter-slides {selector}").first.locator("xpath=ancestor::section[1]")
        target = index.get_attribute("data-slide")
        teacher.evaluate("(n) => { document.querySelector('[data-goto=next]').value = n; }", target)
        teacher.locator("form[data-control] button", has_text="다음").click()
        for page in pupils:
            expect(_current(page)).to_have_attribute("data-slide", target)
        return target

    # A poll: how sure are you?
    goto_activity('[data-activity="sure"]')
    for page, option in zip(pupils, ["very", "quite", "very"], strict=True):
        _current(page).locator(f'button[data-option="{option}"]').click()
        expect(_current(page).locator("[data-answer-status]")).not_to_be_empty()
    chart = projector.locator('.live-slide:not([hidden]) [data-chart="sure"]')
    expect(chart.locator("[data-total]")).to_have_text("3")
    expect(chart.locator('[data-option="very"] [data-count]')).to_have_text("2")
    a11y.check(projector, "live: projector with a chart")

    # A quiz question, then the reveal.
    goto_activity('[data-kind="quiz_single"]')
    for page in pupils:
        _current(page).locator("button.choice-button").first.click()
        expect(_current(page).locator("[data-answer-status]")).not_to_be_empty()
    expect(projector.locator(".live-slide:not([hidden]) [data-total]")).to_have_text("3")
    teacher.locator("form[data-control]:not([hidden]) button", has_text="정답 공개").click()
    for page in [*pupils, projector]:
        expect(_current(page).locator(".reveal")).to_be_visible()
    a11y.check(pupils[1], "live: pupil after the reveal")

    # An anonymous question, screened by the teacher before the class sees it.
    question = "친구가 합성 사진을 퍼뜨린다고 협박하면 어떻게 해요?"
    anonymous.fill("#ask-text", question)
    anonymous.get_by_role("button", name="질문 보내기").click()
    inbox = teacher.locator("[data-questions] li", has_text=question)
    expect(inbox).to_be_visible()
    expect(teacher.locator("[data-disclosure-help]")).to_be_visible()  # report door and help lines
    assert projector.get_by_text(question).count() == 0
    inbox.get_by_role("button", name="프로젝터에 보여 주기").click()
    expect(projector.locator("[data-shown-question-text]")).to_have_text(question)
    a11y.check(teacher, "live: presenter with a question")

    # End, then the summary.
    teacher.once("dialog", lambda dialog: dialog.accept())
    teacher.get_by_role("button", name="실시간 수업 끝내기").click()
    teacher.wait_for_url(re.compile(r"/summary/$"))
    expect(teacher.locator(".summary-joined")).to_contain_text("3명 참여")
    assert question in teacher.content()
    for page in pupils:
        expect(page.locator("[data-ended]")).to_be_visible()
    a11y.check(teacher, "live: summary")
