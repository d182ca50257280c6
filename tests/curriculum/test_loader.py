"""The curriculum files load completely, in both languages, and loading
twice changes nothing."""

import pytest
from wagtail.models import Page, Revision

from curriculum.content_schema import load_content
from curriculum.loader import load_curriculum
from curriculum.models import HelpResource, LegalFact, LessonPage, ModulePage

pytestmark = pytest.mark.django_db


def test_loading_twice_changes_nothing():
    before = (Page.objects.count(), Revision.objects.count(), LegalFact.objects.count(), HelpResource.objects.count())
    report = load_curriculum()
    after = (Page.objects.count(), Revision.objects.count(), LegalFact.objects.count(), HelpResource.objects.count())
    assert before == after
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) == len(load_content()[1])


def test_every_module_and_lesson_has_an_english_translation():
    for page in [
        *ModulePage.objects.filter(locale__language_code="ko"),
        *LessonPage.objects.filter(locale__language_code="ko"),
    ]:
        english = page.get_translation_or_none(page.locale.__class__.objects.get(language_code="en"))
        assert english is not None, page.url_path
        assert english.live
        assert english.title != page.title


def test_every_student_lesson_has_a_quiz_of_the_required_size():
    for module in ModulePage.objects.filter(audience="student"):
        minimum = 3 if module.band == "e12" else 5
        for lesson in LessonPage.objects.child_of(module):
            assert len(lesson.quiz) >= minimum, lesson.url_path


def test_each_band_has_at_least_two_lessons():
    for band in ("e12", "e34", "e56", "middle", "high"):
        module_paths = ModulePage.objects.filter(band=band, locale__language_code="ko").values_list("path", flat=True)
        lessons = sum(LessonPage.objects.filter(path__startswith=p).count() for p in module_paths)
        assert lessons >= 2, band


def test_every_fact_and_help_line_exists_in_both_languages_with_a_source():
    facts, _ = load_content()
    assert LegalFact.objects.filter(locale__language_code="ko").count() == len(facts["legal_facts"])
    assert LegalFact.objects.filter(locale__language_code="en").count() == len(facts["legal_facts"])
    assert all(f.source_url.startswith("https://") for f in LegalFact.objects.all())
    numbers = set(HelpResource.objects.values_list("phone", flat=True))
    assert {"112", "1366", "117", "02-735-8994", "1377"} <= numbers


def test_english_quiz_keeps_the_question_ids():
    ko = LessonPage.objects.filter(locale__language_code="ko").first()
    en = LessonPage.objects.get(translation_key=ko.translation_key, locale__language_code="en")
    assert [b.id for b in ko.quiz] == [b.id for b in en.quiz]
    assert [b.value["prompt"] for b in ko.quiz] != [b.value["prompt"] for b in en.quiz]


def test_student_modules_name_their_parent_lesson():
    for module in ModulePage.objects.filter(audience="student", locale__language_code="ko"):
        assert module.parent_lesson is not None
        assert module.parent_lesson.get_parent().specific.audience == "parent"


def test_bad_content_is_refused_before_anything_changes(tmp_path):
    from curriculum.content_schema import ContentError

    (tmp_path / "modules").mkdir()
    (tmp_path / "facts.yaml").write_text("legal_facts: []\nhelp_resources: []\n")
    (tmp_path / "modules" / "broken.yaml").write_text("slug: broken\naudience: nobody\n")
    before = Page.objects.count()
    with pytest.raises(ContentError) as caught:
        load_curriculum(tmp_path)
    assert any("audience" in p for p in caught.value.problems)
    assert Page.objects.count() == before
