"""Settings shared by every run. Everything that differs between runs comes
from environment variables (see README.md); dev, test and production only
override what they must."""

from pathlib import Path

from django.utils.translation import gettext_lazy

from .env import env_bool, env_database, env_int, env_list, env_redis_url, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Local, git-ignored data of a developer machine: SQLite database, dev keys.
LOCAL_DATA_DIR = Path(env_str("LOCAL_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = False
DEMO_DATA_ALLOWED = False
SECRET_KEY = env_secret("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and the live class's sockets over ASGI (`make run`).
    "daphne",
    "edu_platform",  # project-wide management commands (seed_scale)
    "schools",
    "accounts",
    "classroom",
    "families",
    "districts",
    "curriculum",
    "incidents",
    "live",
    "channels",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "edu_platform.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "edu_platform.middleware.RefuseNulInAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "incidents.keyring.KeyringCookieMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "curriculum.page_cache.AnonymousPageCacheMiddleware",
    "curriculum.route_cache.PageRouteCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "edu_platform.urls"
WSGI_APPLICATION = "edu_platform.wsgi.application"
ASGI_APPLICATION = "edu_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "edu_platform.context_processors.platform",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{LOCAL_DATA_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_redis_url("REDIS_URL")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "role_home"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: adults sign in by email, students by username; both in one field.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# allauth would put the host name in front of every subject ("[127.0.0.1:8000]").
ACCOUNT_EMAIL_SUBJECT_PREFIX = gettext_lazy("[Safe Together] ")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# The login form unlocks a counselor's reading key with the verified password
# (incidents.keyring; the accounts app itself never imports incidents).
ACCOUNT_FORMS = {"signup": "accounts.forms.ParentSignupForm", "login": "incidents.keyring.KeyUnlockingLoginForm"}
# allauth names people by their display name ("김보호 님, 로그인했어요."), not by the generated username.
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
# A whole class signs in from one school address when the bell rings, so the
# per-address limits are generous; the per-account limit stops guessing.
# "login_failed" locks adults only: pupils (and usernames of no account) wait
# a growing few seconds instead (accounts.adapter, accounts.ratelimit).
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    "login_failed": "200/m/ip,5/15m/key",
    "signup": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "5/m/key",
    "change_password": "5/m/user",
}
# School accounts (issue 19): a district's OpenID Connect provider, configured
# by its officer (districts.IdentityProvider + allauth's SocialApp). Only people
# the platform already knows sign in with it (districts.signin); nobody is
# signed up, nothing is matched by an unverified address.
SOCIALACCOUNT_ADAPTER = "districts.signin.SchoolAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}

# Changing the second factor or the password asks who it is, unless the
# person typed their password (or code) within the last five minutes, the
# login included (accounts.adapter.count_login_as_recent_authentication).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Safe Together"
# Roles that must have a second factor before they reach their tools.
MFA_REQUIRED_PATH_PREFIXES = ("/cms/", "/counsel/", "/school/", "/district/", "/manage-site/")

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "edu_platform.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

# Sessions are read from the cache and kept in the database, so a page view
# costs no session query and a cache flush logs nobody out.
# The live class's fan-out (docs/live.md): Redis when there is one, so that
# every ASGI node reaches every pupil; in one process otherwise (`make run`).
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
if REDIS_URL:
    # Redis pub/sub: a message to a class is published once and each ASGI
    # process hands it to its own sockets (the list-based layer stored and
    # popped it once per socket: a next-slide p95 of 12.6 s for 40 classes of
    # 35 in bench/live.py). Pub/sub forgets what is published while Redis or
    # a subscription is away; live.followers puts those sockets back on the
    # current state within seconds.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Email
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (browser tests read the mail there).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(LOCAL_DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Safe Together <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: JSON only, late acknowledgement, and without a broker (a laptop) the
# tasks run in process.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Publishing gives up at once when the broker is down: the caller keeps the
# work in the database (e.g. the incident outbox) and a periodic task
# catches up, so a request never hangs on the broker.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TIMEZONE = TIME_ZONE
# Every periodic task of every app, named by string (settings import no app).
from celery.schedules import crontab  # noqa: E402

# How old the office view's figures may be (seconds): Celery beat adds them
# up again this often (districts.tasks.refresh_office_rollups).
OFFICE_ROLLUP_SECONDS = env_int("OFFICE_ROLLUP_SECONDS", 600)

CELERY_BEAT_SCHEDULE = {
    # Teachers: overdue assignments, before the first lesson (CELERY_TIMEZONE is the school's).
    "classroom-teacher-digest": {
        "task": "classroom.tasks.send_teacher_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Parents who opted in: Sunday evening, read before the school week starts.
    "families-weekly-digest": {
        "task": "families.tasks.send_weekly_digests",
        "schedule": crontab(day_of_week="sun", hour=18, minute=0),
    },
    # The incident channel: the outbox sweep, escalation of missed targets, retention.
    "incidents-send-outbox": {"task": "incidents.tasks.send_pending_notifications", "schedule": 60.0},
    "incidents-escalate-overdue": {"task": "incidents.tasks.escalate_overdue_reports", "schedule": 120.0},
    "incidents-delete-expired": {"task": "incidents.tasks.delete_expired_reports", "schedule": 24 * 60 * 60.0},
    # The education offices' completion figures (districts.selectors rollups).
    "districts-refresh-office-rollups": {
        "task": "districts.tasks.refresh_office_rollups",
        "schedule": float(OFFICE_ROLLUP_SECONDS),
    },
    "live-delete-old-questions": {"task": "live.tasks.delete_old_questions", "schedule": 6 * 60 * 60.0},
}

# Wagtail
WAGTAIL_SITE_NAME = "Safe Together"
# Wagtail's emails are sent without a request at hand: SITE_URL, or where `make run` serves.
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "") or "http://127.0.0.1:8000"
WAGTAILADMIN_LOGIN_URL = "account_login"
# Pages an editor makes private ask for our own login, not Wagtail's bare one.
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# No Gravatar in the CMS: editors' addresses are not sent out as hashes, and
# the images are not broken where the school network blocks them.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True

# The public address (scheme, host, port) of printed cards, posters and emails.
# Unset (development): the address each request came in on
# (edu_platform.urls_public); production refuses to start without it.
SITE_URL = env_str("SITE_URL", "")

# --- Incident channel -------------------------------------------------------
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt,
# so a key can be rotated without downtime. Never stored in the database.
INCIDENT_ENCRYPTION_KEYS = env_list("INCIDENT_ENCRYPTION_KEYS")
# Pepper mixed into the hashes used for rate limiting report pages (cache only).
# It also keys the receipt lookup index (incidents/receipts.py): changing it
# makes every existing receipt unfindable, so treat it as permanent.
INCIDENT_RATE_LIMIT_PEPPER = env_secret("INCIDENT_RATE_LIMIT_PEPPER")
# Closed cases are deleted this many days after closing (reopening stops the clock).
# Argon2id cost (passes, KiB) of the key that wraps a reader's private key
# with their password (docs/sealing.md): about a tenth of a second at sign-in.
INCIDENT_KEY_KDF = (env_int("INCIDENT_KEY_KDF_TIME_COST", 3), env_int("INCIDENT_KEY_KDF_MEMORY_KIB", 65536))
INCIDENT_RETENTION_DAYS = env_int("INCIDENT_RETENTION_DAYS", 365)
# Behind a load balancer, how many proxies append to X-Forwarded-For (one
# setting for the whole platform: the report channel, the guardian-code and
# join-code limits and allauth's). 0, the default everywhere, trusts no
# header and uses the socket's address. INCIDENT_TRUSTED_PROXY_COUNT is the
# old, deprecated name, still read when the new one is not set.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("INCIDENT_TRUSTED_PROXY_COUNT", 0))
INCIDENT_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # deprecated alias
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Spam: a form sent faster than this is a program's; more reports than this
# for one school in 10 minutes are flagged (kept, never dropped).
INCIDENT_MIN_FILL_SECONDS = env_int("INCIDENT_MIN_FILL_SECONDS", 3)
INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES = env_int("INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES", 20)
# Wrong receipts one address may enter in 15 minutes: generous, because a
# whole school may share one address (incidents/ratelimit.py).
INCIDENT_RECEIPT_GUESSES_PER_ADDRESS = env_int("INCIDENT_RECEIPT_GUESSES_PER_ADDRESS", 300)
# The reporter is promised an answer to an urgent report within this many
# minutes; an urgent report not acknowledged by then is escalated, to the
# district's safety officers too. One setting for the promise and the timer.
INCIDENT_URGENT_RESPONSE_MINUTES = env_int("INCIDENT_URGENT_RESPONSE_MINUTES", 60)
# Browser push for counselors who opt in (incidents/push.py). Each school's
# VAPID key is derived from this secret and the school's id; no key is
# stored. Off unless WEBPUSH_ENABLED; production then requires the secret.
WEBPUSH_ENABLED = env_bool("WEBPUSH_ENABLED", False)
WEBPUSH_VAPID_SECRET = env_secret("WEBPUSH_VAPID_SECRET", "")
WEBPUSH_CONTACT_EMAIL = env_str("WEBPUSH_CONTACT_EMAIL", "")
# --- end incident channel ---------------------------------------------------
# The jurisdiction whose help lines an anonymous visitor sees.
DEFAULT_JURISDICTION = env_str("DEFAULT_JURISDICTION", "KR")
# Under this age, results are stored only with a guardian's consent.
GUARDIAN_CONSENT_AGE = env_int("GUARDIAN_CONSENT_AGE", 14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Request logs carry addresses and paths; the incident channel promises
        # to keep no addresses, so request-level logging is never enabled.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
