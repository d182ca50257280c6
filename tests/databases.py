"""A database of their own for tests that start other processes (the
browser journeys' server, the fault tests' server and worker): those
processes must see committed rows, which the test database's per-test
transactions never are."""

import subprocess


def fresh_postgres_database(database_url: str, name: str) -> str:
    """Drop and create `name` on the server of `database_url`; returns its URL."""
    base = database_url.rsplit("/", 1)[0]
    subprocess.run(
        ["psql", base + "/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    return f"{base}/{name}"
