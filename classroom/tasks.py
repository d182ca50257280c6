"""Celery tasks of the classroom: thin wrappers that take ids and call a
service. The periodic ones are scheduled in settings (CELERY_BEAT_SCHEDULE),
by name."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_class_reminders(classroom_id: int, sent_by_id: int | None = None) -> int:
    return services.reminders_send(classroom_id=classroom_id, sent_by_id=sent_by_id)


@shared_task(ignore_result=True)
def send_teacher_digests() -> int:
    return services.teacher_digests_send()
