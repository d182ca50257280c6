"""Celery tasks of the accounts app: the parents' weekly email summary.

The lead adds ``ACCOUNTS_BEAT_SCHEDULE`` to ``CELERY_BEAT_SCHEDULE`` in
settings. Tasks take ids, load the objects and call a service."""

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings

from . import selectors, services
from .models import User

ACCOUNTS_BEAT_SCHEDULE = {
    # Sunday evening, so that parents read it before the school week starts.
    "accounts-weekly-digest": {
        "task": "accounts.tasks.send_weekly_digests",
        "schedule": crontab(day_of_week="sun", hour=18, minute=0),
    },
}


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
    return services.digest_send(parent=parent, site_url=settings.SITE_URL)
