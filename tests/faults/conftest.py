"""What the fault tests share: a database of their own (the worker and the
web server are other processes, so they must see committed rows, which the
test database's per-test transactions never are), a mail server on
loopback that can hold a connection, a Celery worker and gunicorn.

They need the real PostgreSQL and Redis: skipped on a laptop without them,
failed in CI (tests/support/services.py).
"""

import os
import signal
import socketserver
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from ..support.servers import ROOT, ServerProcess, free_port, run_manage, stop_process, wait_for
from ..support.services import need, own_postgres_database, why_no_postgres, why_no_redis

__all__ = ["Gunicorn", "MailServer", "Worker", "free_port", "need", "shell", "stop_process", "wait_for"]


@pytest.fixture(scope="session")
def fault_env():
    """Environment for the processes: a freshly migrated database of their
    own (``<name>_faults``) on the real PostgreSQL, and the real Redis."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        need("PostgreSQL", why_no_postgres())
    problem = why_no_redis(redis_url)
    if problem:
        need("Redis", problem)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
        DATABASE_URL=own_postgres_database(database_url, "faults"),
        REDIS_URL=redis_url,
        PYTHONPATH=str(ROOT),
    )
    manage(env, "migrate", "--noinput")
    manage(env, "load_curriculum")
    return env


def manage(env: dict, *args) -> str:
    return run_manage(env, *args).stdout


def shell(env: dict, script: str) -> str:
    return manage(env, "shell", "--no-imports", "-c", script).strip()


def children_of(pid: int) -> list[int]:
    """Child processes, read from /proc (no extra package needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class Worker:
    """A real Celery worker (prefork, one child) on a queue of its own."""

    def __init__(self, env: dict, queue: str, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "edu_platform",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env={**env, "FAULT_QUEUE": queue},
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in log.read_text() or self.process.poll() is not None, 60, "the worker to start")
        if self.process.poll() is not None:
            raise RuntimeError("the worker did not start:\n" + log.read_text()[-3000:])

    def kill_child(self) -> int:
        """Kill the pool process running the task, as the kernel's OOM killer would."""
        (child,) = children_of(self.process.pid)
        os.kill(child, signal.SIGKILL)
        return child

    def kill_all(self) -> None:
        """Kill the whole worker at once, main process and children."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        stop_process(self.process, group=True)


class MailServer:
    """A small SMTP server on loopback that records each message it accepts
    with its recipients. The first connection can be held before the
    greeting, so that the sender is caught in the middle of a send."""

    def __init__(self, hold_first: bool):
        self.messages: list[tuple[list[str], str]] = []
        self.connected = threading.Event()
        self.release = threading.Event()
        self.hold_first = hold_first
        self._first_taken = False
        self._lock = threading.Lock()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                owner._serve(self)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def recipients(self) -> list[str]:
        with self._lock:
            return [address for rcpts, _ in self.messages for address in rcpts]

    def _serve(self, conn):
        with self._lock:
            first, self._first_taken = not self._first_taken, True
        if first and self.hold_first:
            self.connected.set()
            self.release.wait(60)
        rcpts, lines, in_data = [], [], False
        try:
            conn.wfile.write(b"220 fault-test ESMTP\r\n")
            for raw in conn.rfile:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if in_data:
                    if line == ".":
                        with self._lock:
                            self.messages.append((rcpts, "\n".join(lines)))
                        rcpts, lines, in_data = [], [], False
                        conn.wfile.write(b"250 accepted\r\n")
                    else:
                        lines.append(line[1:] if line.startswith("..") else line)
                    continue
                verb = line[:4].upper()
                if verb == "EHLO":
                    conn.wfile.write(b"250-fault-test\r\n250 8BITMIME\r\n")
                elif verb == "RCPT":
                    rcpts.append(line.split(":", 1)[1].strip().strip("<>"))
                    conn.wfile.write(b"250 ok\r\n")
                elif verb == "DATA":
                    in_data = True
                    conn.wfile.write(b"354 go on\r\n")
                elif verb == "QUIT":
                    conn.wfile.write(b"221 bye\r\n")
                    return
                else:  # HELO, MAIL, RSET, NOOP
                    conn.wfile.write(b"250 ok\r\n")
        except OSError:
            pass  # the sender was killed

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class Gunicorn(ServerProcess):
    """The production web server (two workers) on loopback."""

    def __init__(self, env: dict, log: Path):
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "edu_platform.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        super().__init__(
            [*argv, "--workers", "2", "--log-level", "warning"], port=port, env=env, log=log, ready_path="/ping"
        )


@pytest.fixture
def queue_name(fault_env):
    """A queue of this test's own, removed afterwards."""
    import redis

    name = f"fault-test-{uuid.uuid4().hex[:8]}"
    yield name
    redis.Redis.from_url(fault_env["REDIS_URL"]).delete(name)
