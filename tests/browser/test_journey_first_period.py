"""Journey: the first class period of a fresh class of 30 with no consent,
on a phone. The teacher imports the class, prints the login cards and the
letters home (Chromium's PDF: Korean text with embedded fonts), assigns a
module; three pupils sign in by the QR code read off their printed card,
two more with the card's username and password; each takes a quiz and
sees the result first, focused. Nothing tied to a pupil is stored. The
class dashboard shows the class's answer counts with no names; the teacher
ticks all 30 returned slips on the consent sheet and saves once; a later
try is stored for the pupil. axe-core checks every page on the way."""

import io
import json
import re
import shutil

from playwright.sync_api import expect

from curriculum.content_schema import load_content

from .conftest import DEMO_PASSWORD, PHONE, new_page
from .test_family_sheet import fonts_embedded
from .test_journey_student import choose
from .test_journey_teacher import read_cards, write_roster
from .test_letters_home import page_text, pdf_pages

MODULE = "middle-harm-law-response"  # the band of a middle school's first grade
CLASS_NAME = "1학년 6반"
SURNAMES = "김이박최정강조윤장임"
GIVEN = ["민준", "서연", "도윤"]
ROSTER = [(n, f"{SURNAMES[(n - 1) % 10]}{GIVEN[(n - 1) // 10]}", 2013) for n in range(1, 31)]


def qr_address(browser, card) -> str:
    """What a tablet's camera reads from the card's QR code: the card's own
    SVG, drawn large enough for a decoder and read by zxing-cpp."""
    import zxingcpp
    from PIL import Image

    svg = card.locator(".login-card-qr svg").evaluate("e => e.outerHTML")
    camera = browser.new_page(viewport={"width": 480, "height": 480})
    camera.set_content(f"<body style='margin:20px;background:#fff'><div style='width:400px'>{svg}</div></body>")
    camera.locator("svg").evaluate("e => { e.setAttribute('width', '400'); e.setAttribute('height', '400'); }")
    image = Image.open(io.BytesIO(camera.screenshot())).convert("L")
    camera.close()
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, "one QR code on the card"
    return found[0].text


def stored_rows(server, usernames: list[str]) -> dict:
    """Rows tied to these pupils that hold answers or results (the server's database)."""
    script = (
        "import json; from curriculum.models import QuizAttempt, LessonProgress, Certificate; "
        f"names = {usernames!r}; "
        "print(json.dumps({m.__name__: m.objects.filter(student__username__in=names).count() "
        "for m in (QuizAttempt, LessonProgress, Certificate)}))"
    )
    return json.loads(server.manage("shell", "-c", script).stdout.strip().splitlines()[-1])


def module_lesson(page) -> tuple[str, list[dict]]:
    page.goto(f"/learn/{MODULE}/")
    href = page.locator(".lesson-list a").first.get_attribute("href")
    module = next(m for m in load_content()[1] if m["slug"] == MODULE)
    lesson = next(item for item in module["lessons"] if href.rstrip("/").endswith(item["slug"]))
    return href, lesson["quiz"]


def take_quiz(page, a11y, href, quiz, *, correct: bool, label: str):
    page.goto(href)
    choose(page, quiz, "ko", correct=correct)
    page.locator("#quiz form button[type=submit]").click()
    result = page.locator("#quiz-result")
    result.wait_for()
    # The result is the first thing in view and has the focus (screen readers read it).
    expect(result).to_be_in_viewport()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'quiz-result'")
    assert "%" in result.inner_text()
    a11y.check(page, label)


