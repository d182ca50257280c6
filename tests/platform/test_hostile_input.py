"""Hostile text typed into every field that the platform shows back to
someone: script tags, attribute breakers, javascript: links, template syntax,
Korean mixed with markup, 4-byte emoji and a right-to-left override. Each
string goes in through the real form (or CSV upload, or the CMS editor), and
every page that shows it is fetched: it must appear escaped, never as raw
markup, and no page may carry a javascript: link. A NUL byte is refused with
a clear message next to the field, never a server error, and stores nothing.

To keep the run short, each page is fetched once and checked against all
the strings it shows (several objects are made, one per string, or the
strings are joined in one text).
"""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from accounts.models import GuardianCode, GuardianLink, Invitation, User
from classroom.models import Classroom, Enrollment, RosterImport
from incidents.models import CaseMessage, CaseNote, IncidentReport, Referral
from schools.models import Role
from tests.conftest import mfa_login
from tests.factories import ClassroomFactory, UserFactory
from tests.incidents.conftest import make_report, receipt_from, report_form
from tests.support.sealed import opened

CORPUS = {
    "script tag": "<script>alert(1)</script>",
    "attribute breaker": '"><img src=x onerror=alert(1)>',
    "javascript url": "javascript:alert(1)",
    "xss probe": "'';!--\"<XSS>=&{()}",
    "svg onload": "<svg/onload=alert(1)>",
    "template variable": "{{ 7*7 }}",
    "template tag": "{% debug %}",
    "korean with markup": "<b>김하늘</b>의 <i onclick=alert(1)>반</i>",
    "4-byte emoji": "학생 🦊 👩🏽‍💻 𝄞",
    "right-to-left override": "\u202egpj.exe\u202c 사진",
}
STRINGS = list(CORPUS.values())

PASSWORD = "a-long-pass-phrase-9"


