"""Real processes for the tests that need them (the browser journeys' web
server; the fault tests' gunicorn, Celery worker and shells): a free port
on loopback, manage.py in another process, a server started and waited for
until it answers, and processes stopped for certain."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], object], timeout: float, what: str, interval: float = 0.2):
    """Poll `check` until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def run_manage(env: dict, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """manage.py in a process of its own; a failure shows the command's errors."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
    return result


def stop_process(process: subprocess.Popen, *, group: bool = False, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL if it has not ended within `timeout`. With
    `group`, the whole process group (a process started in a session of its
    own, with its children)."""
    if process.poll() is not None:
        return

    def send(sig):
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except ProcessLookupError:
            pass  # it ended in between

    send(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait(timeout=timeout)


class ServerProcess:
    """An HTTP server started as `argv` (which must listen on 127.0.0.1:`port`),
    waited for until `ready_path` answers 200. If the process ends first,
    the error says so and shows the end of its log."""

    def __init__(self, argv: list[str], *, port: int, env: dict, log: Path, ready_path: str, timeout: float = 120):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        with log.open("w") as stderr:
            self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            wait_for(lambda: self._answers(ready_path), timeout, f"{self.url}{ready_path}", interval=0.3)
        except BaseException:
            self.stop()
            raise

    def _answers(self, path: str) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"the server ended before it answered:\n{self.log.read_text()[-3000:]}")
        try:
            with urlopen(self.url + path, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.process)
