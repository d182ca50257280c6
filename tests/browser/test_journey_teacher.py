"""Journey 1: the demo teacher logs in, creates a class (the form first
refuses a grade the school does not have, with the error tied to the field
for screen readers), imports its roster from a CSV file (Korean Excel's
CP949 first, then UTF-8), checks the preview, creates the accounts, reads
the printed login cards and assigns a module. A student then logs in with the username and password read off a
card and finds the module on their start page. In Korean, on a phone and
on a desktop; axe-core checks every page on the way."""

import datetime
import re

from curriculum.content_schema import load_content

from .conftest import DEMO_PASSWORD, new_page

MODULE = "middle-harm-law-response"  # the band of a middle school's first grade
# Numbers of the new classes: each viewport gets its own class (and usernames).
CLASS_NUMBER = {360: 4, 1280: 5}

FIRST_TRY = [(1, "김민준")]  # the CP949 file, replaced before anything is created
ROSTER = [(1, "이서연", 2013), (2, "박지호", 2012), (3, "최하은", 2013)]


def module_title(slug: str) -> str:
    return next(m["title"]["ko"] for m in load_content()[1] if m["slug"] == slug)


def write_roster(path, rows, encoding: str):
    """A roster as Excel writes it: a header row, then one student a line."""
    if rows and len(rows[0]) == 3:
        lines = ["번호,이름,생년"] + [f"{n},{name},{year}" for n, name, year in rows]
    else:
        lines = ["번호,이름"] + [f"{n},{name}" for n, name in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def described_by(page, selector: str) -> list[str]:
    """The ids of what a screen reader reads after the field (help text,
    errors); each one must name an element of the page."""
    ids = page.get_attribute(selector, "aria-describedby").split()
    assert all(page.locator(f"#{i}").count() == 1 for i in ids), ids
    return ids


def preview_names(page) -> list[str]:
    return [t.strip() for t in page.locator(".preview-table tbody th[scope=row]").all_inner_texts()]


def read_cards(page) -> list[dict]:
    cards = []
    for card in page.locator("article.login-card").all():
        facts = card.locator(".login-card-facts dd")
        cards.append(
            {
                "name": card.locator(".login-card-name").inner_text().strip(),
                "address": facts.nth(0).inner_text().strip(),
                "username": facts.nth(1).inner_text().strip(),
                "password": facts.nth(2).inner_text().strip(),
                "guardian_code": card.locator(".login-card-parents .secret").inner_text().strip(),
            }
        )
    return cards


def test_teacher_journey(browser, server, viewport, a11y, tmp_path):
    number = CLASS_NUMBER[viewport["width"]]
    class_name = f"1학년 {number}반"
    title = module_title(MODULE)
    page = new_page(browser, server, viewport)

    # Log in through the real login page; teachers need no second factor.
    page.goto("/accounts/login/")
    a11y.check(page, "login")
    page.fill("#id_login", "demo-teacher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/teach/$"))
    a11y.check(page, "teacher home")

    # A new class through the form.
    page.locator("a[href='/teach/classes/new/']").click()
    page.wait_for_url(re.compile(r"/teach/classes/new/$"))
    a11y.check(page, "class form")
    # A middle school has no grade 4: the form says so next to the field.
    page.fill("#id_name", class_name)
    page.fill("#id_grade", "4")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".has-error")
    a11y.check(page, "class form with an error")
    assert page.input_value("#id_name") == class_name
    assert page.get_attribute("#id_grade", "aria-invalid") == "true"
    assert "id_grade_error" in described_by(page, "#id_grade")
    assert "1부터 3까지" in page.locator("#id_grade_error").inner_text()
    page.fill("#id_grade", "1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/teach/classes/\d+/students/$"))
    pk = re.search(r"/classes/(\d+)/", page.url).group(1)
    assert class_name in page.locator("h1").inner_text()
    a11y.check(page, "class students (empty)")

    # The roster: Korean Excel's CP949 file first; its preview reads the names.
    page.locator(f"a[href='/teach/classes/{pk}/students/import/']").click()
    page.wait_for_url(re.compile(r"/students/import/$"))
    a11y.check(page, "import form")
    page.set_input_files("#id_file", str(write_roster(tmp_path / "명단-cp949.csv", FIRST_TRY, "cp949")))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/students/import/\d+/$"))
    a11y.check(page, "preview (CP949)")
    assert preview_names(page) == [name for _n, name in FIRST_TRY]

    # A different file (UTF-8, with birth years) replaces it before anything is created.
    page.set_input_files("#id_file", str(write_roster(tmp_path / "명단-utf8.csv", ROSTER, "utf-8")))
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/students/import/\d+/$"))
    a11y.check(page, "preview (UTF-8)")
    assert preview_names(page) == [name for _n, name, _y in ROSTER]
    assert page.locator(".preview-table tr.row-ok").count() == len(ROSTER)
    assert page.locator(".preview-table tr.row-problem").count() == 0

    # Confirm: the answer is the printable card page, one card per student.
    page.locator("main form:not([action]) button[type=submit]").click()
    page.wait_for_selector("article.login-card")
    a11y.check(page, "login cards")
    cards = read_cards(page)
    assert [c["name"] for c in cards] == [f"{n}. {name}" for n, name, _y in ROSTER]
    for (n, _name, _year), card in zip(ROSTER, cards, strict=True):
        assert card["address"] == f"{server.url}/accounts/login/"
        assert re.fullmatch(rf"demo01-\d\d-1{number}-{n:02d}", card["username"]), card["username"]
        assert re.fullmatch(r"[a-z2-9]{3}-[a-z2-9]{3}-[a-z2-9]{3}", card["password"]), card["password"]
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", card["guardian_code"])
    assert len({c["password"] for c in cards}) == len(cards)

    # Assign a module, with dates, through the class's assignment page.
    page.goto(f"/teach/classes/{pk}/assignments/")
    a11y.check(page, "assignments (none yet)")
    option = page.locator("#id_module option", has_text=title)
    page.select_option("#id_module", value=option.get_attribute("value"))
    # The form starts on the server's today (Seoul time); due three weeks later.
    opens_on = datetime.date.fromisoformat(page.input_value("#id_opens_on"))
    due_on = opens_on + datetime.timedelta(days=21)
    page.fill("#id_opens_on", opens_on.isoformat())
    page.fill("#id_due_on", due_on.isoformat())
    page.locator("section.card form button[type=submit]").click()
    page.wait_for_selector(".message-success")
    a11y.check(page, "assignments")
    row = page.locator("table tbody tr", has_text=title)
    assert row.count() == 1
    assert opens_on.isoformat() in row.inner_text() and due_on.isoformat() in row.inner_text()

    # The class page lists the module and every new student.
    page.goto(f"/teach/classes/{pk}/")
    a11y.check(page, "class dashboard")
    assert page.locator(".module-table tbody th[scope=row]").all_inner_texts() == [title]
    assert due_on.isoformat() in page.locator(".module-table tbody tr").inner_text()
    students = page.locator(".grid tbody th[scope=row]").all_inner_texts()
    assert [s.strip() for s in students] == [f"{n}. {name}" for n, name, _y in ROSTER]
    page.goto("/teach/")
    a11y.check(page, "teacher home with the class")
    assert page.locator(".class-card h2 a", has_text=class_name).count() == 1
    page.context.close()

    # The card really works: a student types what is printed on it.
    card = cards[1]
    student = new_page(browser, server, viewport)
    student.goto(card["address"])
    a11y.check(student, "login (student)")
    student.fill("#id_login", card["username"])
    student.fill("#id_password", card["password"])
    student.locator("main form button[type=submit]").click()
    student.wait_for_url(re.compile(r"/my/$"))
    a11y.check(student, "student home")
    assert ROSTER[1][1] in student.locator("h1").inner_text()
    module_card = student.locator(".module-card", has_text=title)
    assert module_card.count() == 1
    assert due_on.isoformat() in module_card.inner_text()
    assert module_card.locator("a.button").count() == 1
    assert class_name in student.locator("main").inner_text()
    student.context.close()