class _ActiveMarkup(HTMLParser):
    """Finds the elements a browser would act on: a script whose code is the
    corpus's alert(1), an event handler calling it, an attribute holding a
    javascript: URL, and the corpus's made-up <xss> element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self._script = tag == "script"
        if tag == "xss":
            self.found.append("<xss> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and "alert(1)" in value:
                self.found.append(f"<{tag} {name}=...>")
            # Browsers ignore control characters and spaces inside the scheme.
            if re.sub(r"[\x00-\x20]", "", value).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and data.strip() == "alert(1)":
            self.found.append("<script>alert(1)</script>")


def active_markup(html: str) -> list[str]:
    scanner = _ActiveMarkup()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def assert_shown_escaped(html: str, texts, where: str) -> None:
    """Every text is on the page in its escaped form and never raw, and
    nothing on the page would run it."""
    for text in texts:
        assert escape(text) in html, f"{where}: {text!r} is not shown (escaped)"
    assert_no_raw_markup(html, texts, where)


def assert_no_raw_markup(html: str, texts, where: str) -> None:
    for text in texts:
        if escape(text) != text:
            assert text not in html, f"{where}: {text!r} appears as raw markup"
    assert active_markup(html) == [], where


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def roster_csv(names, start=1) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["번호", "이름"])
    for number, name in enumerate(names, start=start):
        writer.writerow([number, name])
    return buffer.getvalue().encode("utf-8")


def tagged(tag: str) -> list[str]:
    """The corpus with a tag in front, to tell apart the places it went."""
    return [f"{tag}·{text}" for text in STRINGS]


def chunks(texts, limit: int, sep: str = " ") -> list[str]:
    """The texts joined into as few pieces as fit under a length limit."""
    pieces, current = [], ""
    for text in texts:
        candidate = f"{current}{sep}{text}" if current else text
        if len(candidate) > limit:
            pieces.append(current)
            candidate = text
        current = candidate
    return [*pieces, current]


# --- class names -----------------------------------------------------------------------


def test_class_names_are_escaped_on_the_teacher_home_dashboard_cards_and_student_home(client, cast):
    client.force_login(cast.teacher)
    for text in STRINGS:
        response = client.post(
            "/teach/classes/new/", {"name": text, "grade": 2, "school_year": 2026, "school": cast.school.pk}
        )
        assert response.status_code == 302, (text, response.content.decode()[:2000])
    classrooms = list(Classroom.objects.filter(teachers=cast.teacher).exclude(pk=cast.classroom.pk))
    assert sorted(c.name for c in classrooms) == sorted(STRINGS), "class names are stored as typed"

    assert_shown_escaped(page(client, "/teach/"), STRINGS, "teacher home")
    for number, classroom in enumerate(classrooms):
        base = f"/teach/classes/{classroom.pk}/"
        assert_shown_escaped(page(client, base), [classroom.name], "class dashboard")
        assert_shown_escaped(page(client, base + "students/"), [classroom.name], "students")
        cards = client.post(base + "students/", {"name": "새 학생", "number": "", "once": f"once-{number}"})
        assert cards.status_code == 200
        assert_shown_escaped(cards.content.decode(), [classroom.name], "login cards")

    client.force_login(cast.student)
    for classroom in classrooms:
        assert client.post("/join/", {"code": classroom.join_code}).status_code == 302
    assert_shown_escaped(page(client, "/my/"), STRINGS, "student home")


# --- roster names, the children's names parents see -----------------------------------


def test_roster_names_are_escaped_from_the_preview_to_the_cards_pages_and_family_page(client, cast):
    classroom = ClassroomFactory(school=cast.school, name="3반", grade=2)
    classroom.teachers.add(cast.teacher)
    client.force_login(cast.teacher)
    base = f"/teach/classes/{classroom.pk}/"
    filename = "<svg onload=alert(1)>명렬표.csv"
    upload = SimpleUploadedFile(filename, roster_csv(STRINGS), content_type="text/csv")
    response = client.post(base + "students/import/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:3000]
    preview = page(client, response["Location"])
    assert_shown_escaped(preview, [*STRINGS, RosterImport.objects.get().filename], "roster preview")
    assert "row-problem" not in preview, "every hostile name is a valid name"

    cards = client.post(response["Location"])
    assert cards.status_code == 200
    assert_shown_escaped(cards.content.decode(), STRINGS, "login cards")
    assert_shown_escaped(page(client, base + "students/"), STRINGS, "students")
    assert_shown_escaped(page(client, base), STRINGS, "class dashboard")
    enrollments = list(Enrollment.objects.filter(classroom=classroom).select_related("student"))
    assert sorted(e.student.display_name for e in enrollments) == sorted(STRINGS)
    for enrollment in enrollments:
        name = [enrollment.student.display_name]
        assert_shown_escaped(page(client, f"{base}students/{enrollment.pk}/"), name, "student detail")
        assert_shown_escaped(page(client, f"/teach/students/{enrollment.student_id}/consent/"), name, "consent")

    client.force_login(cast.unlinked_parent)
    for enrollment in enrollments:
        response = client.post("/family/link/", {"code": GuardianCode.issue(enrollment.student)})
        assert response.status_code == 302
        assert_shown_escaped(page(client, response["Location"]), [enrollment.student.display_name], "consent ask")
    assert_shown_escaped(page(client, "/family/"), STRINGS, "family page")


# --- display names: parents and staff --------------------------------------------------


def test_parent_display_names_from_signup_are_escaped_for_the_student(client, cast):
    for number, text in enumerate(STRINGS):
        response = client.post(
            "/accounts/signup/",
            {
                "email": f"hostile{number}@example.org",
                "display_name": text,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    parents = list(User.objects.filter(email__startswith="hostile"))
    assert sorted(p.display_name for p in parents) == sorted(STRINGS)
    for parent in parents:
        client.force_login(parent)
        assert client.post("/family/link/", {"code": GuardianCode.issue(cast.student)}).status_code == 302
        assert_no_raw_markup(page(client, "/family/"), [parent.display_name], "family page")

    client.force_login(cast.student)
    assert_shown_escaped(page(client, "/my/"), STRINGS, "student home: guardians")
    for link in GuardianLink.objects.filter(guardian__in=parents):
        html = page(client, f"/my/guardians/{link.pk}/remove/")
        assert_shown_escaped(html, [link.guardian.display_name], "remove a guardian")


def test_staff_display_names_from_invitations_are_escaped_on_staff_and_case_pages(
    client, cast, django_capture_on_commit_callbacks
):
    from accounts.services import invitation_create

    officer = UserFactory(username="approving-officer")  # the second person a counselor invitation needs
    cast.school.district.safety_officers.add(officer)
    for number, text in enumerate(STRINGS):
        email = f"counselor{number}@example.org"
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(
                school=cast.school,
                email=email,
                role=Role.COUNSELOR,
                invited_by=cast.school_admin,
                site_url="",
                approved_by=officer,
            )
        sent = next(message for message in reversed(mail.outbox) if message.to == [email])
        link = next(line for line in sent.body.splitlines() if "/invite/" in line).strip()
        response = Client().post(link, {"display_name": text, "password1": PASSWORD, "password2": PASSWORD})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Invitation.objects.filter(used_at__isnull=False).count() == len(STRINGS)

    mfa_login(client, cast.school_admin)
    assert_shown_escaped(page(client, f"/school/{cast.school.code}/staff/"), STRINGS, "school staff")
    report, _receipt = make_report(cast.school)
    mfa_login(client, cast.counselor)
    assert_shown_escaped(page(client, f"/counsel/reports/{report.pk}/"), STRINGS, "case page: assign list")


# --- the report channel ----------------------------------------------------------------


def test_report_text_and_messages_are_escaped_for_counselor_and_reporter(client, cast):
    reporter = Client()
    receipts = {}
    for text in STRINGS:
        response = reporter.post(
            f"/report/{cast.school.code}/new/",
            report_form(
                cast.school,
                platform="other",
                platform_other=text,
                room_link=text,
                account_handle=text,
                details=f"{text}\n{text}",
                contact=text,
            ),
        )
        assert response.status_code == 303, response.content.decode()[:2000]
        receipts[text] = receipt_from(reporter)
    reports = {opened(r, cast.counselor).details.split("\n")[0]: r for r in IncidentReport.objects.all()}
    assert sorted(reports) == sorted(STRINGS), "report text is stored as typed"

    mfa_login(client, cast.counselor)
    for text, report in reports.items():
        assert_shown_escaped(page(client, f"/counsel/reports/{report.pk}/"), [text], "case page")
        assert_shown_escaped(page(client, f"/counsel/reports/{report.pk}/print/"), [text], "case print")
    assert_no_raw_markup(page(client, "/counsel/"), STRINGS, "inbox")

    # The conversation of one case: every message form, every string at once,
    # each form's copy tagged so that each place is checked on its own.
    report = reports[STRINGS[0]]
    case = f"/counsel/reports/{report.pk}/"
    staff_texts = {tag: tagged(tag) for tag in ("message", "note", "referral")}
    assert client.post(case + "message/", {"body": "\n".join(staff_texts["message"])}).status_code == 302
    assert client.post(case + "note/", {"note": "\n".join(staff_texts["note"])}).status_code == 302
    referral = {
        "agency": "police",
        "referred_on": timezone.localdate().isoformat(),
        "referral_note": "\n".join(staff_texts["referral"]),
    }
    assert client.post(case + "referral/", referral).status_code == 302

    assert reporter.post("/report/follow-up/", {"receipt": receipts[STRINGS[0]]}).status_code == 303
    followup = page(reporter, "/report/follow-up/case/")
    assert_shown_escaped(followup, staff_texts["message"], "follow-up: counselor's message")
    assert_no_raw_markup(followup, staff_texts["note"], "follow-up")
    assert "note·" not in followup, "notes stay internal"
    token = re.search(r'name="form_token" value="([^"]+)"', followup).group(1)
    reporter_texts = {tag: tagged(tag) for tag in ("reply", "info", "link", "handle")}
    reply = reporter.post("/report/follow-up/reply/", {"form_token": token, "body": "\n".join(reporter_texts["reply"])})
    assert reply.status_code == 303
    # The account field holds 200 characters: the strings go in a few pieces.
    pieces = list(zip(chunks(reporter_texts["link"], 200), chunks(reporter_texts["handle"], 200), strict=True))
    for number, (link, handle) in enumerate(pieces):
        info = {"form_token": token, "link": link, "handle": handle, "info": ""}
        if number == 0:
            info["info"] = "\n".join(reporter_texts["info"])
        assert reporter.post("/report/follow-up/add/", info).status_code == 303
    assert CaseMessage.objects.filter(report=report, sender="reporter").count() == 1 + len(pieces)
    assert CaseNote.objects.filter(report=report).count() == 1 and Referral.objects.filter(report=report).count() == 1

    everything = [text for texts in (*staff_texts.values(), *reporter_texts.values()) for text in texts]
    reporter_view = [t for tag in ("message", "reply", "info", "link", "handle") for t in tagged(tag)]
    assert_shown_escaped(page(reporter, "/report/follow-up/case/"), reporter_view, "follow-up: the conversation")
    assert_shown_escaped(page(client, case), everything, "case page: conversation, note, referral")
    assert_shown_escaped(page(client, case + "print/"), everything, "case print: conversation, note, referral")


def test_the_report_form_keeps_hostile_text_escaped_when_it_is_shown_again(client, cast):
    joined = "\n".join(STRINGS)
    response = client.post(
        f"/report/{cast.school.code}/new/",
        report_form(cast.school, category="", details=joined, room_link=" ".join(STRINGS)),
    )
    assert response.status_code == 200
    assert_shown_escaped(response.content.decode(), STRINGS, "report form shown again")
    assert IncidentReport.objects.count() == 0


# --- NUL bytes: refused with a message, nothing stored ---------------------------------

NUL_ENGLISH = "Null characters are not allowed."
NUL_KOREAN = "null 문자는 사용할 수 없습니다."


def _nul_class(client, cast, prefix):
    client.force_login(cast.teacher)
    data = {"name": "1반\x00", "grade": 2, "school_year": 2026, "school": cast.school.pk}
    return (lambda: client.post(f"{prefix}/teach/classes/new/", data)), Classroom.objects.count


def _nul_student(client, cast, prefix):
    client.force_login(cast.teacher)
    data = {"name": "김\x00하늘", "number": "", "once": "nul"}
    return (lambda: client.post(f"{prefix}/teach/classes/{cast.classroom.pk}/students/", data)), User.objects.count


def _nul_report(client, cast, prefix):
    data = report_form(cast.school, details="what happened\x00")
    return (lambda: client.post(f"{prefix}/report/{cast.school.code}/new/", data)), IncidentReport.objects.count


def _nul_case_form(action, data, rows):
    def setup(client, cast, prefix):
        report, _ = make_report(cast.school)
        mfa_login(client, cast.counselor)
        return (lambda: client.post(f"{prefix}/counsel/reports/{report.pk}/{action}/", data)), rows.count

    return setup


def _nul_reporter_reply(client, cast, prefix):
    _report, receipt = make_report(cast.school)
    client.post("/report/follow-up/", {"receipt": receipt})
    token = re.search(r'name="form_token" value="([^"]+)"', page(client, "/report/follow-up/case/")).group(1)
    data = {"form_token": token, "body": "hi\x00"}
    return (lambda: client.post(f"{prefix}/report/follow-up/reply/", data)), CaseMessage.objects.count


def _nul_guardian_code(client, cast, prefix):
    client.force_login(cast.unlinked_parent)
    data = {"code": GuardianCode.issue(cast.student) + "\x00"}
    return (lambda: client.post(f"{prefix}/family/link/", data)), GuardianLink.objects.count


def _nul_signup(client, cast, prefix):
    data = {"email": "nul@example.org", "display_name": "부모\x00", "password1": PASSWORD, "password2": PASSWORD}
    return (lambda: client.post(f"{prefix}/accounts/signup/", data)), User.objects.count


NUL_FORMS = {
    "class name": _nul_class,
    "student name": _nul_student,
    "report details": _nul_report,
    "counselor note": _nul_case_form("note", {"note": "note\x00"}, CaseNote.objects),
    "referral note": _nul_case_form(
        "referral", {"agency": "police", "referred_on": "2026-01-05", "referral_note": "x\x00"}, Referral.objects
    ),
    "counselor message": _nul_case_form("message", {"body": "hello\x00"}, CaseMessage.objects),
    "reporter reply": _nul_reporter_reply,
    "guardian code": _nul_guardian_code,
    "parent signup name": _nul_signup,
}


@pytest.mark.parametrize("setup", NUL_FORMS.values(), ids=NUL_FORMS.keys())
@pytest.mark.parametrize(("prefix", "message"), [("/en", NUL_ENGLISH), ("", NUL_KOREAN)], ids=["en", "ko"])
def test_a_nul_byte_is_refused_with_a_message_in_the_page_language_and_stores_nothing(
    client, cast, setup, prefix, message
):
    send, count = setup(client, cast, prefix)
    before = count()
    response = send()
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html, "the message sits next to its field"
    assert count() == before, "a refused NUL stores nothing"


def test_a_roster_file_with_a_nul_byte_is_refused_as_not_text(client, cast):
    client.force_login(cast.teacher)
    data = roster_csv(["김하늘", "이\x00바다"])
    response = client.post(
        f"/en/teach/classes/{cast.classroom.pk}/students/import/",
        {"file": SimpleUploadedFile("roster.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "This file is not a CSV text file" in response.content.decode()
    assert RosterImport.objects.count() == 0


# --- lesson content written in the CMS --------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def _contentstate(text: str, url: str) -> str:
    """What Draftail posts for one paragraph whose first word is a link."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "hstl1",
                    "type": "unstyled",
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 4, "key": 0}],
                    "data": {},
                }
            ],
            "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url}}},
        }
    )


