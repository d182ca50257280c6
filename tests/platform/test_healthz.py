"""/healthz answers 200 with the database up and 503 with it down."""

from unittest import mock

import pytest


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert set(response.json()) == {"database", "broker"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client):
    with mock.patch("edu_platform.views.connection.cursor", side_effect=Exception("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_healthz_reports_the_real_broker(settings, redis_url):
    from edu_platform.celery import app

    with mock.patch.object(app.conf, "task_always_eager", False), mock.patch.object(app.conf, "broker_url", redis_url):
        response = __import__("django.test", fromlist=["Client"]).Client().get("/healthz")
    assert response.json()["broker"] == "ok"
