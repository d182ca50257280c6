"""The reporter's pages (issue 16): the follow-up shows what they reported,
Back after the receipt lands on a safe page, and the error summary links
each question that still needs an answer."""

import re

from .conftest import make_report, report_form, submit
from .test_followup import token_of


def test_the_follow_up_shows_the_reporter_what_they_wrote(client, cast):
    _report, receipt = make_report(
        cast.school,
        category="threat",
        platform="telegram",
        room_link="t.me/room-of-the-report",
        account_handle="@the_one_who_did_it",
        when="this_week",
        details="He said he would post it unless I paid.",
    )
    html = client.post("/en/report/follow-up/", {"receipt": receipt}, follow=True).content.decode()
    assert "What you reported" in html
    for text in (
        "Someone is threatening or blackmailing me",
        "Telegram",
        "t.me/room-of-the-report",
        "@the_one_who_did_it",
        "This week",
        "He said he would post it unless I paid.",
    ):
        assert text in html


def test_back_after_the_receipt_lands_on_a_safe_page(client, cast):
    submit(client, cast.school)
    page = client.get("/report/receipt/")
    assert page.status_code == 200
    saved = client.post("/report/receipt/", {"form_token": token_of(page), "saved": "on"})
    assert saved.status_code == 303
    # Back: the receipt's address answers with a redirect to a page that says why.
    back = client.get("/report/receipt/")
    assert back.status_code == 303
    assert back["Location"] == "/report/receipt/shown/"
    safe = client.get(back["Location"])
    assert safe.status_code == 200
    assert "no-store" in safe["Cache-Control"]
    assert 'class="receipt-group"' not in safe.content.decode()


def test_an_unticked_confirmation_is_answered_with_a_redirect(client, cast):
    """So no page of the flow is the answer to a POST that Back would resend."""
    submit(client, cast.school)
    page = client.get("/report/receipt/")
    unticked = client.post("/report/receipt/", {"form_token": token_of(page)})
    assert unticked.status_code == 303
    again = client.get(unticked["Location"])
    html = again.content.decode()
    assert again.status_code == 200
    assert 'class="receipt-group"' in html  # the code is still there to save
    assert 'aria-invalid="true"' in html or "errorlist" in html


def test_the_error_summary_links_each_missing_question(client, cast):
    data = report_form(cast.school)
    for name in ("category", "when", "affected", "staff_involved", "urgency"):
        data.pop(name)
    html = client.post("/en/report/HOME01/new/", data).content.decode()
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    links = re.findall(r'<a href="#([^"]+)">', summary)
    assert links == ["id_category_0", "id_when_0", "id_affected_0", "id_staff_involved_0", "id_urgency_0"]
    for anchor in links:
        assert f'id="{anchor}"' in html
    assert "What happened?" in summary and "Please choose when." in summary
