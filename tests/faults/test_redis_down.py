"""Redis stopped under a running server (it is the cache, the session
cache and the task broker at once): a student who is signed in still
submits a quiz and sees the result, an anonymous reporter still gets the
receipt, nothing is lost, and the counselor's notification goes out once
Redis and the worker are back."""

import re
import shutil
import subprocess
import time
import uuid

import pytest
import requests

from .conftest import Gunicorn, MailServer, Worker, free_port, need, shell, wait_for

LESSON = "/learn/middle-harm-law-response/law-and-responsibility/"
PASSWORD = "redis-down-pass-2026"  # noqa: S105 - a test account


class PrivateRedis:
    """A Redis server of this test's own, to stop and start at will."""

    def __init__(self):
        if not shutil.which("redis-server"):
            need("Redis", "redis-server is needed to stop and start a private Redis")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_for(lambda: _pings(redis.Redis.from_url(self.url)), 20, "the private Redis")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:  # noqa: BLE001 - not up yet
        return False


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def people(env: dict, code: str) -> str:
    """A middle school with a counselor, and a 16-year-old student in a grade-2 class."""
    shell(
        env,
        f"""
from accounts.models import User
from schools.models import District, Membership, School
from classroom.models import Classroom, Enrollment
d = District.objects.create(code="{code}", name="d")
s = School.objects.create(code="{code}", name="redis school", district=d, level="middle")
c = Classroom.objects.create(school=s, name="2-1", grade=2, school_year=2026, join_code="{code}")
counselor = User.objects.create_user(username="counselor-{code}", email="counselor-{code}@example.test", password="x")
Membership.objects.create(user=counselor, school=s, role="counselor")
student = User.objects.create_user(username="student-{code}", password="{PASSWORD}", birth_year=2010)
Membership.objects.create(user=student, school=s, role="student")
Enrollment.objects.create(classroom=c, student=student)
""",
    )
    return f"student-{code}"


def counts(env: dict, code: str) -> dict:
    out = shell(
        env,
        "import json; from curriculum.models import QuizAttempt; from incidents.models import IncidentReport, "
        "OutboxMessage; print(json.dumps({"
        f"'attempts': QuizAttempt.objects.filter(student__username='student-{code}').count(), "
        f"'reports': IncidentReport.objects.filter(school__code='{code}').count(), "
        f"'unsent': OutboxMessage.objects.filter(recipient__username='counselor-{code}', sent_at=None).count()}}))",
    )
    import json

    return json.loads(out)


@pytest.mark.redis
def test_with_redis_stopped_quizzes_and_reports_are_answered_and_kept(fault_env, queue_name, tmp_path):
    code = "R" + uuid.uuid4().hex[:7].upper()
    redis_server = PrivateRedis()
    mail = MailServer(hold_first=False)
    env = {
        **fault_env,
        "REDIS_URL": redis_server.url,
        "FAULT_QUEUE": queue_name,
        "FAULT_SMTP_PORT": str(mail.port),
        "INCIDENT_MIN_FILL_SECONDS": "0",
    }
    username = people(env, code)
    server = Gunicorn(env, tmp_path / "server.log")
    worker = None
    try:
        student = requests.Session()
        login = student.get(server.url + "/accounts/login/", timeout=10)
        signed_in = student.post(
            server.url + "/accounts/login/",
            data={"csrfmiddlewaretoken": csrf(login.text), "login": username, "password": PASSWORD},
            headers={"Referer": server.url + "/accounts/login/"},
            timeout=10,
        )
        assert signed_in.url.endswith("/my/"), signed_in.url

        redis_server.stop()

        # The student is still signed in (the session is also in the database)...
        lesson = student.get(server.url + LESSON, timeout=10)
        assert lesson.status_code == 200
        answers = {"csrfmiddlewaretoken": csrf(lesson.text), "form_token": f"redis-down-{code}"}
        for name, value in re.findall(r'name="(q-[^"]+)" value="([^"]+)"', lesson.text):
            answers.setdefault(name, value)
        result = student.post(
            server.url + LESSON + "quiz/", data=answers, headers={"Referer": server.url + LESSON}, timeout=10
        )
        # ...and sees the result of the quiz, which is stored.
        assert result.status_code == 200
        assert "quiz-result" in result.text

        reporter = requests.Session()
        form_url = f"{server.url}/report/{code}/new/"
        form = reporter.get(form_url, timeout=10)
        started = re.search(r'name="started" value="([^"]+)"', form.text).group(1)
        receipt = reporter.post(
            form_url,
            data={  # the report pages carry no CSRF cookie: the form's own token is "started"
                "school": code,
                "started": started,
                "website_url": "",
                "category": "fake_of_me",
                "platform": "telegram",
                "when": "today",
                "affected": "me",
                "staff_involved": "no",
                "urgency": "1",
                "details": "Redis was down when I wrote this.",
            },
            headers={"Referer": form_url},
            timeout=30,
        )
        assert receipt.status_code == 200 and "/report/receipt/" in receipt.url, receipt.url
        assert 'class="receipt' in receipt.text
        assert counts(env, code) == {"attempts": 1, "reports": 1, "unsent": 1}

        # Redis is back, and with it the worker; beat's sweep sends the email.
        redis_server.start()
        worker = Worker(env, queue_name, tmp_path / "worker.log")
        shell(env, "from incidents.tasks import send_pending_notifications as t; t.delay()")
        wait_for(lambda: mail.recipients() == [f"counselor-{code}@example.test"], 60, "the counselor's email")
        time.sleep(2)  # nothing more arrives
        assert mail.recipients() == [f"counselor-{code}@example.test"]
        assert counts(env, code) == {"attempts": 1, "reports": 1, "unsent": 0}
    finally:
        if worker:
            worker.stop()
        server.stop()
        mail.close()
        if redis_server.process.poll() is None:
            redis_server.stop()
