"""The icons of the recurring ideas (ask first, stop, tell a trusted adult,
report) appear where those ideas do: key points that name them and the help
boxes. Beside their words they are decorative (empty alt, aria-hidden); the
idea's name is text, in the page's language."""

import re

import pytest
from django.utils import translation

from curriculum.blocks import IDEA_ICONS
from curriculum.content_schema import CONTENT_DIR, read_yaml
from curriculum.content_schema import IDEA_ICONS as CONTENT_ICONS
from tests.curriculum.test_lessons import lesson

pytestmark = pytest.mark.django_db

ICON_TAG = re.compile(r'<img class="idea-icon" src="[^"]*/img/icons/([a-z-]+)\.svg" alt="" aria-hidden="true"')


def test_the_blocks_the_files_and_the_manifest_name_the_same_four_ideas():
    manifest = read_yaml(CONTENT_DIR / "illustrations.yaml")["icons"]
    assert [name for name, _label in IDEA_ICONS] == list(CONTENT_ICONS) == list(manifest)
    for name, label in IDEA_ICONS:
        for lang in ("ko", "en"):
            with translation.override(lang):
                assert str(label) == manifest[name]["alt"][lang], (name, lang)


@pytest.mark.parametrize(("lang", "name"), [("ko", "먼저 물어보기"), ("en", "Ask first")])
def test_a_key_point_about_asking_first_shows_its_icon_and_name(client, lang, name):
    page = lesson("e12-my-pictures", "pictures-need-permission", lang=lang)
    html = client.get(page.url).content.decode()
    assert html.count('class="key-point idea idea-ask-first"') == 1
    aside = html.split('class="key-point idea idea-ask-first"', 1)[1].split("</aside>", 1)[0]
    assert ICON_TAG.search(aside).group(1) == "ask-first"
    assert f"<span>{name}</span>" in aside


def test_every_key_point_that_names_an_idea_is_shown_with_it(client):
    shown = 0
    for module in read_yaml(CONTENT_DIR / "modules" / "middle-harm-law-response.yaml")["lessons"]:
        icons = [b["icon"] for b in module["body"] if b.get("icon")]
        html = client.get(lesson("middle-harm-law-response", module["slug"]).url).content.decode()
        for icon in icons:
            assert f'class="key-point idea idea-{icon}"' in html, (module["slug"], icon)
            shown += 1
    assert shown == 4


def test_the_help_boxes_show_the_tell_and_report_icons_beside_their_words(client):
    html = client.get(lesson("e34-real-or-fake", "not-a-prank").url).content.decode()
    help_box = html.split('class="help-box"', 1)[1]
    assert [m for m in ICON_TAG.findall(help_box)] == ["tell-an-adult", "report"]
    resource = html.split('class="help-resource"', 1)[1].split("</aside>", 1)[0]
    assert ICON_TAG.findall(resource) == ["tell-an-adult"]
