"""Editors work in the CMS: every page type can be created where the tree
allows it, and publishing goes through the safeguarding review."""

import pytest
from wagtail.models import Page, Workflow
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from curriculum.models import HomePage, LessonPage, ModulePage, SectionPage
from tests.conftest import mfa_login

pytestmark = pytest.mark.django_db


def list_block(items):
    """Form data of a ListBlock, as Wagtail's editor posts it."""
    data = {"count": len(items)}
    for i, value in enumerate(items):
        data[str(i)] = {"value": value, "deleted": "", "order": i, "id": ""}
    return data


def test_the_tree_allows_only_the_curriculum_shape():
    utils = WagtailTestUtils()
    assert set(SectionPage.allowed_parent_page_models()) == {HomePage}
    assert set(ModulePage.allowed_parent_page_models()) == {SectionPage}
    assert set(LessonPage.allowed_parent_page_models()) == {ModulePage}
    assert LessonPage.allowed_subpage_models() == []
    assert utils is not None


def test_an_editor_can_create_a_lesson_with_every_block_and_submit_it_for_review(client, cast):
    from curriculum.models import HelpResource, LegalFact

    module = ModulePage.objects.get(slug="e12-my-pictures", locale__language_code="ko")
    fact = LegalFact.objects.filter(locale=module.locale).first()
    resource = HelpResource.objects.filter(locale=module.locale).first()
    mfa_login(client, cast.editor)
    body = streamfield(
        [
            ("content_warning", rich_text("<p>주의</p>")),
            ("text", rich_text("<p>본문</p>")),
            (
                "scenario",
                {
                    "title": "단톡방",
                    "messages": list_block(
                        [
                            {"speaker": "지호", "me": "", "text": "봤어?"},
                            {"speaker": "나", "me": "on", "text": "안 봐."},
                        ]
                    ),
                },
            ),
            ("key_point", rich_text("<p>핵심</p>")),
            ("vocabulary", {"items": list_block([{"term": "딥페이크", "definition": "가짜 영상"}])}),
            ("legal_fact", {"fact": fact.pk}),
            ("help_resource", {"resource": resource.pk}),
            ("reflection", "생각해 봐요"),
            ("teacher_note", rich_text("<p>교사용</p>")),
        ]
    )
    data = nested_form_data(
        {
            "title": "새 수업",
            "slug": "new-lesson",
            "essential_question": "무엇을 배울까요?",
            "estimated_minutes": 20,
            "pass_mark": 60,
            "body": body,
            "quiz": streamfield([]),
            "action-submit": "Submit for review",
        }
    )
    response = client.post(f"/cms/pages/add/curriculum/lessonpage/{module.pk}/", data)
    assert response.status_code in (200, 302), response.content[:500]
    page = LessonPage.objects.filter(slug="new-lesson").first()
    assert page is not None, response.content.decode()[:3000]
    assert not page.live
    assert page.current_workflow_state is not None
    assert page.current_workflow_state.workflow.name == "Safeguarding review"


def test_editors_have_no_publish_permission(cast):
    module = ModulePage.objects.get(slug="e12-my-pictures", locale__language_code="ko")
    assert not module.permissions_for_user(cast.editor).can_publish()
    assert module.permissions_for_user(cast.reviewer).can_publish()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_review_workflow_covers_the_whole_site_in_every_language(language):
    home = HomePage.objects.filter(locale__language_code=language).first()
    workflow = Workflow.objects.get(name="Safeguarding review")
    lesson = LessonPage.objects.filter(locale__language_code=language).first()
    assert Page.objects.get(pk=lesson.pk).get_workflow() == workflow
    assert home.get_workflow() == workflow


def test_facts_not_reviewed_for_a_year_are_flagged():
    from datetime import timedelta

    from django.utils import timezone

    from curriculum.models import LegalFact

    fact = LegalFact.objects.first()
    fact.last_reviewed = timezone.localdate() - timedelta(days=400)
    assert fact.needs_review
    fact.last_reviewed = timezone.localdate()
    assert not fact.needs_review


def _sidebar_labels(html: str) -> list[str]:
    """The labels of the CMS sidebar's menu (rendered as JSON for its script)."""
    import json
    import re

    data = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert data, "no sidebar on the page"
    return re.findall(r'"label": "([^"]*)"', json.dumps(json.loads(data.group(1)), ensure_ascii=False))


def test_the_cms_reports_menu_is_not_called_like_our_incident_reports(client, cast):
    """Wagtail's "Reports" menu would show "신고" (our word for incident
    reports): it is "CMS 보고서" / "CMS reports" instead."""
    mfa_login(client, cast.editor)
    labels = _sidebar_labels(client.get("/cms/").content.decode())
    assert "CMS 보고서" in labels
    assert "신고" not in labels


def test_the_cms_shows_no_gravatar(client, cast):
    mfa_login(client, cast.editor)
    html = client.get("/cms/").content.decode()
    assert "gravatar.com" not in html
