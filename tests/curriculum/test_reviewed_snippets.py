"""Legal facts and help resources have drafts and go through the
safeguarding review: an editor's change to a help line reaches no page
until a reviewer approves it (issue 16, "Unreviewed live edits")."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape
from wagtail.models import Workflow, WorkflowContentType, WorkflowState

from curriculum.models import HelpResource, LegalFact, LessonPage
from tests.conftest import mfa_login

pytestmark = pytest.mark.django_db

MODULE, LESSON = "e12-my-pictures", "pictures-need-permission"
NEW_PHONE = "02-000-1177"


def lesson_parts(html: str) -> str:
    """The lesson body and its help box (the site footer's emergency
    numbers come from code, not from the snippets)."""
    start = html.index('id="lesson-body"')
    end = html.index("</section>", html.index('class="help-box"'))
    return html[start:end]


def lesson(lang="ko") -> LessonPage:
    return LessonPage.objects.get(slug=LESSON, locale__language_code=lang)


def help_line(number="117", lang="ko") -> HelpResource:
    return HelpResource.objects.get(phone=number, locale__language_code=lang)


def edit_form(resource: HelpResource, **changes) -> dict:
    data = {
        "key": resource.key,
        "jurisdiction": resource.jurisdiction,
        "name": resource.name,
        "phone": resource.phone,
        "url": resource.url,
        "hours": resource.hours,
        "purpose": resource.purpose,
        "sort_order": resource.sort_order,
    }
    data.update(changes)
    return data


def edit_url(resource) -> str:
    return f"/cms/snippets/curriculum/helpresource/edit/{resource.pk}/"


def submit_change(client, editor, resource, **changes):
    mfa_login(client, editor)
    response = client.post(edit_url(resource), {**edit_form(resource, **changes), "action-submit": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def approve(client, reviewer, resource):
    mfa_login(client, reviewer)
    state = resource.current_workflow_state
    assert state is not None
    url = f"/cms/snippets/curriculum/helpresource/workflow/action/{resource.pk}/approve/{state.current_task_state.pk}/"
    response = client.post(url, {"comment": ""})
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return response


def test_the_review_workflow_is_assigned_to_both_snippet_models():
    workflow = Workflow.objects.get(name="Safeguarding review")
    for model in (LegalFact, HelpResource):
        content_type = ContentType.objects.get_for_model(model)
        assert WorkflowContentType.objects.get(content_type=content_type).workflow == workflow
        assert model.objects.first().get_workflow() == workflow


def test_editors_cannot_publish_or_delete_snippets_reviewers_can(cast):
    for action in ("publish", "delete"):
        for model in ("legalfact", "helpresource"):
            assert not cast.editor.has_perm(f"curriculum.{action}_{model}")
            assert cast.reviewer.has_perm(f"curriculum.{action}_{model}")
    assert cast.editor.has_perm("curriculum.change_helpresource")


def test_an_editors_new_number_reaches_the_lesson_only_after_the_review(client, cast):
    resource = help_line()
    page = lesson()
    before = lesson_parts(client.get(page.url).content.decode())
    assert 'href="tel:117"' in before and NEW_PHONE not in before

    submit_change(client, cast.editor, resource, phone=NEW_PHONE)
    resource.refresh_from_db()
    assert resource.phone == "117", "the row pages read still holds the published number"
    assert resource.has_unpublished_changes
    assert resource.current_workflow_state.workflow.name == "Safeguarding review"
    assert resource.get_latest_revision_as_object().phone == NEW_PHONE

    client.logout()
    during = lesson_parts(client.get(page.url).content.decode())
    assert NEW_PHONE not in during and 'href="tel:117"' in during

    approve(client, cast.reviewer, resource)
    resource.refresh_from_db()
    assert resource.phone == NEW_PHONE and not resource.has_unpublished_changes
    assert WorkflowState.objects.for_instance(resource).get().status == WorkflowState.STATUS_APPROVED

    client.logout()
    after = lesson_parts(client.get(page.url).content.decode())
    assert f'href="tel:{NEW_PHONE}"' in after


def test_an_editor_cannot_publish_a_snippet_directly(client, cast):
    resource = help_line()
    mfa_login(client, cast.editor)
    response = client.post(edit_url(resource), {**edit_form(resource, phone=NEW_PHONE), "action-publish": "publish"})
    assert response.status_code in (200, 302, 403)
    resource.refresh_from_db()
    assert resource.phone == "117"


def test_a_snippet_never_published_is_shown_nowhere(client):
    resource = help_line()
    assert 'href="tel:117"' in lesson_parts(client.get(lesson().url).content.decode())
    resource.live = False
    resource.save()
    shown = lesson_parts(client.get(lesson().url).content.decode())
    assert 'href="tel:117"' not in shown
    assert resource.name not in shown


def test_a_legal_fact_draft_does_not_change_the_lessons_that_show_it(client):
    page = LessonPage.objects.filter(locale__language_code="ko", body__icontains="legal_fact").first()
    fact_id = next(block.value["fact"].pk for block in page.body if block.block_type == "legal_fact")
    fact = LegalFact.objects.get(pk=fact_id)
    before = client.get(page.url).content.decode()
    assert fact.statute in before
    fact.statute = "초안: 아직 검토되지 않은 조문"
    fact.save_revision()
    assert "초안" not in client.get(page.url).content.decode()
    fact.refresh_from_db()
    fact.get_latest_revision().publish()
    assert "초안: 아직 검토되지 않은 조문" in client.get(page.url).content.decode()


@pytest.mark.parametrize(("model", "css_class"), [(HelpResource, "help-resource"), (LegalFact, "legal-fact")])
def test_the_cms_preview_shows_a_draft_as_a_lesson_would(model, css_class):
    draft = model.objects.filter(locale__language_code="ko").first()
    draft.live = False  # never published: pages hide it, the preview shows it
    response = draft.make_preview_request()
    html = response.render().content.decode() if not response.is_rendered else response.content.decode()
    assert response.status_code == 200
    assert f'class="{css_class}"' in html
    assert escape(draft.name if model is HelpResource else draft.statute) in html
