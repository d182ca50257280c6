"""The real PostgreSQL and Redis: whether they answer, which ones a test
run uses, the rule for tests that need one (skipped on a laptop without
it, failed in CI), and databases of their own for tests that start other
processes.

Those processes (the browser journeys' server, the fault tests' server and
worker) must see committed rows, which the test database's per-test
transactions never are, so they get a database of their own, named after
the run's database (``<name>_browser``, ``<name>_faults``), so that two runs
on one machine with different databases never share one.

Nothing here imports Django: bin/test-env uses it before settings exist.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Mapping
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest

LOCAL_HOST = "127.0.0.1"
POSTGRES_PORT = 5432
REDIS_PORT = 6379
# What `make test` uses when PostgreSQL and Redis answer on their default
# ports and the environment names none; CI's are safe_together_ci and db 15.
LOCAL_DATABASE_URL = f"postgres://postgres@{LOCAL_HOST}:{POSTGRES_PORT}/safe_together_test"
LOCAL_REDIS_URL = f"redis://{LOCAL_HOST}:{REDIS_PORT}/13"


def need(service: str, reason: str) -> NoReturn:
    """A test that cannot run without `service`: skipped on a laptop, failed in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{service} is required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _listens(port: int) -> bool:
    try:
        with socket.create_connection((LOCAL_HOST, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_problem(database_url: str) -> str | None:
    """None when the server of `database_url` lets us in; otherwise why not."""
    import psycopg

    try:
        with psycopg.connect(_with_database(database_url, "postgres"), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def redis_problem(redis_url: str) -> str | None:
    """None when the Redis of `redis_url` answers a ping; otherwise why not."""
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
        return None
    except redis.RedisError as exc:
        return str(exc)


@functools.cache
def local_postgres_problem() -> str | None:
    if not _listens(POSTGRES_PORT):
        return f"PostgreSQL not running on {LOCAL_HOST}:{POSTGRES_PORT}"
    problem = postgres_problem(LOCAL_DATABASE_URL)
    return problem and f"PostgreSQL on {LOCAL_HOST}:{POSTGRES_PORT} refused user postgres ({problem})"


@functools.cache
def local_redis_problem() -> str | None:
    if not _listens(REDIS_PORT):
        return f"Redis not running on {LOCAL_HOST}:{REDIS_PORT}"
    problem = redis_problem(LOCAL_REDIS_URL)
    return problem and f"Redis on {LOCAL_HOST}:{REDIS_PORT} does not answer ({problem})"


def run_environment(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The environment of a test run, and one line per service saying what
    it uses: DATABASE_URL and REDIS_URL as given (CI sets both), otherwise
    the local server when it answers, otherwise none (SQLite, no Redis)."""
    env, notes = dict(environ), []
    if env.get("DATABASE_URL"):
        notes.append(f"PostgreSQL: DATABASE_URL={_shown(env['DATABASE_URL'])}")
    elif local_postgres_problem() is None:
        env["DATABASE_URL"] = LOCAL_DATABASE_URL
        notes.append(f"PostgreSQL: {LOCAL_DATABASE_URL} (found running)")
    else:
        notes.append(f"{local_postgres_problem()}: SQLite instead; the tests that need PostgreSQL are skipped")
    if env.get("REDIS_URL"):
        notes.append(f"Redis: REDIS_URL={_shown(env['REDIS_URL'])}")
    elif local_redis_problem() is None:
        env["REDIS_URL"] = LOCAL_REDIS_URL
        notes.append(f"Redis: {LOCAL_REDIS_URL} (found running)")
    else:
        notes.append(f"{local_redis_problem()}: in-process tasks instead; the tests that need Redis are skipped")
    return env, notes


def _shown(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def why_no_postgres() -> str:
    """The skip message of a test that needs PostgreSQL when the run has none."""
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url:
        return f"PostgreSQL not used: DATABASE_URL is {urlsplit(database_url).scheme}://…"
    problem = local_postgres_problem()
    if problem:
        return f"{problem} (start it, or set DATABASE_URL, to run these)"
    return (
        f"PostgreSQL not used: it runs on {LOCAL_HOST}:{POSTGRES_PORT}, but DATABASE_URL is not set (make test sets it)"
    )


def why_no_redis(redis_url: str | None) -> str | None:
    """None when the run's Redis answers; otherwise the skip message."""
    if redis_url:
        problem = redis_problem(redis_url)
        return problem and f"Redis at REDIS_URL does not answer ({problem})"
    problem = local_redis_problem()
    if problem:
        return f"{problem} (start it, or set REDIS_URL, to run these)"
    return f"Redis not used: it runs on {LOCAL_HOST}:{REDIS_PORT}, but REDIS_URL is not set (make test sets it)"


def _with_database(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def own_postgres_database(database_url: str, purpose: str) -> str:
    """Drop and create ``<name of database_url>_<purpose>`` on the same
    server; returns its URL."""
    import psycopg
    from psycopg import sql

    name = f"{database_name(database_url)}_{purpose}"
    with psycopg.connect(_with_database(database_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(database_url, name)
