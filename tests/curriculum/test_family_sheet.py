"""The take-home family sheet of every student module, in Korean and English:
what the child learns, three conversation starters, the help lines fit for
the band, and a print stylesheet for one A4 page. (tests/browser prints it.)"""

import html
from pathlib import Path

import pytest

from curriculum.help_lines import BAND_NUMBERS
from curriculum.models import ModulePage

pytestmark = pytest.mark.django_db

STUDENT_MODULES = [
    ("e12-my-pictures", "e12"),
    ("e34-real-or-fake", "e34"),
    ("e56-deepfakes-and-my-rights", "e56"),
    ("middle-harm-law-response", "middle"),
    ("high-consent-responsibility", "high"),
]
ALL_NUMBERS = {number for numbers in BAND_NUMBERS.values() for number in numbers}


def module(slug: str, lang: str) -> ModulePage:
    return ModulePage.objects.get(slug=slug, locale__language_code=lang)


def sheet(client, page: ModulePage) -> str:
    response = client.get(page.url + "family-sheet/")
    assert response.status_code == 200
    # The sheet itself, without the site's header and footer.
    return response.content.decode().split('<article class="family-sheet">', 1)[1].split("</article>", 1)[0]


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize(("slug", "band"), STUDENT_MODULES)
def test_the_family_sheet_shows_the_objectives_starters_and_the_bands_help_lines(client, slug, band, lang):
    page = module(slug, lang)
    assert len(page.family_starters) == 3
    body = sheet(client, page)
    assert html.escape(page.title) in body
    for objective in page.objectives:
        assert html.escape(objective.value) in body
    for starter in page.family_starters:
        assert html.escape(starter.value) in body
    shown = {number for number in ALL_NUMBERS if f'<strong class="sheet-number">{number}</strong>' in body}
    assert shown == set(BAND_NUMBERS[band])
    assert ("도움받을 수 있는 곳" if lang == "ko" else "Where to get help") in body


def test_the_english_sheet_is_in_english_and_the_korean_in_korean(client):
    ko, en = sheet(client, module("e12-my-pictures", "ko")), sheet(client, module("e12-my-pictures", "en"))
    assert "가정 안내문" in ko and "Family sheet" not in ko
    assert "Family sheet" in en and "가정 안내문" not in en
    assert "청소년상담" in ko or "청소년 상담" in ko
    assert "Youth counseling" in en


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_module_page_links_to_its_family_sheet(client, lang):
    page = module("middle-harm-law-response", lang)
    body = client.get(page.url).content.decode()
    assert f'href="{page.url}family-sheet/"' in body
    assert ("가정 안내문 인쇄" if lang == "ko" else "Print the family sheet") in body


def test_parent_and_teacher_modules_have_no_family_sheet(client):
    for slug in ("parent-guide", "teacher-playbook"):
        page = module(slug, "ko")
        assert client.get(page.url).status_code in (200, 302, 403)
        assert client.get(page.url + "family-sheet/").status_code in (302, 403, 404)
        assert 'family-sheet/"' not in client.get(page.url).content.decode()


def test_the_print_stylesheet_asks_for_one_a4_page_without_navigation():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "family-sheet.css").read_text()
    assert "@page { size: A4; margin: 15mm; }" in css
    assert ".help-bar, .sheet-actions" in css