def _lesson_form(module_pk, slug):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    def list_block(items):
        data = {"count": len(items)}
        for i, value in enumerate(items):
            data[str(i)] = {"value": value, "deleted": "", "order": i, "id": ""}
        return data

    body = streamfield(
        [
            ("text", _contentstate(f'here <a href="javascript:alert(1)">x</a> {SCRIPT}', "javascript:alert(1)")),
            ("key_point", _contentstate(f"JaVa {SCRIPT}", " JaVaScRiPt:alert(1)")),
            (
                "scenario",
                {
                    "title": STRINGS[1],
                    "messages": list_block([{"speaker": text[:40], "me": "", "text": text} for text in STRINGS]),
                },
            ),
            ("vocabulary", {"items": list_block([{"term": text, "definition": text} for text in STRINGS])}),
        ]
    )
    return nested_form_data(
        {
            "title": f"{SCRIPT} 수업",
            "slug": slug,
            "essential_question": STRINGS[7],
            "estimated_minutes": 20,
            "pass_mark": 60,
            "body": body,
            "quiz": streamfield([]),
        }
    )


def test_lesson_content_from_the_cms_has_no_javascript_links_and_no_raw_script(client, cast):
    from curriculum.models import LessonPage, ModulePage

    module = ModulePage.objects.get(slug="e12-my-pictures", locale__language_code="ko")
    mfa_login(client, cast.editor)
    data = _lesson_form(module.pk, "hostile-lesson")
    response = client.post(f"/cms/pages/add/curriculum/lessonpage/{module.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    lesson = LessonPage.objects.get(slug="hostile-lesson")
    draft = lesson.get_latest_revision_as_object()
    rich_text = [block.value.source for block in draft.body if block.block_type in ("text", "key_point")]
    assert len(rich_text) == 2
    for source in rich_text:
        assert "<a" in source and active_markup(source) == [], "the link keeps no javascript: URL"
        assert SCRIPT not in source and escape(SCRIPT) in source, "typed markup is stored as text"

    preview_url = f"/cms/pages/{lesson.pk}/edit/preview/"
    assert client.post(preview_url, data).json()["is_valid"] is True
    preview = page(client, preview_url)
    assert_shown_escaped(preview, STRINGS, "CMS preview")
    edit = page(client, f"/cms/pages/{lesson.pk}/edit/")
    assert_no_raw_markup(edit, STRINGS, "CMS edit page")

    lesson.get_latest_revision().publish(user=cast.reviewer)
    client.logout()
    lesson.refresh_from_db()
    public = page(client, lesson.url)
    assert_shown_escaped(public, [*STRINGS, f"{SCRIPT} 수업"], "public lesson page")
    assert '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;' in public, "typed markup is text"
    assert_no_raw_markup(page(client, module.url), [f"{SCRIPT} 수업"], "module page")
