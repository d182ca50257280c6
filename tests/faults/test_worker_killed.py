"""A Celery worker killed in the middle of sending a notification: after it
is back, every counselor has the email exactly once.

The mail server holds the worker's first connection before its greeting, so
the worker is caught inside the send: it has claimed the outbox row (locked
in an open transaction) and is waiting for the server. Then it is killed.
"""

import json
import uuid

import pytest

from .conftest import MailServer, Worker, shell, wait_for

pytestmark = pytest.mark.redis


def submit_report(env: dict, queue: str, smtp_port: int) -> tuple[str, list[str]]:
    """A school with two counselors, and a report to it
    through the service, as the form stores it; the notifications are
    queued on the broker when the transaction commits."""
    code = "F" + uuid.uuid4().hex[:7].upper()
    script = f"""
from accounts.models import User
from schools.models import District, Membership, School
from incidents.services import report_submit
d = District.objects.create(code="{code}", name="fault district")
s = School.objects.create(code="{code}", name="fault school", district=d)
for name in ("counselor-a", "counselor-b"):
    u = User.objects.create_user(username=name + "-{code}", email=name + "-{code}@example.test", password="x")
    Membership.objects.create(user=u, school=s, role="counselor")
report_submit(school=s, category="fake_of_me", platform="telegram", platform_other="", room_link="t.me/x",
    account_handle="", when="today", affected="me", staff_involved="no", urgency=1,
    details="fault test", contact="")
"""
    shell({**env, "FAULT_QUEUE": queue, "FAULT_SMTP_PORT": str(smtp_port)}, script)
    return code, [f"counselor-a-{code}@example.test", f"counselor-b-{code}@example.test"]


def outbox_state(env: dict, code: str) -> list[tuple]:
    """(recipient, sent, attempts) of each outbox row of the test school."""
    script = (
        "import json; from incidents.models import OutboxMessage as O; "
        "print(json.dumps(sorted((o.recipient.email, o.sent_at is not None, o.attempts) "
        f"for o in O.objects.filter(recipient__username__endswith='-{code}'))))"
    )
    return [tuple(row) for row in json.loads(shell(env, script))]


def send_pending(env: dict, queue: str) -> None:
    """What Celery beat does every few minutes: queue the outbox sweep."""
    shell({**env, "FAULT_QUEUE": queue}, "from incidents.tasks import send_pending_notifications as t; t.delay()")


def requeue(env: dict, queue: str, code: str) -> None:
    """The task of every message once more, as the broker redelivers an
    unacknowledged task when its visibility timeout runs out."""
    shell(
        {**env, "FAULT_QUEUE": queue},
        "from incidents.models import OutboxMessage as O; from incidents.tasks import send_notification as t; "
        f"[t.delay(o.pk) for o in O.objects.filter(recipient__username__endswith='-{code}')]",
    )


@pytest.fixture
def mail():
    server = MailServer(hold_first=True)
    yield server
    server.close()


def test_a_pool_process_killed_mid_send_sends_once_when_the_task_is_redelivered(fault_env, queue_name, mail, tmp_path):
    worker = Worker({**fault_env, "FAULT_SMTP_PORT": str(mail.port)}, queue_name, tmp_path / "worker.log")
    try:
        code, recipients = submit_report(fault_env, queue_name, mail.port)
        assert mail.connected.wait(60), "the worker never started sending"
        worker.kill_child()
        mail.release.set()
        # acks_late + reject_on_worker_lost: the main process puts the task
        # back and a new pool process sends it.
        wait_for(lambda: sorted(mail.recipients()) == sorted(recipients), 60, "both emails")
        send_pending(fault_env, queue_name)
        requeue(fault_env, queue_name, code)
        wait_for(lambda: "send_pending_notifications" in (tmp_path / "worker.log").read_text(), 30, "the sweep")
        # Both sends, the sweep and the two redelivered tasks have run.
        wait_for(lambda: (tmp_path / "worker.log").read_text().count("succeeded") >= 5, 30, "the redelivered tasks")
    finally:
        worker.stop()
    assert sorted(mail.recipients()) == sorted(recipients), mail.recipients()
    # One attempt each: the killed one was rolled back with its transaction.
    assert outbox_state(fault_env, code) == [(address, True, 1) for address in sorted(recipients)]
    assert "WorkerLostError" in (tmp_path / "worker.log").read_text()


def test_a_worker_killed_whole_mid_send_sends_once_after_the_restart(fault_env, queue_name, mail, tmp_path):
    env = {**fault_env, "FAULT_SMTP_PORT": str(mail.port)}
    worker = Worker(env, queue_name, tmp_path / "worker.log")
    try:
        code, recipients = submit_report(fault_env, queue_name, mail.port)
        assert mail.connected.wait(60), "the worker never started sending"
        worker.kill_all()
        mail.release.set()
        # The claim died with the worker's database connection: nothing is
        # marked sent and nothing reached the mail server.
        assert mail.recipients() == []
        assert [sent for _, sent, _ in outbox_state(fault_env, code)] == [False, False]
        worker = Worker(env, queue_name, tmp_path / "worker-restarted.log")
        # The killed task waits unacknowledged on the broker; the queued one
        # runs, and beat's sweep sends the rest.
        send_pending(fault_env, queue_name)
        wait_for(lambda: sorted(mail.recipients()) == sorted(recipients), 60, "both emails after the restart")
        # Later, the broker redelivers the killed task: still nothing twice.
        requeue(fault_env, queue_name, code)
        log = tmp_path / "worker-restarted.log"
        wait_for(lambda: log.read_text().count("succeeded") >= 4, 30, "the redelivered tasks")
    finally:
        worker.stop()
    assert sorted(mail.recipients()) == sorted(recipients), mail.recipients()
    assert [(address, sent) for address, sent, _ in outbox_state(fault_env, code)] == [
        (address, True) for address in sorted(recipients)
    ]
