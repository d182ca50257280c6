"""Requests that are too large or malformed, and the headers that keep pages
private and free of third parties.

A body over DATA_UPLOAD_MAX_MEMORY_SIZE and a roster file over its 1 MB
limit are answered 413 (Request Entity Too Large) with a page in the
person's language, whichever part of Django noticed first; nothing is
stored. A NUL character in an address is a 400, never a server error.
Every page's content security policy names no origin but the platform's
own; personal pages are never stored by a browser or proxy; production
sends HSTS and sends plain-http visitors to https.
"""

import os
import re
import subprocess
import sys
import textwrap
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from classroom.models import Classroom, RosterImport
from classroom.roster import MAX_BYTES
from incidents.models import IncidentReport
from tests.conftest import mfa_login
from tests.incidents.conftest import make_report, report_form

from .test_settings import PRODUCTION, ROOT

TOO_LARGE = {"en": "Too much at once", "ko": "한 번에 보내기에는 너무 커요"}
BAD_REQUEST = {"en": "The request could not be read", "ko": "요청을 읽을 수 없어요"}
PREFIX = {"en": "/en", "ko": ""}


def over_the_limit() -> str:
    return "ㄱ" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 1)  # three bytes each in UTF-8


# --- 413 ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_report_body_over_the_limit_is_413_in_the_page_language_and_stores_nothing(client, cast, language):
    url = f"{PREFIX[language]}/report/{cast.school.code}/new/"
    response = client.post(url, report_form(cast.school, details=over_the_limit()))
    assert response.status_code == 413
    html = response.content.decode()
    assert TOO_LARGE[language] in html
    assert f'<html lang="{language}">' in html
    assert "no-store" in response["Cache-Control"]
    assert IncidentReport.objects.count() == 0


