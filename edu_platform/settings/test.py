"""Tests: fast hashing, in-memory email; DATABASE_URL and REDIS_URL decide
whether the real PostgreSQL and Redis are used (they are in CI)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
DEMO_DATA_ALLOWED = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Fixed test-only keys (two, to exercise rotation); never used outside tests.
INCIDENT_ENCRYPTION_KEYS = [
    "dGVzdC1vbmx5LWtleS1udW1iZXItb25lLTMyYnl0ZXM=",
    "dGVzdC1vbmx5LWtleS1udW1iZXItdHdvLTMyYnl0ZXM=",
]
INCIDENT_RATE_LIMIT_PEPPER = "test-only-pepper"  # noqa: S105
WEBPUSH_ENABLED = True
WEBPUSH_VAPID_SECRET = "test-only-vapid-secret"  # noqa: S105
# Socket tests run in one process: the in-memory channel layer, Redis or not.
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Reading keys wrapped cheaply in tests (the parameters are stored with each key).
INCIDENT_KEY_KDF = (1, 8192)