def test_first_period_of_a_class_of_30(browser, server, a11y, tmp_path):
    teacher = new_page(browser, server, PHONE)
    teacher.goto("/accounts/login/")
    teacher.fill("#id_login", "demo-teacher")
    teacher.fill("#id_password", DEMO_PASSWORD)
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_url(re.compile(r"/teach/$"))

    # A fresh class of 30 from a roster file.
    teacher.goto("/teach/classes/new/")
    teacher.fill("#id_name", CLASS_NAME)
    teacher.fill("#id_grade", "1")
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_url(re.compile(r"/teach/classes/\d+/students/$"))
    pk = re.search(r"/classes/(\d+)/", teacher.url).group(1)
    teacher.goto(f"/teach/classes/{pk}/students/import/")
    teacher.set_input_files("#id_file", str(write_roster(tmp_path / "명단.csv", ROSTER, "utf-8")))
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_url(re.compile(r"/students/import/\d+/$"))
    assert teacher.locator(".preview-table tr.row-ok").count() == 30
    a11y.check(teacher, "roster preview (30)")
    teacher.locator("main form:not([action]) button[type=submit]").click()
    teacher.wait_for_selector("article.login-card")
    a11y.check(teacher, "login cards (30)")
    cards = read_cards(teacher)
    assert [c["name"] for c in cards] == [f"{n}. {name}" for n, name, _y in ROSTER]
    usernames = [c["username"] for c in cards]

    # Three pupils will scan their card: read the QR codes as a camera would.
    card_boxes = teacher.locator("article.login-card")
    addresses = [qr_address(browser, card_boxes.nth(i)) for i in range(3)]
    for address in addresses:
        assert re.fullmatch(rf"{re.escape(server.url)}/card/[A-Za-z0-9_-]{{20,64}}/", address), address

    # Print the cards, then the letters home: Korean text in embedded fonts.
    cards_pdf = tmp_path / "cards.pdf"
    teacher.pdf(path=str(cards_pdf), prefer_css_page_size=True)
    assert pdf_pages(cards_pdf) == 4  # 8 cards per A4 page
    teacher.check("#print-letters")
    a11y.check(teacher, "letters home (30)")
    letters_pdf = tmp_path / "letters.pdf"
    teacher.pdf(path=str(letters_pdf), prefer_css_page_size=True)
    assert pdf_pages(letters_pdf) == 30
    if shutil.which("pdftotext"):
        assert ROSTER[0][1] in page_text(cards_pdf, 1)
        last = page_text(letters_pdf, 30)
        assert ROSTER[-1][1] in last and "잘라서 학교로 보내 주세요" in last, last
    if shutil.which("pdffonts"):
        for pdf in (cards_pdf, letters_pdf):
            embedded = fonts_embedded(pdf)
            assert embedded and all(embedded), pdf

    # The module for the class.
    teacher.goto(f"/teach/classes/{pk}/assignments/")
    option = teacher.locator(
        "#id_module option", has_text=next(m["title"]["ko"] for m in load_content()[1] if m["slug"] == MODULE)
    )
    teacher.select_option("#id_module", value=option.get_attribute("value"))
    teacher.locator("section.card form button[type=submit]").click()
    teacher.wait_for_selector(".message-success")

    # Three pupils sign in by the QR code alone, two by typing the card.
    pupils = []
    for index, address in enumerate(addresses):
        pupil = new_page(browser, server, PHONE)
        pupil.goto(address)
        # "Is this your card?" and one big button: no typing.
        assert ROSTER[index][1] in pupil.locator("main").inner_text()
        if index == 0:
            a11y.check(pupil, "card sign-in")
        pupil.locator("main form button[type=submit]").click()
        pupil.wait_for_url(re.compile(r"/my/$"))
        assert ROSTER[index][1] in pupil.locator("h1").inner_text()
        if index == 0:
            a11y.check(pupil, "pupil home after the QR sign-in")
        pupils.append(pupil)
    for card in cards[3:5]:
        pupil = new_page(browser, server, PHONE)
        pupil.goto("/accounts/login/")
        pupil.fill("#id_login", card["username"])
        pupil.fill("#id_password", card["password"])
        pupil.locator("main form button[type=submit]").click()
        pupil.wait_for_url(re.compile(r"/my/$"))
        pupils.append(pupil)

    href, quiz = module_lesson(pupils[0])
    a11y.check(pupils[0], "module page (pupil)")
    for index, pupil in enumerate(pupils):
        take_quiz(pupil, a11y, href, quiz, correct=index % 2 == 0, label="quiz result (no consent)")
    assert stored_rows(server, usernames) == {"QuizAttempt": 0, "LessonProgress": 0, "Certificate": 0}

    # The dashboard: the class's answers, counted, with no names.
    teacher.goto(f"/teach/classes/{pk}/")
    a11y.check(teacher, "class dashboard with class counts")
    counts = teacher.locator("section.items", has=teacher.locator("table.item-table")).first
    expect(counts).to_be_visible()
    answered = [t.strip() for t in counts.locator("td.num").all_inner_texts()]
    assert "5" in answered, answered
    text = counts.inner_text()
    assert not any(name in text for _n, name, _y in ROSTER), "no pupil's name next to the counts"

    # The slips come back: tick all 30 and save once.
    teacher.goto(f"/teach/classes/{pk}/consent/")
    a11y.check(teacher, "consent sheet (30 waiting)")
    boxes = teacher.locator("input[name=returned]")
    assert boxes.count() == 30
    for i in range(30):
        boxes.nth(i).check()
    teacher.locator("main form button[type=submit]").click()
    teacher.wait_for_selector(".message-success")
    a11y.check(teacher, "consent sheet saved")
    assert "30" in teacher.locator(".message-success").inner_text()
    assert teacher.locator("input[name=returned]:checked").count() == 30

    # From now on the pupils' results are their own.
    take_quiz(pupils[0], a11y, href, quiz, correct=True, label="quiz result (consent on file)")
    assert stored_rows(server, usernames[:1])["QuizAttempt"] == 1
    assert stored_rows(server, usernames[:1])["LessonProgress"] == 1
    assert stored_rows(server, usernames[1:])["QuizAttempt"] == 0
    for page in [teacher, *pupils]:
        page.context.close()
