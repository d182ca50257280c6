"""The Celery app. It reads every ``CELERY_*`` Django setting and finds the
``tasks.py`` of each app; without REDIS_URL the tasks run in process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_platform.settings.dev")

app = Celery("edu_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
