"""A newcomer's laptop: SQLite in var/, tasks in process, email on the console."""

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import LOCAL_DATA_DIR
from .env import env_bool, env_str

DEBUG = True
LOCAL_DATA_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret(name: str) -> str:
    """A random secret generated once into the git-ignored data folder."""
    path = LOCAL_DATA_DIR / name
    if not path.exists():
        path.write_text(get_random_secret_key(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _local_fernet_key(name: str) -> str:
    from cryptography.fernet import Fernet

    path = LOCAL_DATA_DIR / name
    if not path.exists():
        path.write_text(Fernet.generate_key().decode(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = SECRET_KEY or _local_secret("secret_key")  # noqa: F405
INCIDENT_ENCRYPTION_KEYS = INCIDENT_ENCRYPTION_KEYS or [_local_fernet_key("incident_key")]  # noqa: F405
INCIDENT_RATE_LIMIT_PEPPER = INCIDENT_RATE_LIMIT_PEPPER or _local_secret("rate_limit_pepper")  # noqa: F405
WEBPUSH_VAPID_SECRET = WEBPUSH_VAPID_SECRET or _local_secret("webpush_vapid_secret")  # noqa: F405
WEBPUSH_ENABLED = env_bool("WEBPUSH_ENABLED", True)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
ALLOWED_HOSTS = ["*"]
DEMO_DATA_ALLOWED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
