"""Settings read from the environment refuse bad or missing values, naming
the variable, and production's deploy check is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from edu_platform.settings import env

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3J9-vX2q!pL8zR4mN7wT1yB6cF0hD5sA9gE2uI8oP3rK7jQ1nV4"


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "edu_platform.settings.production",
    "SECRET_KEY": GOOD_SECRET,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "safe.example.org",
    "INCIDENT_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1udW1iZXItb25lLTMyYnl0ZXM=",
    "INCIDENT_RATE_LIMIT_PEPPER": "pepper-for-this-test",
    "SITE_URL": "https://safe.example.org",
}


def production_without(name):
    return {k: v for k, v in PRODUCTION.items() if k != name}


def run_django(args, **environ):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    clean.update(environ)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("REDIS_URL", "REDIS_URL must be set"),
        ("INCIDENT_ENCRYPTION_KEYS", "INCIDENT_ENCRYPTION_KEYS must be set"),
        ("INCIDENT_RATE_LIMIT_PEPPER", "INCIDENT_RATE_LIMIT_PEPPER must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must list"),
        ("SITE_URL", "SITE_URL must be set in production"),
    ],
)
def test_production_refuses_to_start_without_each_secret(missing, message):
    result = run_django(["check"], **production_without(missing))
    assert result.returncode != 0
    assert message in result.stderr


def test_bad_database_url_names_the_variable():
    result = run_django(["check"], DJANGO_SETTINGS_MODULE="edu_platform.settings.dev", DATABASE_URL="nosuchdb://x/y")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_deploy_check_is_clean():
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("helper", "name", "raw"),
    [
        (env.env_bool, "SOME_FLAG", "perhaps"),
        (env.env_int, "SOME_NUMBER", "ten"),
        (env.env_redis_url, "SOME_REDIS", "http://localhost"),
    ],
)
def test_bad_values_name_their_variable(monkeypatch, helper, name, raw):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured, match=name):
        helper(name) if helper is env.env_redis_url else helper(name, 0)


def test_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.delenv("A_SECRET", raising=False)
    monkeypatch.setenv("A_SECRET_FILE", str(secret_file))
    assert env.env_secret("A_SECRET") == "from-a-file"


def test_required_secret_missing_names_itself(monkeypatch):
    monkeypatch.delenv("A_SECRET", raising=False)
    monkeypatch.delenv("A_SECRET_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match="A_SECRET must be set"):
        env.env_secret("A_SECRET", required=True)
