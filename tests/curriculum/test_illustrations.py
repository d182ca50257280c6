"""The lesson illustrations: curriculum/content/illustrations.yaml agrees with
the SVG files under static/img/ and with the lessons in the module files, and
every picture is a plain, self-contained drawing (no script, no text, nothing
fetched from elsewhere). No database needed."""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own files; DOCTYPEs are refused before parsing
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
IMG_DIR = ROOT / "static" / "img"
MODULES_DIR = ROOT / "curriculum" / "content" / "modules"
MANIFEST = yaml.safe_load((ROOT / "curriculum" / "content" / "illustrations.yaml").read_text(encoding="utf-8"))

# Module slug -> the least number of pictures each of its lessons has.
MINIMUM_PICTURES = {
    "e12-my-pictures": 3,
    "e34-real-or-fake": 3,
    "e56-deepfakes-and-my-rights": 1,
    "parent-guide": 1,
}
ART_DIRS = ["lessons/e12", "lessons/e34", "lessons/e56", "lessons/parent", "icons"]
ICONS = ["ask-first", "stop", "tell-an-adult", "report"]
MAX_BYTES = 30 * 1024

SVG_NS = "{http://www.w3.org/2000/svg}"
# Elements that run code, show words that would need translating, or pull in
# another document or a raster image.
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "text", "tspan", "textPath", "image", "iframe", "embed", "object"}
FRAGMENT_URL = re.compile(r"url\(\s*['\"]?#")


def svg_problems(data: bytes) -> list[str]:
    """What is wrong with one SVG file's bytes; an empty list when nothing is."""
    problems = []
    if len(data) >= MAX_BYTES:
        problems.append(f"{len(data)} bytes, the limit is {MAX_BYTES}")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return [*problems, "has a DOCTYPE or entity declaration"]
    try:
        root = ET.fromstring(data)  # noqa: S314 - see the import
    except ET.ParseError as error:
        return [*problems, f"not well-formed XML: {error}"]
    if root.tag != f"{SVG_NS}svg":
        problems.append(f"root element is {root.tag}, not an SVG <svg>")
    view_box = root.get("viewBox", "").replace(",", " ").split()
    try:
        if len(view_box) != 4 or float(view_box[2]) <= 0 or float(view_box[3]) <= 0:
            problems.append("no usable viewBox")
    except ValueError:
        problems.append("no usable viewBox")
    if root.get("width") or root.get("height"):
        problems.append("fixed width or height on <svg> (it must scale)")
    for element in root.iter():
        name = element.tag.rpartition("}")[2]
        if name in FORBIDDEN_ELEMENTS:
            problems.append(f"<{name}> element")
        if name == "style" and "url(" in (element.text or "") and not FRAGMENT_URL.search(element.text or ""):
            problems.append("<style> with an outside url()")
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2]
            if local.lower().startswith("on"):
                problems.append(f"event handler {local} on <{name}>")
            if local == "href" and not value.startswith("#"):
                problems.append(f"<{name}> refers to {value[:40]!r} (only #fragments allowed)")
            if "url(" in value and not FRAGMENT_URL.search(value):
                problems.append(f"<{name}> {local} uses an outside url()")
    return problems


GOOD_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 48 48">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient><circle id="c" r="4"/></defs>
  <rect width="48" height="48" fill="url(#g)"/><use xlink:href="#c" x="24" y="24"/>
