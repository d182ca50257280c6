"""Browser journeys: a real server of the project (its own database, seeded
with the demo school and the curriculum) driven by Playwright in Debian's
Chromium, with axe-core checking every page the journeys visit.

The server runs the laptop settings with in-process tasks and email written
to files, so a test can read the mail a person would receive.
"""

import email
import os
import shutil
import sys
from pathlib import Path

import pytest

from ..support.servers import ServerProcess, free_port, run_manage
from ..support.services import need, own_postgres_database

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "browser-demo-pass-2026"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _need_browser():
    if not Path(CHROMIUM).exists():
        need("Debian's chromium", "chromium is not installed (make test installs it: apt-get install chromium)")


class Server:
    """The project on runserver with the demo school, on a database of its own."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mail_dir = tmp / "mail"
        self.env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
        self.env.update(
            DJANGO_SETTINGS_MODULE="edu_platform.settings.dev",
            LOCAL_DATA_DIR=str(tmp / "data"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            SITE_URL=self.url,
        )
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith("postgres"):
            self.env["DATABASE_URL"] = own_postgres_database(database_url, "browser")
        else:
            self.env["DATABASE_URL"] = f"sqlite:///{tmp / 'browser.sqlite3'}"
        self.process = None

    def manage(self, *args):
        return run_manage(self.env, *args)

    def start(self):
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("seed_demo", "--password", DEMO_PASSWORD)
        self.process = ServerProcess(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            port=self.port,
            env=self.env,
            log=self.tmp / "server.log",
            ready_path="/healthz",
        )

    def stop(self):
        if self.process:
            self.process.stop()

    def mails(self) -> list[email.message.Message]:
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk.strip()))
        return messages

    def mail_body(self, message) -> str:
        if message.is_multipart():
            return "".join(
                part.get_payload(decode=True).decode()
                for part in message.walk()
                if part.get_content_type() == "text/plain"
            )
        return message.get_payload(decode=True).decode()


# The server and the browser end with the browser tests: Playwright's sync API
# keeps an event loop in this thread while it runs, and Django refuses ORM
# calls from a thread with a running loop (the fault tests make some).
@pytest.fixture(scope="package")
def server(tmp_path_factory):
    _need_browser()
    tmp = tmp_path_factory.mktemp("browser")
    srv = Server(tmp)
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="package")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


class A11y:
    """Runs axe-core on each page a journey visits and collects violations."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.checked: list[str] = []
        self.violations: list[str] = []

    def check(self, page, label: str = ""):
        results = self.axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        )
        self.checked.append(f"{label or page.url} @{page.viewport_size['width']}")
        for violation in results.response["violations"]:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
            self.violations.append(
                f"{page.url} [{page.viewport_size['width']}px] {violation['id']}: {violation['help']} {targets}"
            )


CHECKED_PAGES: list[str] = []


@pytest.fixture
def a11y():
    checker = A11y()
    yield checker
    CHECKED_PAGES.extend(checker.checked)
    assert checker.violations == [], "\n".join(checker.violations)


@pytest.fixture(params=["phone", "desktop"])
def viewport(request):
    return PHONE if request.param == "phone" else DESKTOP


def new_page(browser, server, viewport, language="ko"):
    context = browser.new_context(
        viewport=viewport, locale="ko-KR" if language == "ko" else "en-US", base_url=server.url
    )
    context.set_default_timeout(15000)
    return context.new_page()


def pytest_terminal_summary(terminalreporter):
    if CHECKED_PAGES:
        terminalreporter.write_line(f"axe-core checked {len(CHECKED_PAGES)} page views with no WCAG 2.1 A/AA violation")
