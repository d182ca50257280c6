"""Following up with the receipt: status, the counselor's messages, replying
and adding information; the session ends after 30 minutes idle and on
"leave", which also clears the page from the browser."""

import re

from django.utils.http import http_date

from incidents import cases, reporter_sessions
from incidents.models import CaseMessage, IncidentReport, Status
from tests.support.sealed import text

from .conftest import make_report


def open_report(client, receipt):
    response = client.post("/report/follow-up/", {"receipt": receipt})
    assert response.status_code == 303
    return client.get("/report/follow-up/case/")


def token_of(response):
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def test_the_reporter_reads_the_status_and_the_counselor_s_reply(client, cast):
    report, receipt = make_report(cast.school)
    cases.report_send_message(
        report=report, body="We are here for you. Can you tell us the room name?", actor=cast.counselor
    )
    cases.report_add_note(report=report, body="internal: talk to homeroom teacher", actor=cast.counselor)
    response = open_report(client, receipt)
    assert response.status_code == 200
    page = response.content.decode()
    assert "We are here for you." in page
    assert "internal: talk to homeroom teacher" not in page
    assert cast.counselor.display_name not in page  # the counselor's name is not shown
    assert "status-acknowledged" in page


def test_the_reporter_replies_and_adds_information(client, cast, django_capture_on_commit_callbacks):
    report, receipt = make_report(cast.school)
    page = open_report(client, receipt)
    token = token_of(page)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post("/report/follow-up/reply/", {"form_token": token, "body": "It is called 2-1 secret room."})
    assert reply.status_code == 303
    with django_capture_on_commit_callbacks(execute=True):
        info = client.post(
            "/report/follow-up/add/", {"form_token": token, "link": "t.me/another", "handle": "@other", "info": ""}
        )
    assert info.status_code == 303
    messages = list(report.messages.order_by("id"))
    assert [m.kind for m in messages] == [CaseMessage.Kind.REPLY, CaseMessage.Kind.INFO]
    assert text(report, messages[1].link, cast.counselor) == "t.me/another"
    report.refresh_from_db()
    assert report.unread_reporter_messages == 2
    html = client.get("/report/follow-up/case/").content.decode()
    assert "It is called 2-1 secret room." in html
    assert "t.me/another" in html


def test_an_empty_or_too_long_reply_is_explained_and_kept(client, cast):
    _report, receipt = make_report(cast.school)
    token = token_of(open_report(client, receipt))
    empty = client.post("/report/follow-up/reply/", {"form_token": token, "body": ""})
    assert empty.status_code == 200
    assert 'aria-invalid="true"' in empty.content.decode()
    long_text = "가" * 4001
    too_long = client.post("/report/follow-up/reply/", {"form_token": token, "body": long_text})
    assert too_long.status_code == 200
    assert long_text in too_long.content.decode()
    nothing = client.post("/report/follow-up/add/", {"form_token": token, "link": "", "handle": "", "info": ""})
    assert nothing.status_code == 200
    assert CaseMessage.objects.count() == 0


def test_posts_need_the_session_token(client, cast):
    _report, receipt = make_report(cast.school)
    open_report(client, receipt)
    response = client.post("/report/follow-up/reply/", {"form_token": "forged", "body": "hi"})
    assert response.status_code == 400
    assert CaseMessage.objects.count() == 0


def test_writing_to_a_closed_case_reopens_it_and_stops_the_retention_clock(client, cast):
    report, receipt = make_report(cast.school)
    cases.report_change_status(report=report, to_status=Status.CLOSED, closing_reason="no_reply", actor=cast.counselor)
    token = token_of(open_report(client, receipt))
    client.post("/report/follow-up/reply/", {"form_token": token, "body": "It started again."})
    report.refresh_from_db()
    assert report.status == Status.REOPENED
    assert report.closed_at is None
    assert report.response_due_at is not None


def test_the_session_is_idle_for_at_most_thirty_minutes(client, cast, monkeypatch):
    _report, receipt = make_report(cast.school)
    clock = {"now": 1_800_000_000}
    monkeypatch.setattr(reporter_sessions, "now", lambda: clock["now"])
    page = open_report(client, receipt)
    # It expires thirty minutes on, counted from the minute (see test_times).
    assert page.cookies["st_report_followup"]["expires"] == http_date(clock["now"] + 30 * 60)
    # Activity keeps it alive: each page issues the cookie again.
    for _ in range(3):
        clock["now"] += 29 * 60
        assert client.get("/report/follow-up/case/").status_code == 200
    # Thirty idle minutes end it.
    clock["now"] += 30 * 60 + 1
    response = client.get("/report/follow-up/case/")
    assert response.status_code == 303
    assert response["Location"] == "/report/follow-up/?ended=1"


def test_the_cookie_is_encrypted_and_tied_to_its_purpose(client, cast):
    report, receipt = make_report(cast.school)
    open_report(client, receipt)
    value = client.cookies["st_report_followup"].value
    assert value.startswith("gAAAAA")  # a Fernet token: nothing readable inside
    assert receipt not in value and "report_id" not in value
    # A follow-up cookie is not a receipt cookie, and a tampered one is nothing.
    client.cookies["st_report_receipt"] = value
    receipt_page = client.get("/report/receipt/", follow=True)
    assert receipt_page.status_code == 200
    assert "신고 번호는 다시 보여 줄 수 없어요" in receipt_page.content.decode()  # the code is not shown again
    assert 'class="receipt-group"' not in receipt_page.content.decode()
    client.cookies["st_report_followup"] = value[:-4] + "AAAA"
    assert client.get("/report/follow-up/case/").status_code == 303


def test_leaving_ends_the_session_and_clears_the_browser(client, cast):
    _report, receipt = make_report(cast.school)
    token = token_of(open_report(client, receipt))
    response = client.post("/report/follow-up/leave/", {"form_token": token})
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "no-store" in response["Cache-Control"]
    assert response.cookies["st_report_followup"]["max-age"] == 0
    client.cookies["st_report_followup"] = "stale"
    assert client.get("/report/follow-up/case/").status_code == 303


def test_a_copy_of_the_cookie_does_not_outlive_leaving(client, cast):
    _report, receipt = make_report(cast.school)
    token = token_of(open_report(client, receipt))
    copied = client.cookies["st_report_followup"].value
    client.post("/report/follow-up/leave/", {"form_token": token})
    client.cookies["st_report_followup"] = copied
    assert client.get("/report/follow-up/case/").status_code == 303


def test_a_deleted_report_ends_the_follow_up(client, cast):
    report, receipt = make_report(cast.school)
    open_report(client, receipt)
    IncidentReport.objects.filter(pk=report.pk).delete()
    assert client.get("/report/follow-up/case/").status_code == 303


def test_a_reporter_cannot_flood_the_counselor(client, cast):
    _report, receipt = make_report(cast.school)
    token = token_of(open_report(client, receipt))
    for n in range(20):
        assert client.post("/report/follow-up/reply/", {"form_token": token, "body": f"m{n}"}).status_code == 303
    response = client.post("/en/report/follow-up/reply/", {"form_token": token, "body": "one more"})
    assert response.status_code == 200
    assert "many messages in a short time" in response.content.decode()
    assert "one more" in response.content.decode()
    assert CaseMessage.objects.count() == 20
