"""Pictures and dilemmas in the lessons, as a reader's phone receives them:
each picture of content/illustrations.yaml sits after the block the manifest
names, with its alt text in the page's language; every middle and high-school
lesson has a dilemma that works without script."""

import html

import pytest
import yaml

from curriculum.content_schema import CONTENT_DIR, _Checker, load_content
from curriculum.content_stream import block_id
from curriculum.loader import load_curriculum
from curriculum.models import LessonPage

pytestmark = pytest.mark.django_db

MANIFEST = yaml.safe_load((CONTENT_DIR / "illustrations.yaml").read_text(encoding="utf-8"))["lessons"]
PRIMARY = ("e12-my-pictures", "e34-real-or-fake", "e56-deepfakes-and-my-rights")
DILEMMA_MODULES = ("middle-harm-law-response", "high-consent-responsibility")


def lessons_of(module_slug: str) -> list[str]:
    module = next(m for m in load_content()[1] if m["slug"] == module_slug)
    return [lesson["slug"] for lesson in module["lessons"]]


def lesson(module_slug: str, slug: str, lang: str) -> LessonPage:
    return LessonPage.objects.get(slug=slug, locale__language_code=lang, url_path__contains=f"/{module_slug}/")


PRIMARY_LESSONS = [(m, lesson_slug, lang) for m in PRIMARY for lesson_slug in lessons_of(m) for lang in ("ko", "en")]
DILEMMA_LESSONS = [(m, s, lang) for m in DILEMMA_MODULES for s in lessons_of(m) for lang in ("ko", "en")]


@pytest.mark.parametrize(("module", "slug", "lang"), PRIMARY_LESSONS)
def test_each_primary_lesson_shows_its_pictures_with_alt_text_in_its_language(client, module, slug, lang):
    page = lesson(module, slug, lang)
    response = client.get(page.url)
    assert response.status_code == 200
    body = response.content.decode()
    pictures = MANIFEST[f"{module}/{slug}"]
    assert pictures
    for picture in pictures:
        tag = body.split(f'src="/static/img/{picture["file"]}"', 1)[1].split(">", 1)[0]
        assert f'alt="{html.escape(picture["alt"][lang])}"' in tag
        assert 'loading="lazy"' in tag and 'width="640" height="400"' in tag


@pytest.mark.parametrize(("module", "slug", "lang"), PRIMARY_LESSONS)
def test_each_picture_follows_the_block_the_manifest_names(module, slug, lang):
    stream = list(lesson(module, slug, lang).body)
    ids = [block.id for block in stream]
    files = [block.value["image"] if block.block_type == "illustration" else None for block in stream]
    for picture in MANIFEST[f"{module}/{slug}"]:
        position = files.index(f"img/{picture['file']}")
        anchor = ids.index(block_id(module, slug, "body", picture["after_block"]))
        # After its block, with only other pictures in between.
        assert anchor < position
        assert all(files[i] for i in range(anchor + 1, position))


def test_pictures_keep_the_korean_file_on_the_english_page():
    ko = lesson("e12-my-pictures", "pictures-need-permission", "ko")
    en = lesson("e12-my-pictures", "pictures-need-permission", "en")
    pictures = [(b.id, b.value["image"]) for b in ko.body if b.block_type == "illustration"]
    assert len(pictures) == 3
    assert [(b.id, b.value["image"]) for b in en.body if b.block_type == "illustration"] == pictures


def test_loading_again_with_pictures_changes_nothing():
    report = load_curriculum()
    assert report.created == [] and report.updated == []
    total = sum(len(p) for p in MANIFEST.values())
    pictures = sum(
        1
        for page in LessonPage.objects.filter(locale__language_code="ko")
        for b in page.body
        if b.block_type == "illustration"
    )
    assert pictures == total


@pytest.mark.parametrize(("module", "slug", "lang"), DILEMMA_LESSONS)
def test_every_middle_and_high_lesson_has_a_dilemma_that_opens_without_script(client, module, slug, lang):
    page = lesson(module, slug, lang)
    dilemmas = [b.value for b in page.body if b.block_type == "dilemma"]
    assert dilemmas
    body = client.get(page.url).content.decode()
    for dilemma in dilemmas:
        assert 2 <= len(dilemma["choices"]) <= 4
        assert html.escape(dilemma["title"]) in body
        for choice in dilemma["choices"]:
            assert f"</span>{html.escape(choice['choice'])}</summary>" in body
            assert html.escape(choice["reflection"]) in body
    assert body.count('<details class="dilemma-choice">') == sum(len(d["choices"]) for d in dilemmas)
    assert ("이제 어떻게 하지?" if lang == "ko" else "now what?") in body or slug != "law-and-responsibility"


def test_one_dilemma_asks_what_to_do_after_watching():
    titles = [
        b.value["title"]
        for m in DILEMMA_MODULES
        for s in lessons_of(m)
        for b in lesson(m, s, "en").body
        if b.block_type == "dilemma"
    ]
    assert "I already watched it — now what?" in titles


def test_the_schema_refuses_a_dilemma_with_one_choice_and_a_high_school_lesson_without_one():
    checker = _Checker()
    text = {"ko": "가", "en": "a"}
    choice = {"choice": text, "outcome": text, "reflection": text}
    checker.block({"type": "dilemma", "title": text, "situation": text, "question": text, "choices": [choice]}, "b")
    assert checker.problems == ["b: a dilemma needs 2-4 choices"]
    checker = _Checker()
    body = [{"type": "scenario", "title": text, "messages": [{"speaker": text, **text}] * 2}]
    body.append({"type": "help_resource", "resource": "kr-117"})
    checker.lesson(
        {"slug": "x", "title": text, "essential_question": text, "minutes": 45, "body": body}, "l", "student", "high"
    )
    assert "l.body: student lessons of band high need a dilemma" in checker.problems
