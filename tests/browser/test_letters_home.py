"""The letters home (가정통신문) printed with the login cards: Chromium
prints them on A4, one page per pupil, each with its pupil's name, guardian
code and tear-off slip; the cards alone still fit eight to a page."""

import re
import shutil
import subprocess

import pytest

from .conftest import DEMO_PASSWORD, DESKTOP, new_page
from .test_journey_teacher import write_roster

ROSTER = [(1, "김도윤", 2015), (2, "이서아", 2015), (3, "박하준", 2015), (4, "정지우", 2015)]


def pdf_pages(path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def page_text(path, number: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


LANGUAGES = {
    "ko": ("", "1학년 8반", ["잘라서 학교로 보내 주세요", "동의하지 않음"]),
    "en": ("/en", "1학년 9반", ["Cut here and send back to school", "I do not agree"]),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_letters_home_print_one_a4_page_per_pupil(browser, server, a11y, tmp_path, language):
    prefix, class_name, slip_words = LANGUAGES[language]
    page = new_page(browser, server, DESKTOP, language=language)
    page.goto(f"{prefix}/accounts/login/")
    page.fill("#id_login", "demo-teacher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/teach/$"))
    page.goto(f"{prefix}/teach/classes/new/")
    page.fill("#id_name", class_name)
    page.fill("#id_grade", "1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/teach/classes/\d+/students/$"))
    pk = re.search(r"/classes/(\d+)/", page.url).group(1)
    page.goto(f"{prefix}/teach/classes/{pk}/students/import/")
    page.set_input_files("#id_file", str(write_roster(tmp_path / "명단.csv", ROSTER, "utf-8")))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/students/import/\d+/$"))
    page.locator("main form:not([action]) button[type=submit]").click()
    page.wait_for_selector("article.login-card")

    # The cards are the default: the letters wait behind the choice.
    assert page.locator("article.home-letter").first.is_hidden()
    cards_pdf = tmp_path / "cards.pdf"
    page.pdf(path=str(cards_pdf), prefer_css_page_size=True)
    assert pdf_pages(cards_pdf) == 1

    page.check("#print-letters")
    assert page.locator("article.home-letter").count() == len(ROSTER)
    assert page.locator("article.login-card").first.is_hidden()
    a11y.check(page, "letters home")
    codes = [c.strip() for c in page.locator(".letter-code").all_inner_texts()]
    letters_pdf = tmp_path / "letters.pdf"
    page.pdf(path=str(letters_pdf), prefer_css_page_size=True)
    assert pdf_pages(letters_pdf) == len(ROSTER)
    if shutil.which("pdftotext"):
        for number, ((_n, name, _y), code) in enumerate(zip(ROSTER, codes, strict=True), start=1):
            text = page_text(letters_pdf, number)
            assert name in text and code in text, text
            assert all(words in text for words in slip_words), text
            assert "/accounts/signup/" in text

    page.check("#print-both")
    both_pdf = tmp_path / "both.pdf"
    page.pdf(path=str(both_pdf), prefer_css_page_size=True)
    assert pdf_pages(both_pdf) == 1 + len(ROSTER)
    page.context.close()
