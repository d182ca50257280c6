"""Settings of the stand-in identity provider (tests only). Its database is
a SQLite file in the directory the test gives it (OIDC_PROVIDER_DIR)."""

import os
from pathlib import Path

BASE = Path(os.environ["OIDC_PROVIDER_DIR"])
SECRET_KEY = "test-identity-provider-only"  # noqa: S105 (a throwaway process on loopback)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.support.oidc_provider.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "provider.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test accounts only
USE_TZ = True
TEMPLATES = []
LOGIN_URL = "/login/"
# Cookies ignore the port: on 127.0.0.1 next to the platform, the provider's
# session cookie must not take the platform's name (a browser would drop the
# platform's session, and with it the sign-in's state).
SESSION_COOKIE_NAME = "provider_session"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": (BASE / "signing-key.pem").read_text() if (BASE / "signing-key.pem").exists() else "",
    "PKCE_REQUIRED": True,
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "Email address"},
    "OAUTH2_VALIDATOR_CLASS": "tests.support.oidc_provider.validator.ClaimsValidator",
}
