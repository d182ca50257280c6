"""Production: every secret comes from the environment; nothing has a default
that could leak into a real deployment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL
from .env import env_bool, env_int, env_list, env_secret, env_str

DEBUG = False
SECRET_KEY = env_secret("SECRET_KEY", required=True)
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production (Celery broker and cache).")
INCIDENT_ENCRYPTION_KEYS = env_list("INCIDENT_ENCRYPTION_KEYS")
if not INCIDENT_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "INCIDENT_ENCRYPTION_KEYS must be set: comma-separated Fernet keys, newest first "
        "(make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )
INCIDENT_RATE_LIMIT_PEPPER = env_secret("INCIDENT_RATE_LIMIT_PEPPER", required=True)
WEBPUSH_ENABLED = env_bool("WEBPUSH_ENABLED", False)
WEBPUSH_VAPID_SECRET = env_secret("WEBPUSH_VAPID_SECRET", "")
if WEBPUSH_ENABLED and len(WEBPUSH_VAPID_SECRET or "") < 32:
    raise ImproperlyConfigured(
        "WEBPUSH_ENABLED is on, so WEBPUSH_VAPID_SECRET must be set (at least 32 characters; every school's "
        "push key is derived from it): python -c 'import secrets; print(secrets.token_urlsafe(48))'."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the platform answers to.")
# Printed cards, posters and emails carry this address; a guess from the
# request's Host header is not good enough for a whole school's cards.
SITE_URL = (env_str("SITE_URL", "") or "").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must be set in production: the public address, e.g. https://safe.example.org.")
WAGTAILADMIN_BASE_URL = SITE_URL

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# `make stack` runs the production settings on plain-http loopback; only
# there are cookies allowed without TLS.
_LOOPBACK = env_bool("STACK_INSECURE_LOOPBACK", False)
SESSION_COOKIE_SECURE = not _LOOPBACK
CSRF_COOKIE_SECURE = not _LOOPBACK
# TRUSTED_PROXY_COUNT (base.py) defaults to 0 here too: X-Forwarded-For is
# trusted only when the deployment says how many proxies append to it
# (docs/deploy.md, the load balancer).
