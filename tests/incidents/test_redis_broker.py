"""With the real Redis broker (not eager), a report submission queues its
notification task on the broker after the commit."""

import json

import kombu.pools
import pytest

from edu_platform.celery import app as celery_app
from incidents.models import OutboxMessage

from .conftest import submit

QUEUE = "incidents-test-notifications"


def _reset_connections():
    """Make Celery connect again with the current broker_url: close Celery's
    and kombu's pools and forget them, so the next use builds new ones."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()


@pytest.fixture
def real_broker(redis_url, settings):
    import redis

    conf = celery_app.conf
    saved = {
        "task_always_eager": conf.task_always_eager,
        "broker_url": conf.broker_url,
        "task_default_queue": conf.task_default_queue,
    }
    conf.task_always_eager = False
    conf.broker_url = redis_url
    conf.task_default_queue = QUEUE
    _reset_connections()
    client = redis.Redis.from_url(redis_url)
    client.delete(QUEUE)
    yield client
    client.delete(QUEUE)
    for key, value in saved.items():
        setattr(conf, key, value)
    _reset_connections()


@pytest.mark.redis
def test_a_report_queues_its_notification_on_the_real_broker(
    client, cast, real_broker, django_capture_on_commit_callbacks
):
    response = submit(client, cast.school, django_capture_on_commit_callbacks)
    assert response.status_code == 303
    message = OutboxMessage.objects.get()
    assert message.sent_at is None  # queued, not run in process
    queued = real_broker.lrange(QUEUE, 0, -1)
    assert len(queued) == 1
    envelope = json.loads(queued[0])
    assert envelope["headers"]["task"] == "incidents.tasks.send_notification"
    assert envelope["headers"]["argsrepr"] == f"[{message.pk}]"
    # Nothing of the report travels through the broker.
    assert "Someone in my class" not in queued[0].decode()
