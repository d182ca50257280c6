"""Tiny helpers that read settings from the environment and fail loudly.

A bad value stops start-up with a message that names the variable, so an
operator never has to guess which of twenty variables is wrong.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if not value and file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {file_name!r}, which cannot be read: {exc}.") from None
    if not value:
        if required:
            raise ImproperlyConfigured(f"{name} must be set (or {name}_FILE naming a file that holds it).")
        return default
    return value


def env_database(name: str, default: str):
    """Parse a database URL, naming the variable when it is malformed."""
    import dj_database_url

    raw = os.environ.get(name) or default
    # Persistent connections for the WSGI workers (one thread each). The ASGI
    # node sets DATABASE_POOL (edu_platform/asgi.py): Django runs each of its
    # requests in a thread of its own, and a kept connection would stay open in
    # every thread that ever served one (bench/live.py ran PostgreSQL out of
    # connections that way); a pool lends one per request instead.
    pool = env_int("DATABASE_POOL", 0)
    try:
        config = dj_database_url.parse(raw, conn_max_age=0 if pool else 60, conn_health_checks=not pool)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}.") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unsupported database: {raw.split(':', 1)[0]!r}.")
    if pool and config["ENGINE"] == "django.db.backends.postgresql":
        # Django has the pool check each connection it lends.
        config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool, "timeout": 10}
    return config


def env_redis_url(name: str) -> str | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must be a redis:// or rediss:// URL (got {raw!r}).")
    return raw