</svg>"""
BAD_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><script>alert(1)</script></svg>',
    "event handler": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" onload="alert(1)"/>',
    "foreignObject": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><foreignObject/></svg>',
    "text": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><text>Hi</text></svg>',
    "http href": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><use href="http://x.example/a.svg#b"/></svg>',
    "data href": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 4 4">'
        b'<image xlink:href="data:image/png;base64,AAAA"/></svg>'
    ),
    "file href": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><a href="file:///etc/passwd"/></svg>',
    "outside url()": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect fill="url(https://x.example/p)"/></svg>',
    "no viewBox": b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>',
    "fixed size": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" width="400" height="400"/>',
    "not svg": b'<html xmlns="http://www.w3.org/1999/xhtml"/>',
    "no namespace": b'<svg viewBox="0 0 4 4"/>',
    "malformed": b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect></svg>',
    "entity": b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"/>',
    "too large": GOOD_SVG.replace(b"<defs>", b"<!--" + b" " * MAX_BYTES + b"--><defs>"),
}


def modules():
    """Module slug -> {lesson slug: number of body blocks}, from the module files."""
    found = {}
    for path in sorted(MODULES_DIR.glob("*.yaml")):
        module = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[module["slug"]] = {lesson["slug"]: len(lesson["body"]) for lesson in module["lessons"]}
    return found


def pictures():
    """(lesson key, picture entry) for every picture in the manifest."""
    return [(key, picture) for key, entries in MANIFEST["lessons"].items() for picture in entries]


def listed_files():
    return [picture["file"] for _, picture in pictures()] + [icon["file"] for icon in MANIFEST["icons"].values()]


def files_on_disk():
    return sorted(
        path.relative_to(IMG_DIR).as_posix() for folder in ART_DIRS for path in (IMG_DIR / folder).glob("*.svg")
    )


def test_the_checker_passes_a_good_svg():
    assert svg_problems(GOOD_SVG) == []


@pytest.mark.parametrize("case", BAD_SVGS)
def test_the_checker_catches_a_bad_svg(case):
    assert svg_problems(BAD_SVGS[case]) != []


@pytest.mark.parametrize("name", files_on_disk())
def test_each_picture_is_a_plain_self_contained_svg(name):
    assert svg_problems((IMG_DIR / name).read_bytes()) == []


def test_every_listed_file_exists():
    missing = [name for name in listed_files() if not (IMG_DIR / name).is_file()]
    assert missing == []


def test_every_svg_in_the_art_folders_is_listed():
    assert sorted(set(files_on_disk()) - set(listed_files())) == []


def test_no_file_is_listed_twice():
    names = listed_files()
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_the_manifest_names_only_real_lessons():
    lessons = {f"{module}/{lesson}" for module, found in modules().items() for lesson in found}
    assert sorted(set(MANIFEST["lessons"]) - lessons) == []


@pytest.mark.parametrize("module", MINIMUM_PICTURES)
def test_every_lesson_of_an_illustrated_module_has_its_pictures(module):
    minimum = MINIMUM_PICTURES[module]
    lessons = modules()[module]
    assert lessons, module
    short = {
        lesson: len(MANIFEST["lessons"].get(f"{module}/{lesson}", []))
        for lesson in lessons
        if len(MANIFEST["lessons"].get(f"{module}/{lesson}", [])) < minimum
    }
    assert short == {}, f"fewer than {minimum} pictures"


def test_each_picture_sits_after_a_block_of_its_lesson():
    found = modules()
    wrong = []
    for key, picture in pictures():
        module, _, lesson = key.partition("/")
        block = picture.get("after_block")
        body_length = found.get(module, {}).get(lesson, 0)
        if type(block) is not int or not 0 <= block < body_length:
            wrong.append((picture["file"], block, body_length))
    assert wrong == []


def test_pictures_of_a_lesson_are_in_reading_order():
    for key, entries in MANIFEST["lessons"].items():
        blocks = [picture["after_block"] for picture in entries]
        assert blocks == sorted(blocks), key


def test_every_picture_and_icon_has_alt_text_in_korean_and_english():
    entries = [picture for _, picture in pictures()] + list(MANIFEST["icons"].values())
    missing = [
        (entry["file"], language)
        for entry in entries
        for language in ("ko", "en")
        if not isinstance((entry.get("alt") or {}).get(language), str) or not entry["alt"][language].strip()
    ]
    assert missing == []


def test_the_four_icons_are_there():
    assert sorted(MANIFEST["icons"]) == sorted(ICONS)
    assert {name: icon["file"] for name, icon in MANIFEST["icons"].items()} == {
        name: f"icons/{name}.svg" for name in ICONS
    }


def test_lesson_pictures_live_in_their_band_folder():
    bands = {"e12-my-pictures": "e12", "e34-real-or-fake": "e34", "e56-deepfakes-and-my-rights": "e56"}
    bands["parent-guide"] = "parent"
    wrong = []
    for key, picture in pictures():
        module, _, lesson = key.partition("/")
        if not re.fullmatch(rf"lessons/{bands.get(module)}/{re.escape(lesson)}-\d+\.svg", picture["file"]):
            wrong.append(picture["file"])
    assert wrong == []
