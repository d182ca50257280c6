"""Journey 4: an anonymous reporter on a phone finds the school by its code,
submits a report, confirms saving the receipt, comes back later with it,
reads the counselor's reply, answers it and leaves, clearing the page. In
Korean and in English, on a phone; once more by keyboard alone."""

import re

import pytest

from .conftest import PHONE, new_page

SCHOOL = "DEMO01"


def counselor_replies(server, text: str) -> None:
    """The counselor's side of the conversation (their own journey drives the
    case page; here the reply is written through the same service)."""
    script = (
        "from incidents.models import IncidentReport; from incidents.cases import report_send_message; "
        "from accounts.models import User; "
        "r = IncidentReport.objects.filter(school__code='DEMO01').order_by('-id').first(); "
        f"report_send_message(report=r, body={text!r}, actor=User.objects.get(username='demo-counselor'))"
    )
    server.manage("shell", "-c", script)


def fill_report(page, details: str):
    page.locator("input[name=category][value=sharing_room]").check()
    page.select_option("select[name=platform]", "telegram")
    page.fill("input[name=room_link]", "t.me/example-room")
    page.locator("input[name=when][value=today]").check()
    page.locator("input[name=affected][value=several]").check()
    page.locator("input[name=staff_involved][value=no]").check()
    page.locator("input[name=urgency][value='1']").check()
    page.fill("textarea[name=details]", details)


def read_receipt(page) -> str:
    return "".join(page.locator(".receipt .receipt-group").all_inner_texts()).replace(" ", "")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_reporter_journey_on_a_phone(browser, server, a11y, language):
    prefix = "" if language == "ko" else "/en"
    page = new_page(browser, server, PHONE, language)

    page.goto(f"{prefix}/report/")
    a11y.check(page, "report search")
    page.fill("#id_q", SCHOOL.lower())  # as typed off the poster, in small letters
    page.locator("form.search-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/report/{SCHOOL}/$"))
    a11y.check(page, "report start")
    assert page.locator("a[href='tel:112']").count() >= 1
    page.locator(f"a[href='{prefix}/report/{SCHOOL}/new/']").first.click()
    page.wait_for_url(re.compile(r"/new/$"))
    a11y.check(page, "report form")
    assert page.locator("input[type=file]").count() == 0
    # Nothing typed yet: every required question says what is missing.
    page.wait_for_timeout(3200)  # people take longer than the minimum fill time
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector(".errorlist")
    a11y.check(page, "report form with errors")
    fill_report(page, f"browser journey {language}")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/report/receipt/$"))
    a11y.check(page, "receipt")
    receipt = read_receipt(page)
    assert re.fullmatch(r"\d{16}", receipt)
    # The code must be confirmed as saved before going on.
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector(".errorlist")
    page.check("input[name=saved]")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/report/next-steps/$"))
    a11y.check(page, "next steps")
    assert "1377" in page.content()
    page.context.close()

    counselor_replies(server, f"상담 선생님 답장 {language}")

    later = new_page(browser, server, PHONE, language)
    later.goto(f"{prefix}/report/follow-up/")
    a11y.check(later, "follow-up")
    later.fill("input[name=receipt]", receipt)
    later.locator("form button[type=submit]").last.click()
    later.wait_for_url(re.compile(r"/report/follow-up/case/$"))
    a11y.check(later, "follow-up case")
    assert f"상담 선생님 답장 {language}" in later.content()
    later.fill("textarea[name=body]", f"고마워요 {language}")
    later.locator("form[action$='/report/follow-up/reply/'] button[type=submit]").click()
    later.wait_for_url(re.compile(r"/report/follow-up/case/"))
    assert later.locator(".bubble-reporter .bubble-body").all_inner_texts() == [f"고마워요 {language}"]
    # Leaving clears the page: going back to it asks for the code again.
    later.locator(".followup-bar button[type=submit]").click()
    later.wait_for_url(re.compile(r"/report/follow-up/leave/$"))
    a11y.check(later, "left")
    later.goto(f"{prefix}/report/follow-up/case/")
    assert re.search(r"/report/follow-up/\?ended=1$", later.url), later.url
    assert later.locator("input[name=receipt]").count() == 1
    later.context.close()


def test_reporter_journey_by_keyboard_alone(browser, server, a11y):
    page = new_page(browser, server, PHONE, "ko")
    page.goto(f"/report/{SCHOOL}/new/")
    page.wait_for_timeout(3200)

    def tab_to(selector: str, limit: int = 80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"could not reach {selector} by keyboard")

    tab_to("input[name=category]")
    # Arrow keys move within a radio group; choose the fourth category.
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.locator("input[name=category]:checked").get_attribute("value") == "sharing_room"
    tab_to("input[name=when]")
    page.keyboard.press("Space")
    tab_to("input[name=affected]")
    page.keyboard.press("Space")
    tab_to("input[name=staff_involved]")
    page.keyboard.press("ArrowDown")
    tab_to("input[name=urgency]")
    page.keyboard.press("ArrowDown")
    tab_to("textarea[name=details]")
    page.keyboard.type("키보드만으로 쓴 신고")
    tab_to("form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/report/receipt/$"))
    assert re.fullmatch(r"\d{16}", read_receipt(page))
    tab_to("input[name=saved]")
    page.keyboard.press("Space")
    tab_to("form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/report/next-steps/$"))
    a11y.check(page, "next steps (keyboard)")
    page.context.close()
