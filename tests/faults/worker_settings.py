"""Settings of the processes the fault tests start (a Celery worker, a web
server, a shell that submits a report): the test settings with real email
to the test's mail server and tasks sent through the real Redis broker."""

import os

from edu_platform.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("FAULT_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 30
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("FAULT_QUEUE", "celery")
