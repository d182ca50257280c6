"""Periodic work of the education offices."""

from celery import shared_task

from schools.models import District

from . import selectors


@shared_task(ignore_result=True)
def refresh_office_rollups() -> int:
    """Add up every office's completion figures again (the office view reads
    them from the cache; settings.OFFICE_ROLLUP_SECONDS apart)."""
    n = 0
    for district in District.objects.order_by("pk").iterator():
        selectors.refresh_rollup(district)
        n += 1
    return n
