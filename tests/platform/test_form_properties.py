"""Property tests of the forms that take input from anyone: the anonymous
report form, the roster upload, the guardian-code form and the quiz.

Hypothesis throws arbitrary text, arbitrary choices, missing fields and
arbitrary files at the real views. For every example the answer is never a
server error (Django's test client raises on one, failing the example), and
an answer that refuses the input has written nothing: the rows of every
table the form could touch are counted before and after. An answer that
accepts the input wrote exactly what it should.
"""

import csv
import io
import os
import re
import string

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import GuardianCode, GuardianConsent, GuardianLink, User
from classroom.models import Enrollment, RosterImport
from curriculum.models import LessonPage, LessonProgress, QuizAttempt
from curriculum.quiz import questions_from_stream
from incidents.models import (
    Affected,
    CaseEvent,
    Category,
    IncidentReport,
    OutboxMessage,
    Platform,
    StaffInvolved,
    Urgency,
    WhenHappened,
)
from tests.factories import ClassroomFactory
from tests.incidents.conftest import report_form

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as people and programs send it: anything printable or not (no lone
# surrogates: they cannot be sent as UTF-8), with the troublemakers mixed in.
TROUBLE = ["", " ", "\x00", "\u202e", "<script>alert(1)</script>", "{{ 7*7 }}", "😀", "ㄱ" * 4001, "\r\n"]
any_text = st.one_of(st.text(max_size=60), st.sampled_from(TROUBLE), st.text(st.characters(codec="utf-8")))


def counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


# --- (a) the anonymous report form --------------------------------------------------------

REPORT_CHOICES = {
    "category": Category.values,
    "platform": ["", *Platform.values],
    "when": WhenHappened.values,
    "affected": Affected.values,
    "staff_involved": StaffInvolved.values,
    "urgency": [str(v) for v in Urgency.values],
}
REPORT_TEXTS = ["platform_other", "room_link", "account_handle", "details", "contact", "website_url", "started"]
MISSING = object()


@st.composite
def report_posts(draw):
    """A valid report with a few of its fields changed: to another valid
    answer, to arbitrary text, or left out; sometimes with extra fields."""
    data = {}
    changed = draw(st.sets(st.sampled_from([*REPORT_CHOICES, *REPORT_TEXTS]), max_size=4))
    for field in changed:
        options = [any_text, st.just(MISSING)]
        if field in REPORT_CHOICES:
            options.append(st.sampled_from(REPORT_CHOICES[field]))
        data[field] = draw(st.one_of(*options))
    if draw(st.integers(0, 3)) == 0:
        data.update(
            draw(st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=8), any_text, max_size=3))
        )
    return data


REPORT_TABLES = (IncidentReport, CaseEvent, OutboxMessage)


@PROPERTY_SETTINGS
@given(fields=report_posts())
def test_the_report_form_never_fails_and_a_refusal_stores_nothing(client, cast, fields):
    cache.clear()  # spam and flood counters: each example starts fresh
    data = report_form(cast.school)
    data.update(fields)
    data = {name: value for name, value in data.items() if value is not MISSING}
    before = counts(*REPORT_TABLES)
    response = client.post(f"/report/{cast.school.code}/new/", data)
    after = counts(*REPORT_TABLES)
    assert response.status_code < 500
    event(f"report answer {response.status_code}")
    if response.status_code == 303:
        assert response["Location"] == "/report/receipt/"
        if after == before:  # the same report as an earlier example within the minute: stored once
            event("report answered as a duplicate")
        else:
            assert after[0] == before[0] + 1 and after[1] == before[1] + 1, "one report with its first event"
        # One email to the counselor, unless one is still waiting to go out or it looks like a program.
        assert after[2] - before[2] in (0, 1)
    else:
        assert response.status_code in (200, 400)
        assert after == before, "a refused report leaves no report, event or notification behind"
        assert not response.cookies, "and no receipt session"
        if response.status_code == 200:
            assert "errorlist" in response.content.decode()


# --- (b) the roster upload ---------------------------------------------------------------

ROSTER_TABLES = (User, Enrollment, RosterImport, GuardianCode)

