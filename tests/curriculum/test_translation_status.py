"""A published Korean change marks the English lesson "needs update" for
editors and tells its readers the date, until the English page is synced
and published again (issue 16, "Accounts and CMS")."""

import pytest
from django.utils import timezone
from wagtail_localize.models import Translation, TranslationSource

from curriculum.models import LessonPage
from curriculum.translation_status import behind_since, lessons_behind
from tests.conftest import mfa_login

pytestmark = pytest.mark.django_db

SLUG = "pictures-need-permission"
NOTE_EN = "The Korean version of this lesson was updated on"
NOTE_KO_ADMIN = "업데이트 필요"


def pages():
    return (
        LessonPage.objects.get(slug=SLUG, locale__language_code="ko"),
        LessonPage.objects.get(slug=SLUG, locale__language_code="en"),
    )


def publish_korean_change(ko: LessonPage) -> None:
    ko.essential_question += " 바뀐 질문"
    ko.save_revision().publish()


def sync_and_publish_english(ko: LessonPage) -> None:
    source = TranslationSource.objects.get_for_instance(ko)
    source.update_from_db()
    Translation.objects.get(source=source, target_locale__language_code="en").save_target(publish=True)


def test_loaded_translations_are_up_to_date(client):
    ko, en = pages()
    assert behind_since([ko, en]) == {}
    assert lessons_behind() == []
    assert NOTE_EN not in client.get(en.url).content.decode()


def test_a_published_korean_change_puts_a_dated_note_on_the_english_page(client):
    ko, en = pages()
    publish_korean_change(ko)
    ko.refresh_from_db()
    assert behind_since([en]) == {en.pk: ko.last_published_at}
    html = client.get(en.url).content.decode()
    today = timezone.localtime(ko.last_published_at).strftime("%Y-%m-%d")
    assert f"{NOTE_EN} {today}; this translation may be behind." in html
    assert NOTE_EN not in client.get(ko.url).content.decode()
    # Only the changed lesson: its neighbours stay quiet.
    assert [page.pk for page, _ in lessons_behind()] == [en.pk]


def test_a_korean_draft_or_an_unchanged_publish_is_not_a_change(client):
    ko, en = pages()
    ko.essential_question += " 초안"
    ko.save_revision()
    assert behind_since([en]) == {}
    ko, en = pages()
    ko.save_revision().publish()
    assert behind_since([en]) == {}
    assert NOTE_EN not in client.get(en.url).content.decode()


def test_a_synced_translation_stays_behind_until_it_is_published(client, django_capture_on_commit_callbacks):
    ko, en = pages()
    publish_korean_change(ko)
    TranslationSource.objects.get_for_instance(ko).update_from_db()
    assert en.pk in behind_since([en])
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes on commit
        sync_and_publish_english(ko)
    _, en = pages()
    assert behind_since([en]) == {}
    assert NOTE_EN not in client.get(en.url).content.decode()


def test_editors_see_needs_update_on_the_dashboard_and_the_translation(client, cast):
    ko, en = pages()
    mfa_login(client, cast.editor)
    assert NOTE_KO_ADMIN not in client.get("/cms/").content.decode()
    publish_korean_change(ko)
    dashboard = client.get("/cms/").content.decode()
    assert NOTE_KO_ADMIN in dashboard
    assert f"/cms/pages/{en.pk}/edit/" in dashboard
    editing = client.get(f"/cms/pages/{en.pk}/edit/").content.decode()
    assert "업데이트 필요: 한국어 수업이" in editing


def test_the_note_is_in_korean_for_the_korean_catalogue():
    from django.utils import translation

    with translation.override("ko"):
        text = translation.gettext(
            "The Korean version of this lesson was updated on %(date)s; this translation may be behind."
        )
    assert "한국어판" in text
