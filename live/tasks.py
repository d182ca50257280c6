"""Periodic work of the live class (named by string in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task
def delete_old_questions() -> int:
    return services.questions_delete_old()