roster_cell = st.one_of(
    st.text(max_size=30), st.integers(-5, 1200).map(str), st.sampled_from(["", "7번", "2013", "\x00", "=1+1"])
)


roster_name = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=30).filter(
    str.split
)


@st.composite
def roster_files(draw):
    """Arbitrary bytes; CSV text with any header and any cells; or a roster
    that should be accepted (unique numbers, a name on every row). Encoded in
    UTF-8 (with or without BOM) or CP949 when every character fits."""
    kind = draw(st.sampled_from(["bytes", "any csv", "good csv"]))
    if kind == "bytes":
        return draw(st.binary(max_size=3000))
    if kind == "any csv":
        header = draw(
            st.one_of(
                st.just(["번호", "이름"]),
                st.just(["name", "number", "birth_year"]),
                st.lists(st.text(max_size=10), max_size=4),
            )
        )
        rows = draw(st.lists(st.lists(roster_cell, min_size=0, max_size=4), max_size=12))
    else:
        header = ["번호", "이름"]
        names = draw(st.lists(roster_name, min_size=1, max_size=8))
        rows = [[number, name] for number, name in enumerate(names, start=1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@PROPERTY_SETTINGS
@given(data=roster_files(), filename=st.one_of(st.just("명렬표.csv"), st.text(max_size=40)))
def test_the_roster_upload_never_fails_and_creates_accounts_all_or_none(client, cast, data, filename):
    classroom = ClassroomFactory(school=cast.school, name="3반", grade=2)
    classroom.teachers.add(cast.teacher)
    client.force_login(cast.teacher)
    base = f"/teach/classes/{classroom.pk}/students/import/"
    # Like a browser, send the form's CSRF token too: a file part whose name
    # is only control characters is dropped by Django, and the token keeps
    # the form bound so that the teacher reads "no file was sent".
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(base).content.decode()).group(1)
    before = counts(*ROSTER_TABLES)
    # A browser sends the file's own name, never a path such as "/" (which
    # SimpleUploadedFile itself refuses before anything reaches the view).
    name = os.path.basename(filename)
    upload = SimpleUploadedFile(name if name not in {"", ".", ".."} else "x", data, content_type="text/csv")
    response = client.post(base, {"csrfmiddlewaretoken": token, "file": upload})
    assert response.status_code < 500
    users, enrollments, imports, codes = counts(*ROSTER_TABLES)
    event(f"roster upload answer {response.status_code}")
    assert (users, enrollments, codes) == (before[0], before[1], before[3]), "the upload itself creates no account"
    if response.status_code != 302:
        assert response.status_code == 200
        assert imports == before[2], "a refused file is not kept"
        assert 'id="id_file_error"' in response.content.decode()
        return
    assert imports == before[2] + 1
    roster_import = RosterImport.objects.get(classroom=classroom)
    confirm = client.post(response["Location"])
    assert confirm.status_code < 500
    created = User.objects.count() - before[0]
    event(f"roster confirmed: {'problems' if roster_import.has_problems else 'accounts made'}")
    if roster_import.has_problems:
        assert confirm.status_code == 302 and created == 0, "a file with problems creates no account"
    else:
        assert confirm.status_code == 200
        assert created == len(roster_import.rows), "every row becomes an account"
        assert Enrollment.objects.filter(classroom=classroom).count() == created


# --- (c) the guardian-code form ------------------------------------------------------------

LINK_TABLES = (GuardianLink, GuardianConsent)


@st.composite
def retyped(draw, code: str) -> str:
    """The real code as a parent might type it: any case, spaces or dashes
    between the characters, full-width letters from a phone keyboard."""
    out = []
    for ch in code.replace("-", ""):
        if draw(st.booleans()):
            ch = ch.lower()
        if draw(st.integers(0, 4)) == 0:
            ch = chr(ord(ch) + 0xFEE0)  # full-width form
        out.append(ch + draw(st.sampled_from(["", "", " ", "-"])))
    return " " * draw(st.integers(0, 2)) + "".join(out)


@PROPERTY_SETTINGS
@given(typed=any_text, use_real_code=st.booleans(), data=st.data())
def test_the_guardian_code_form_never_fails_and_only_the_real_code_links(client, cast, typed, use_real_code, data):
    cache.clear()  # the 10-wrong-codes-per-hour limit would otherwise end the search
    code = GuardianCode.issue(cast.other_student)
    if use_real_code:
        typed = data.draw(retyped(code))
    client.force_login(cast.unlinked_parent)
    before = counts(*LINK_TABLES)
    response = client.post("/family/link/", {"code": typed})
    assert response.status_code < 500
    event(f"guardian code answer {response.status_code}")
    if use_real_code and len(typed) <= 40:
        assert response.status_code == 302
        assert GuardianLink.objects.filter(guardian=cast.unlinked_parent, student=cast.other_student).exists()
        assert counts(*LINK_TABLES)[1] == before[1], "linking alone records no consent"
    else:
        assert response.status_code == 200
        assert 'id="id_code_error"' in response.content.decode()
        assert counts(*LINK_TABLES) == before, "a refused code links nobody"
        assert GuardianCode.objects.get(code_hash=GuardianCode.hash(code)).used_at is None, "the code is not used up"


# --- (d) the quiz ---------------------------------------------------------------------------

QUIZ_TABLES = (QuizAttempt, LessonProgress)


@pytest.fixture
def quiz_lesson(cast):
    from families.services import consent_record_paper

    consent_record_paper(teacher=cast.teacher, student=cast.student, on_file=True)
    return LessonPage.objects.get(
        slug="law-and-responsibility", locale__language_code="ko", url_path__contains="/middle-harm-law-response/"
    )


QUIZ_FAULTS = ["wrong", "missing", "repeated", "junk", "foreign question", "odd token", "no token"]


@st.composite
def quiz_posts(draw, questions):
    """Answers to every question (right or not), with a few faults mixed in:
    missing, repeated or made-up answers, made-up questions, an odd or
    missing form token."""
    choice_ids = sorted({c for q in questions for c in q.choice_ids})
    faults = draw(st.sets(st.sampled_from(QUIZ_FAULTS), max_size=2))
    data = {}
    for question in questions:
        answer = sorted(question.correct_ids)
        if "wrong" in faults and draw(st.booleans()):
            answer = draw(st.lists(st.sampled_from(sorted(question.choice_ids)), min_size=1, max_size=3, unique=True))
        if "repeated" in faults and draw(st.booleans()):
            answer = answer + answer[:1]
        if "junk" in faults and draw(st.booleans()):
            answer = draw(st.lists(any_text, min_size=1, max_size=2))
        if "missing" in faults and draw(st.booleans()):
            continue
        data[f"q-{question.id}"] = answer
    if "foreign question" in faults:
        data[f"q-{draw(any_text)}"] = draw(st.lists(st.sampled_from(choice_ids), max_size=2))
    if "odd token" in faults:
        data["form_token"] = draw(any_text)
    elif "no token" not in faults:
        data["form_token"] = draw(st.text(st.characters(codec="ascii"), min_size=8, max_size=64))
    return data


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_quiz_submission_never_fails_and_stores_an_attempt_only_when_graded(client, cast, quiz_lesson, data):
    questions = questions_from_stream(quiz_lesson.quiz)
    post = data.draw(quiz_posts(questions))
    client.force_login(cast.student)
    before = counts(*QUIZ_TABLES)
    response = client.post(quiz_lesson.url + "quiz/", post)
    assert response.status_code < 500
    attempts = QuizAttempt.objects.count() - before[0]
    graded = response.status_code == 200 and 'class="quiz-result' in response.content.decode()
    event(f"quiz answer {response.status_code}{' graded' if graded else ''}")
    if not graded:
        assert response.status_code in (200, 400)
        assert counts(*QUIZ_TABLES) == before, "an unanswered or forged quiz stores nothing"
    else:
        assert attempts in (0, 1), "one attempt per form token"
        assert attempts == 1 or QuizAttempt.objects.filter(form_token=post["form_token"]).exists()
