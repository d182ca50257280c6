"""Celery tasks of the incident channel: thin wrappers that take ids and call
a service. The periodic ones are scheduled in settings (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import cases, services


@shared_task(ignore_result=True)
def send_notification(message_id: int) -> bool:
    return services.outbox_send(message_id=message_id)


@shared_task(ignore_result=True)
def send_pending_notifications() -> int:
    return services.outbox_send_pending()


@shared_task(ignore_result=True)
def escalate_overdue_reports() -> int:
    return cases.reports_escalate_overdue()


@shared_task(ignore_result=True)
def delete_expired_reports() -> int:
    return cases.reports_delete_expired()
