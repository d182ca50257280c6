"""Anonymous lesson pages are served from the cache, with each visitor's own
CSRF token, and a publish retires them; signed-in visitors are never served
a cached page."""

import re

import pytest
from django.test import Client

from curriculum.models import LessonPage
from tests.curriculum.test_lessons import lesson, right_answers

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_second_anonymous_visit_is_a_cache_hit_with_its_own_csrf_token():
    page = lesson()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    miss = first.get(page.url)
    hit = second.get(page.url)
    assert miss.headers["X-Page-Cache"] == "miss"
    assert hit.headers["X-Page-Cache"] == "hit"
    token = TOKEN.search(hit.content.decode()).group(1)
    assert token != "__csrf_token_placeholder__"
    assert token != TOKEN.search(miss.content.decode()).group(1)
    response = second.post(page.url + "quiz/", {**right_answers(page), "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "100%" in response.content.decode()


def test_publishing_retires_cached_pages(client):
    page = lesson()
    client.get(page.url)
    assert client.get(page.url).headers["X-Page-Cache"] == "hit"
    page = LessonPage.objects.get(pk=page.pk)
    page.essential_question = "바뀐 핵심 질문"
    page.save_revision().publish()
    response = client.get(page.url)
    assert response.headers["X-Page-Cache"] == "miss"
    assert "바뀐 핵심 질문" in response.content.decode()


def test_signed_in_visitors_never_get_cached_pages(client, cast):
    page = lesson()
    Client().get(page.url)
    client.force_login(cast.teacher)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response.headers
    assert 'class="teacher-note"' in response.content.decode()
