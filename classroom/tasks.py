"""Celery tasks of the classroom: thin wrappers that take ids and call a
service.

``CLASSROOM_BEAT_SCHEDULE`` is merged into ``CELERY_BEAT_SCHEDULE`` by the
settings, so this module must import without Django being set up: the
services are imported inside the tasks.
"""

from celery import shared_task
from celery.schedules import crontab

CLASSROOM_BEAT_SCHEDULE = {
    # Before the first lesson, in CELERY_TIMEZONE (the school's time zone).
    "classroom-teacher-digest": {
        "task": "classroom.tasks.send_teacher_digests",
        "schedule": crontab(hour=7, minute=30),
    },
}


@shared_task(ignore_result=True)
def send_class_reminders(classroom_id: int, sent_by_id: int | None = None) -> int:
    from .services import reminders_send

    return reminders_send(classroom_id=classroom_id, sent_by_id=sent_by_id)


@shared_task(ignore_result=True)
def send_teacher_digests() -> int:
    from .services import teacher_digests_send

    return teacher_digests_send()
