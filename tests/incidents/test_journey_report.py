"""Browser journey: a student reports to DEMO01 on a phone, keeps the code,
the demo counselor (with a second factor) reads the content-free email,
replies, and the student reads the reply with the code, then leaves. The
school admin opens the statistics, the poster and the audit trail. axe-core
checks every page for WCAG 2.1 A/AA; every step works without JavaScript
too (the forms are plain HTML).

It reuses the browser journeys' server and axe helpers (tests/browser), but
runs its own server (SQLite, so it never touches the journeys' database) and
its own Playwright in a worker thread, so that it can run in the same pytest
session as tests/browser, whose Playwright holds the main thread."""

import os
import re
import threading
from unittest import mock

import pytest

from tests.browser.conftest import CHROMIUM, DEMO_PASSWORD, A11y, Server, _need_browser, new_page
from tests.conftest import totp_code

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _need_browser()
    tmp = tmp_path_factory.mktemp("report-journey")
    with mock.patch.dict(os.environ, {"DATABASE_URL": ""}):
        srv = Server(tmp)
    srv.start()
    yield srv
    srv.stop()


def in_browser(body) -> None:
    """Run ``body(browser, a11y)`` with a Chromium of its own, in a thread."""
    failures = []

    def run():
        try:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
                )
                try:
                    a11y = A11y()
                    body(browser, a11y)
                    assert a11y.violations == [], "\n".join(a11y.violations)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]


def totp_secret(srv, username: str) -> str:
    script = (
        "from allauth.mfa.models import Authenticator; "
        "from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret; "
        "from accounts.models import User; "
        f"u = User.objects.get(username='{username}'); "
        "Authenticator.objects.filter(user=u, type='totp').delete(); "
        "s = generate_totp_secret(); TOTP.activate(u, s); print('SECRET=' + s)"
    )
    output = srv.manage("shell", "-c", script).stdout
    return re.search(r"SECRET=(\S+)", output).group(1)


def staff_login(page, email: str, secret: str, password: str):
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code(secret))
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_report_reply_and_follow_up(server, language):
    in_browser(lambda browser, a11y: _report_reply_and_follow_up(browser, a11y, server, language))


def _report_reply_and_follow_up(browser, a11y, server, language):
    prefix = "" if language == "ko" else "/en"
    mails_before = len(server.mails())
    reporter = new_page(browser, server, PHONE, language)

    reporter.goto(f"{prefix}/report/")
    a11y.check(reporter, "report search")
    reporter.fill("#id_q", "demo01")
    reporter.locator("form.search-form button[type=submit]").click()
    reporter.wait_for_url(re.compile(r"/report/DEMO01/$"))
    a11y.check(reporter, "first screen")
    assert reporter.locator('a[href="tel:112"]').count() >= 1

    reporter.locator(f'a[href="{prefix}/report/DEMO01/new/"]').click()
    reporter.wait_for_url(re.compile(r"/report/DEMO01/new/$"))
    a11y.check(reporter, "report form")
    # Sending nothing explains what is missing, next to each question.
    reporter.locator("form.report-form button[type=submit]").click()
    reporter.wait_for_selector("#error-summary")
    a11y.check(reporter, "report form with errors")

    reporter.locator("label[for=id_category_0]").click()
    reporter.select_option("#id_platform", "telegram")
    reporter.fill("#id_room_link", "t.me/browser-journey-room")
    reporter.locator("label[for=id_when_1]").click()
    reporter.locator("label[for=id_affected_0]").click()
    reporter.locator("label[for=id_staff_involved_1]").click()
    reporter.locator("label[for=id_urgency_1]").click()
    reporter.fill("#id_details", f"browser journey report ({language})")
    reporter.wait_for_timeout(3200)  # a person takes longer than the minimum fill time
    reporter.locator("form.report-form button[type=submit]").click()
    reporter.wait_for_url(re.compile(r"/report/receipt/$"))
    a11y.check(reporter, "receipt")
    receipt = "".join(reporter.locator(".receipt-group").all_inner_texts())
    assert re.fullmatch(r"\d{16}", receipt)
    reporter.locator("label[for=id_saved]").click()
    reporter.locator("form button[type=submit]").last.click()
    reporter.wait_for_url(re.compile(r"/report/next-steps/$"))
    a11y.check(reporter, "next steps")
    reporter.goto(f"{prefix}/report/receipt/")
    assert reporter.locator(".receipt-group").count() == 0

    mails = server.mails()[mails_before:]
    assert [m["To"] for m in mails] == ["counselor@demo.example"]
    assert "browser journey" not in server.mail_body(mails[0])

    counselor = new_page(browser, server, DESKTOP, language)
    staff_login(counselor, "counselor@demo.example", totp_secret(server, "demo-counselor"), DEMO_PASSWORD)
    counselor.goto(f"{prefix}/counsel/")
    a11y.check(counselor, "inbox")
    counselor.locator("table.inbox a").first.click()
    counselor.wait_for_url(re.compile(r"/counsel/reports/\d+/$"))
    a11y.check(counselor, "case")
    assert f"browser journey report ({language})" in counselor.content()
    counselor.fill("#id_body", f"We read your report ({language}). You are not alone.")
    counselor.locator("#messages form button[type=submit]").click()
    counselor.wait_for_url(re.compile(r"/counsel/reports/\d+/"))
    counselor.goto(counselor.url.split("#")[0] + "print/")
    a11y.check(counselor, "case summary")

    reporter.goto(f"{prefix}/report/follow-up/")
    a11y.check(reporter, "follow-up")
    reporter.fill("#id_receipt", f"{receipt[:4]} {receipt[4:8]} {receipt[8:12]} {receipt[12:]}")
    reporter.locator("main form button[type=submit]").click()
    reporter.wait_for_url(re.compile(r"/report/follow-up/case/$"))
    a11y.check(reporter, "follow-up case")
    assert f"We read your report ({language}). You are not alone." in reporter.content()
    reporter.fill("#id_body", "Thank you.")
    reporter.locator("form[action$='/report/follow-up/reply/'] button[type=submit]").click()
    reporter.wait_for_url(re.compile(r"/report/follow-up/case/"))
    reporter.locator(".followup-bar button[type=submit]").click()
    reporter.wait_for_url(re.compile(r"/report/follow-up/leave/$"))
    a11y.check(reporter, "left")


def test_school_admin_overview_pages(server):
    in_browser(lambda browser, a11y: _school_admin_overview_pages(browser, a11y, server))


def _school_admin_overview_pages(browser, a11y, server):
    admin = new_page(browser, server, DESKTOP)
    staff_login(admin, "admin@demo.example", totp_secret(server, "demo-admin"), DEMO_PASSWORD)
    for path in ("/school/DEMO01/reports/stats/", "/school/DEMO01/reports/poster/", "/school/DEMO01/reports/audit/"):
        response = admin.goto(path)
        assert response.status == 200, path
        a11y.check(admin, path)
    admin.goto("/school/DEMO01/reports/poster/")
    assert admin.locator(".poster-qr svg").count() == 1