def test_a_form_encoded_body_over_the_limit_is_413(client, cast):
    body = urlencode(report_form(cast.school, details=over_the_limit()))
    response = client.post(
        f"/en/report/{cast.school.code}/new/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert TOO_LARGE["en"] in response.content.decode()
    assert IncidentReport.objects.count() == 0


def test_a_body_over_the_limit_is_413_when_the_csrf_check_reads_it_first(cast):
    """With CSRF enforced the middleware reads the body before the view does:
    the answer is the same 413 page, not Django's bare 400."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.teacher)
    form_page = client.get("/en/teach/classes/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    data = {"csrfmiddlewaretoken": token, "name": over_the_limit(), "grade": 1, "school": cast.school.pk}
    response = client.post("/en/teach/classes/new/", data)
    assert response.status_code == 413
    assert TOO_LARGE["en"] in response.content.decode()
    assert Classroom.objects.count() == 2  # the cast's two


@pytest.mark.parametrize(
    ("size", "language"),
    [(MAX_BYTES + 1, "en"), (MAX_BYTES + 1, "ko"), (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1, "en")],
    ids=["just over 1 MB, en", "just over 1 MB, ko", "over the body limit"],
)
def test_a_roster_file_over_its_limit_is_413_with_the_message_next_to_the_field(client, cast, size, language):
    client.force_login(cast.teacher)
    data = ("번호,이름\n" + "1,김하늘\n" * (size // 12 + 1)).encode()[: size + 1]
    assert len(data) > MAX_BYTES
    response = client.post(
        f"{PREFIX[language]}/teach/classes/{cast.classroom.pk}/students/import/",
        {"file": SimpleUploadedFile("명렬표.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 413
    html = response.content.decode()
    message = {"en": "larger than 1 MB", "ko": "1MB"}[language]
    assert message in html.split('id="id_file_error"', 1)[1].split("</div>", 1)[0]
    assert 'aria-invalid="true"' in html
    assert RosterImport.objects.count() == 0


def test_a_roster_file_within_the_limit_is_not_413(client, cast):
    client.force_login(cast.teacher)
    response = client.post(
        f"/teach/classes/{cast.classroom.pk}/students/import/",
        {"file": SimpleUploadedFile("명렬표.csv", "번호,이름\n7,김하늘\n".encode(), content_type="text/csv")},
    )
    assert response.status_code == 302


# --- NUL in the address -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/report/AB%00CD/",
        "/report/AB%00CD/new/",
        "/certificates/verify/AB%00CD/",
        "/certificates/verify/?code=AB%00CD",
        "/school/AB%00/staff/",
        "/counsel/?status=%00",
    ],
)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_nul_in_the_address_is_a_400_in_the_page_language(client, cast, url, language):
    """PostgreSQL cannot compare text holding NUL: before the guard, these
    were server errors there."""
    mfa_login(client, cast.school_admin)
    response = client.get(PREFIX[language] + url)
    assert response.status_code == 400
    assert BAD_REQUEST[language] in response.content.decode()


def test_a_nul_in_a_posted_address_stores_nothing(client, cast):
    response = client.post("/report/AB%00CD/new/", report_form(cast.school))
    assert response.status_code == 400
    assert IncidentReport.objects.count() == 0


# --- content security policy --------------------------------------------------------------

KEYWORDS = {"'self'", "'none'"}
STAFF_KEYWORDS = {"'unsafe-inline'", "'unsafe-eval'"}  # Wagtail's editor, on /cms/ only


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_no_third_party(directives: dict[str, list[str]], *, staff: bool) -> None:
    allowed = KEYWORDS | (STAFF_KEYWORDS if staff else set())
    for name, sources in directives.items():
        assert sources, f"{name} has no sources"
        for source in sources:
            ok = source in allowed or source.startswith("'nonce-") or (name == "img-src" and source == "data:")
            assert ok, f"{name} allows {source}"


def test_no_page_allows_a_third_party_origin_and_only_the_cms_allows_inline_script(client, cast):
    from curriculum.models import LessonPage

    lesson = LessonPage.objects.live().filter(locale__language_code="ko").first()
    public = ["/", "/en/", "/help/", "/report/", f"/report/{cast.school.code}/new/", "/accounts/login/", lesson.url]
    for url in public:
        directives = policy(client.get(url))
        assert_no_third_party(directives, staff=False)
        assert directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    client.force_login(cast.teacher)
    assert_no_third_party(policy(client.get("/teach/")), staff=False)
    mfa_login(client, cast.editor)
    cms = client.get("/cms/")
    assert cms.status_code == 200
    assert_no_third_party(policy(cms), staff=True)


# --- no-store on personal pages -----------------------------------------------------------


def test_personal_pages_are_never_stored(client, cast):
    report, _ = make_report(cast.school)
    pages = [
        (cast.student, "/my/"),
        (cast.parent, "/family/"),
        (cast.teacher, f"/teach/classes/{cast.classroom.pk}/"),
        (cast.counselor, f"/counsel/reports/{report.pk}/"),
        (cast.counselor, f"/counsel/reports/{report.pk}/print/"),
    ]
    for user, url in pages:
        mfa_login(client, user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


# --- HSTS in production ---------------------------------------------------------------------

PROBE = textwrap.dedent(
    """
    from django.test import Client
    client = Client()
    secure = client.get("/ping", secure=True, HTTP_HOST="safe.example.org")
    print("secure", secure.status_code, secure.headers.get("Strict-Transport-Security"))
    plain = client.get("/ping", HTTP_HOST="safe.example.org")
    print("plain", plain.status_code, plain.headers.get("Location"))
    """
)


def test_production_sends_hsts_and_redirects_plain_http(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    environ.update(PRODUCTION)
    # Nothing of this run may reach a real service or the developer's data.
    environ.update({"REDIS_URL": "redis://127.0.0.1:9/0", "LOCAL_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("secure ", "plain ")))
    assert lines["secure"] == "200 max-age=31536000; includeSubDomains; preload"
    assert lines["plain"] == "301 https://safe.example.org/ping"
