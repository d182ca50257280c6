"""Page routes are kept between requests for signed-in visitors too, and
nothing a stored route carries outlives a publish, an unpublish, a move, a
new privacy setting or a permission: who may open a page is decided at every
request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from curriculum.models import LessonPage, ModulePage, SectionPage
from curriculum.route_cache import route_key
from tests.curriculum.test_lessons import lesson

pytestmark = pytest.mark.django_db


def queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return len(ctx.captured_queries), response


def test_a_students_second_visit_finds_the_page_without_routing_queries(client, cast):
    page = lesson()
    client.force_login(cast.student)
    client.get(page.url)
    count, response = queries(client, page.url)
    assert response.status_code == 200
    # The user's row and their lesson progress: the route, the roles, the
    # module, the next lesson and the privacy check come from the cache.
    assert count <= 2, count
    assert page.title in response.content.decode()


def test_a_published_change_shows_at_once_to_signed_in_visitors(client, cast):
    page = lesson()
    client.force_login(cast.teacher)
    client.get(page.url)
    page = LessonPage.objects.get(pk=page.pk)
    page.essential_question = "새로 고친 핵심 질문"
    page.save_revision().publish()
    assert "새로 고친 핵심 질문" in client.get(page.url).content.decode()


def test_an_unpublished_lesson_is_gone_at_once(client, cast):
    page = lesson()
    client.force_login(cast.teacher)
    assert client.get(page.url).status_code == 200
    LessonPage.objects.get(pk=page.pk).unpublish()
    assert client.get(page.url).status_code == 404


def test_a_moved_module_sends_its_old_address_to_the_new_one(client, cast):
    page = lesson()
    module = page.get_parent().specific
    old_url = page.url
    client.force_login(cast.teacher)
    assert client.get(old_url).status_code == 200
    other_section = SectionPage.objects.filter(locale=module.locale).exclude(pk=module.get_parent().pk).first()
    module.move(other_section, pos="last-child")
    moved = LessonPage.objects.get(pk=page.pk)
    assert moved.url != old_url
    # Wagtail leaves a redirect at the old address; the stored route is not used.
    response = client.get(old_url)
    assert (response.status_code, response.url) == (301, moved.url)
    assert client.get(moved.url).status_code == 200


def test_a_new_login_restriction_applies_to_a_stored_route(client, cast):
    page = lesson()
    assert client.get(page.url).status_code == 200  # anonymous, stored
    module = ModulePage.objects.get(pk=page.get_parent().pk)
    PageViewRestriction.objects.create(page=module, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(page.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_route_stored_by_a_teacher_still_refuses_a_younger_student(client, cast):
    from django.test import Client

    high = LessonPage.objects.filter(url_path__contains="/high-", locale__language_code="ko").live().first()
    teacher = Client()
    teacher.force_login(cast.teacher)
    assert teacher.get(high.url).status_code == 200
    cast.classroom.school.level = "elementary"
    cast.classroom.school.save()
    client.force_login(cast.student)
    assert client.get(high.url).status_code == 403


def test_nothing_hung_on_the_page_for_one_visitor_reaches_the_next(client, cast):
    page = lesson()
    client.force_login(cast.student)
    client.get(page.url)
    stored = cache.get(route_key("testserver", "ko", page.url))
    copy = stored[2][0]
    assert copy.pk == page.pk
    fields = {f.attname for f in LessonPage._meta.concrete_fields}
    carried = {
        "_state",
        "_django_version",
        "_view_restriction_ids",
        "module",
        "next_lesson",
        "translation_behind_since",
    }
    assert set(copy.__dict__) - fields - carried == set()
