"""PostgreSQL restarted under a running server: /healthz answers 503 while
the database is away and 200 once it is back, and the pages that read the
database work again without restarting the server (its connections are
health-checked before reuse)."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connections

from .conftest import Gunicorn, need, shell, wait_for


def cluster() -> list[str]:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        need("PostgreSQL", "pg_ctlcluster is needed to restart the local cluster")
    (version,) = os.listdir("/etc/postgresql")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


@pytest.fixture
def server(fault_env, tmp_path):
    server = Gunicorn(fault_env, tmp_path / "server.log")
    yield server.url
    server.stop()


def test_healthz_follows_the_database_down_and_up_and_pages_recover(fault_env, server):
    control = cluster()
    code = "P" + uuid.uuid4().hex[:7].upper()
    shell(
        fault_env,
        "from schools.models import District, School; "
        f"School.objects.create(code='{code}', name='재시작 시험 학교', district=District.objects.create(code='{code}', name='d'))",
    )
    search = f"{server}/report/?q={code[:4]}"
    assert requests.get(server + "/healthz", timeout=5).status_code == 200
    assert code in requests.get(search, timeout=5).text
    seen = []
    try:
        subprocess.run([*control, "stop", "-m", "fast"], check=True, capture_output=True, timeout=60)
        down = requests.get(server + "/healthz", timeout=10)
        seen.append(down.status_code)
        assert down.status_code == 503
        assert down.json()["database"] == "down"
    finally:
        subprocess.run([*control, "start"], check=True, capture_output=True, timeout=60)
        connections.close_all()  # this process's own connections died with the server

    def healthy():
        response = requests.get(server + "/healthz", timeout=10)
        seen.append(response.status_code)
        return response.status_code == 200

    wait_for(healthy, 60, "/healthz to answer 200 again", interval=0.5)
    # Every request now succeeds, in both server processes, with no restart.
    answers = [requests.get(search, timeout=10) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 6
    assert all(code in a.text for a in answers)
    assert seen[0] == 503 and seen[-1] == 200
