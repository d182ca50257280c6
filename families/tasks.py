"""Celery tasks of the families app: the parents' weekly email summary.
Tasks take ids, load the objects and call a service; the schedule is in
settings (CELERY_BEAT_SCHEDULE), by task name."""

from celery import shared_task

from accounts.models import User
from edu_platform.urls_public import public_base_url

from . import selectors, services


@shared_task(ignore_result=True)
def send_weekly_digests() -> int:
    """Queue one summary per opted-in parent; each runs (and may retry) alone."""
    parent_ids = selectors.parents_for_digest()
    for parent_id in parent_ids:
        send_weekly_digest.delay(parent_id)
    return len(parent_ids)


@shared_task(ignore_result=True)
def send_weekly_digest(parent_id: int) -> bool:
    parent = User.objects.filter(pk=parent_id, is_active=True).first()
    if parent is None:
        return False
    return services.digest_send(parent=parent, site_url=public_base_url())
