"""The family sheets printed by Debian's Chromium, as a parent's browser
would: every student module's sheet is exactly one A4 page, with a Korean
font embedded and the Korean text extractable; axe-core checks the page on a
phone. The PDFs are kept beside the test's temporary files for a human look."""

import re
import shutil
import subprocess

import pytest

from .conftest import PHONE, new_page

STUDENT_MODULES = [
    "e12-my-pictures",
    "e34-real-or-fake",
    "e56-deepfakes-and-my-rights",
    "middle-harm-law-response",
    "high-consent-responsibility",
]
# A4 in PDF points (1/72 inch), as Chromium writes it.
A4 = (595, 842)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def poppler(tool: str, path) -> str:
    """What a poppler tool (pdftotext, pdffonts) says about the PDF; make test
    installs poppler-utils, elsewhere the checks that need it are left out."""
    if not shutil.which(tool):
        return ""
    args = [tool, str(path), *(["-"] if tool == "pdftotext" else [])]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def fonts_embedded(path) -> list[bool]:
    """For each font of the PDF, whether it is embedded (pdffonts: ... emb sub uni object ID).
    Chromium embeds the Noto CJK glyphs it used as Type 3 fonts without a name."""
    lines = poppler("pdffonts", path).splitlines()[2:]
    return [line.split()[-5] == "yes" for line in lines]


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("module", STUDENT_MODULES)
def test_the_family_sheet_prints_on_one_a4_page(browser, server, tmp_path, module, language):
    prefix = "" if language == "ko" else "/en"
    page = new_page(browser, server, PHONE, language)
    response = page.goto(f"{prefix}/learn/{module}/family-sheet/")
    assert response.status == 200
    heading = page.locator("h1").inner_text()
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    page.context.close()
    path = tmp_path / f"{module}-{language}.pdf"
    path.write_bytes(data)
    assert pdf_pages(data) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box and (round(float(box[1])), round(float(box[2]))) == A4
    text = poppler("pdftotext", path)
    if text:
        assert heading.split()[0] in text and "1388" in text
        assert ("가정 안내문" if language == "ko" else "Family sheet") in text
    if language == "ko" and shutil.which("pdffonts"):
        # The Korean text is drawn with embedded fonts (extracted as Korean above), not boxes.
        embedded = fonts_embedded(path)
        assert embedded and all(embedded)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_family_sheet_is_accessible_and_linked_from_the_module(browser, server, a11y, language):
    prefix = "" if language == "ko" else "/en"
    page = new_page(browser, server, PHONE, language)
    page.goto(f"{prefix}/learn/middle-harm-law-response/")
    page.get_by_role("link", name="가정 안내문 인쇄" if language == "ko" else "Print the family sheet").click()
    page.wait_for_url(re.compile(r"/family-sheet/$"))
    a11y.check(page, "family sheet")
    # The print button appears with script; printing hides it and the site's navigation.
    assert page.get_by_role(
        "button", name="가정 안내문 인쇄" if language == "ko" else "Print the family sheet"
    ).is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".sheet-actions").first.is_visible()
    page.context.close()


def test_a_dilemma_opens_without_script_on_a_phone(browser, server):
    context = browser.new_context(viewport=PHONE, locale="ko-KR", base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/learn/middle-harm-law-response/law-and-responsibility/")
    choice = page.locator("details.dilemma-choice").first
    assert not choice.locator("h3").first.is_visible()
    choice.locator("summary").click()
    assert choice.locator("h3").first.is_visible()
    context.close()


@pytest.mark.parametrize(
    "path",
    ["/learn/middle-harm-law-response/law-and-responsibility/", "/en/learn/e12-my-pictures/pictures-need-permission/"],
)
def test_lessons_with_dilemmas_and_pictures_are_accessible_on_a_phone(browser, server, a11y, path):
    page = new_page(browser, server, PHONE, "en" if path.startswith("/en/") else "ko")
    page.goto(path)
    if "middle" in path:
        page.locator("details.dilemma-choice summary").first.click()
    images = page.locator(".illustration img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
        assert images.nth(i).bounding_box()["width"] <= PHONE["width"]
    a11y.check(page, path)
    page.context.close()
