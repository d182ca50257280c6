"""Journey 3: a parent signs up on the parent signup page, confirms the
address from the verification email, links their child with the guardian
code from the login card, gives consent online, sees the child's progress
on the family page and opens the first lesson of the parent course. In
Korean, on a phone and on a desktop; axe-core checks every page on the way."""

import re

from curriculum.content_schema import load_content

from .conftest import new_page

CHILD_MODULE = "middle-harm-law-response"  # assigned to the demo class by seed_demo
PARENT_MODULE = "parent-guide"
PASSWORD = "gajok-anjeon-2026!"
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^\s/]+/")
# Each viewport signs up a different family.
CHILD_NAME = {360: "정다온", 1280: "한서윤"}


def content(slug: str) -> dict:
    return next(m for m in load_content()[1] if m["slug"] == slug)


def make_child(server, username: str, name: str) -> str:
    """A student of the demo class who is 11 this year (so a guardian must
    consent), and the guardian code a teacher would print on their card."""
    script = (
        "from django.utils import timezone; from accounts.models import GuardianCode, User; "
        "from classroom.models import *; from schools.models import *; "
        f"u, _ = User.objects.get_or_create(username='{username}', defaults={{'display_name': '{name}'}}); "
        "u.birth_year = timezone.localdate().year - 12; u.save(); "
        "s = School.objects.get(code='DEMO01'); c = s.classrooms.get(name='1학년 3반'); "
        "Membership.objects.get_or_create(user=u, school=s, role='student'); "
        "Enrollment.objects.get_or_create(classroom=c, student=u); "
        "print(GuardianCode.issue(u))"
    )
    return CODE.search(server.manage("shell", "-c", script).stdout).group(0)


def child_passes_first_lesson(server, username: str) -> None:
    """The child's side: the first lesson's quiz of the assigned module,
    answered right (their own journey drives the lesson page; here the
    attempt goes through the same service)."""
    script = (
        "from accounts.models import User; from curriculum.models import LessonPage, ModulePage; "
        "from curriculum.quiz import grade, questions_from_stream; from curriculum.services import attempt_record; "
        f"u = User.objects.get(username='{username}'); "
        f"m = ModulePage.objects.get(slug='{CHILD_MODULE}', locale__language_code='ko'); "
        "lesson = LessonPage.objects.child_of(m).live().order_by('path').first(); "
        "qs = questions_from_stream(lesson.quiz); a = {q.id: frozenset(q.correct_ids) for q in qs}; "
        "r = attempt_record(student=u, page_id=lesson.pk, kind='quiz', answers=a, "
        "result=grade(qs, a, lesson.pass_mark), form_token='journey-' + u.username, module=m); "
        "assert r.progress.is_done"
    )
    server.manage("shell", "-c", script)


def confirmation_link(server, address: str) -> str:
    mails = [m for m in server.mails() if address in m["To"]]
    assert len(mails) == 1, f"{len(mails)} mails to {address}"
    return CONFIRM_LINK.search(server.mail_body(mails[0])).group(0)


def progress_text(page, title: str) -> str:
    return page.locator(".child-card table.assignments tbody tr", has_text=title).locator(".count").inner_text()


def test_parent_journey(browser, server, viewport, a11y):
    width = viewport["width"]
    child_username, child_name = f"family-child-{width}", CHILD_NAME[width]
    code = make_child(server, child_username, child_name)
    email = f"guardian-{width}@family.example"
    child_module, parent_module = content(CHILD_MODULE), content(PARENT_MODULE)
    page = new_page(browser, server, viewport)

    # Sign up on the parent signup page (the address printed on the cards).
    page.goto("/accounts/signup/")
    a11y.check(page, "signup")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_display_name", "정보호")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    a11y.check(page, "verification sent")

    # The link in the verification email opens a page that asks to confirm.
    page.goto(confirmation_link(server, email))
    a11y.check(page, "confirm email")
    assert email in page.locator("main").inner_text()
    # Confirming in the browser that signed up also signs the parent in.
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/family/$"))
    a11y.check(page, "family page (no child yet)")
    assert page.locator(".child-card").count() == 0

    # Link the child with the code from the card; a child under 14 needs consent first.
    page.locator("a.button[href='/family/link/']").click()
    page.wait_for_url(re.compile(r"/family/link/$"))
    a11y.check(page, "link form")
    page.fill("#id_code", code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/family/children/\d+/consent/$"))
    a11y.check(page, "consent page")
    assert child_name in page.locator("h1").inner_text()
    assert page.locator("#id_is_guardian").is_checked() is False  # nothing pre-ticked
    page.check("#id_is_guardian")
    page.locator("main form button[name=decision][value=given]").click()
    page.wait_for_url(re.compile(r"/family/(#child-\d+)?$"))
    a11y.check(page, "family page (consent given)")
    child = page.locator(".child-card", has_text=child_name)
    assert child.locator(".status-line.ok").inner_text().strip().startswith("보호자님이 동의하셨어요.")
    assert child.locator(".consent-waiting").count() == 0

    # The child's progress, as counts: nothing yet, then one lesson done.
    title, lessons = child_module["title"]["ko"], len(child_module["lessons"])
    assert progress_text(page, title) == f"{lessons}개 중 0개"
    child_passes_first_lesson(server, child_username)
    page.reload()
    a11y.check(page, "family page (progress)")
    assert progress_text(page, title) == f"{lessons}개 중 1개"

    # The parent's own course: the module, then its first lesson.
    course = page.locator("section[aria-labelledby=own-course-title]")
    assert course.locator("h3").inner_text().strip() == parent_module["title"]["ko"]
    course.locator("a.button").click()
    page.wait_for_url(re.compile(rf"/{PARENT_MODULE}/$"))
    a11y.check(page, "parent course module")
    first = page.locator(".lesson-list a").first
    assert first.inner_text().strip() == parent_module["lessons"][0]["title"]["ko"]
    first.click()
    page.wait_for_url(re.compile(rf"/{PARENT_MODULE}/{parent_module['lessons'][0]['slug']}/$"))
    a11y.check(page, "parent course lesson")
    assert page.locator("h1").inner_text().strip() == parent_module["lessons"][0]["title"]["ko"]
    page.context.close()
