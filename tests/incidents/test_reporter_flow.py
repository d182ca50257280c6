"""The reporter's journey: find the school, read the first screen, fill in
the form, see the receipt once, confirm it is saved, then the next steps."""

import re

from incidents.models import IncidentReport, Routing, Urgency
from tests.support.sealed import opened

from .conftest import receipt_from, report_form, submit


def test_search_by_code_goes_straight_to_the_school(client, cast):
    response = client.get("/report/", {"q": "home01"})
    assert response.status_code == 302
    assert response["Location"] == "/report/HOME01/"


def test_search_by_name_needs_two_letters_and_lists_a_few(client, cast):
    from tests.factories import SchoolFactory

    for n in range(15):
        SchoolFactory(code=f"MANY{n:02d}", name=f"가나다학교 {n}")
    response = client.get("/report/", {"q": "가"})
    assert response.status_code == 200
    short = response.content.decode()
    assert "가나다학교" not in short
    assert 'id="id_q_error"' in short
    found = client.get("/report/", {"q": "가나"}).content.decode()
    assert found.count('class="school-result"') == 10
    assert client.get("/report/").status_code == 200


def test_first_screen_gives_the_emergency_numbers_and_a_way_out(client, cast):
    html = client.get("/report/HOME01/").content.decode()
    for number in ("112", "1366", "117", "02-735-8994"):
        assert f'href="tel:{number}"' in html
    assert 'href="/help/"' in html
    assert "/report/HOME01/new/" in html
    assert "data-quick-exit" in html


def test_first_screen_is_korean_by_default_and_english_under_en(client, cast):
    response = client.get("/report/HOME01/")
    english = client.get("/en/report/HOME01/").content.decode()
    assert response.status_code == 200
    korean = response.content.decode()
    assert '<html lang="ko">' in korean
    assert "What happens after you report" in english
    assert "신고하고 나면 이렇게 돼요" in korean
    assert "What happens after you report" not in korean


def test_unknown_school_is_404(client, cast):
    assert client.get("/report/NOPE99/").status_code == 404
    assert client.get("/report/NOPE99/new/").status_code == 404


def test_form_has_every_question_and_no_upload(client, cast):
    response = client.get("/report/HOME01/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "category",
        "platform",
        "platform_other",
        "room_link",
        "account_handle",
        "when",
        "affected",
        "staff_involved",
        "urgency",
        "details",
        "contact",
    ):
        assert f'name="{name}"' in html, name
    assert 'type="file"' not in html
    assert "enctype" not in html
    assert 'class="notice no-upload"' in html
    for platform in ("카카오톡", "텔레그램", "인스타그램", "디스코드", "X(트위터)", "네이버 밴드"):
        assert platform in html
    # Nothing is pre-ticked.
    assert "checked" not in html


def test_radio_groups_are_fieldsets_with_legends(client, cast):
    html = client.get("/en/report/HOME01/new/").content.decode()
    assert html.count("<fieldset") >= 6
    assert "<legend>What happened?" in html


def test_submitting_shows_the_receipt_in_four_groups_once(client, cast):
    response = submit(client, cast.school)
    assert response.status_code == 303
    assert response["Location"] == "/report/receipt/"
    html = client.get("/report/receipt/").content.decode()
    assert len(re.findall(r'<span class="receipt-group">\d{4}</span>', html)) == 4
    # A reload in the same short session shows it again…
    receipt = receipt_from(client)
    assert len(receipt) == 16
    # …until the reporter confirms.
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    not_ticked = client.post("/report/receipt/", {"form_token": form_token})
    assert not_ticked.status_code == 303  # answered with a redirect: Back never resends a form
    assert receipt[:4] in client.get(not_ticked["Location"]).content.decode()
    confirmed = client.post("/report/receipt/", {"form_token": form_token, "saved": "on"})
    assert confirmed.status_code == 303
    assert confirmed["Location"] == "/report/next-steps/"
    assert_receipt_gone(client)


RECEIPT_GONE = "신고 번호는 다시 보여 줄 수 없어요"  # the page's heading: the code is not shown again


def assert_receipt_gone(client) -> None:
    """The receipt page answers, and says the code cannot be shown again
    (not an error page), without a receipt on it."""
    response = client.get("/report/receipt/", follow=True)
    assert response.redirect_chain == [("/report/receipt/shown/", 303)]
    assert response.status_code == 200
    gone = response.content.decode()
    assert RECEIPT_GONE in gone
    assert 'class="receipt-group"' not in gone


def test_a_copy_of_the_receipt_cookie_does_not_show_it_again(client, cast):
    submit(client, cast.school)
    html = client.get("/report/receipt/").content.decode()
    copied = client.cookies["st_report_receipt"].value
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    client.post("/report/receipt/", {"form_token": form_token, "saved": "on"})
    client.cookies["st_report_receipt"] = copied
    assert_receipt_gone(client)


def test_the_receipt_is_not_kept_on_the_server(client, cast):
    from .test_anonymity import cache_contents, database_rows_containing

    submit(client, cast.school)
    receipt = receipt_from(client)
    assert receipt not in cache_contents()
    assert database_rows_containing(receipt) == []


def test_receipt_is_not_shown_to_another_browser(client, cast, django_user_model):
    from django.test import Client

    submit(client, cast.school)
    assert_receipt_gone(Client())


def test_confirming_needs_the_page_token(client, cast):
    submit(client, cast.school)
    response = client.post("/report/receipt/", {"form_token": "forged", "saved": "on"})
    assert response.status_code == 400
    assert 'class="receipt-group"' in client.get("/report/receipt/").content.decode()


def test_next_steps_point_to_removal_services(client, cast):
    html = client.get("/report/next-steps/").content.decode()
    for service in ("02-735-8994", "1377", "takeitdown.ncmec.org", "stopncii.org"):
        assert service in html


def test_report_is_stored_with_what_was_chosen(client, cast):
    submit(client, cast.school)
    report = IncidentReport.objects.get()
    assert report.school == cast.school
    assert report.routed_to == Routing.SCHOOL
    assert opened(report, cast.counselor).details.startswith("Someone in my class")
    assert report.urgency == Urgency.SOON
    assert report.spam_reason == ""


def test_blackmail_is_always_urgent(client, cast):
    submit(client, cast.school, category="threat", urgency="2")
    assert IncidentReport.objects.get().urgency == Urgency.URGENT
    submit(client, cast.school, category="threat", urgency="")
    assert IncidentReport.objects.count() == 2
    assert set(IncidentReport.objects.values_list("urgency", flat=True)) == {Urgency.URGENT}


def test_staff_involved_goes_to_the_district(client, cast):
    submit(client, cast.school, staff_involved="yes")
    assert IncidentReport.objects.get().routed_to == Routing.DISTRICT


def test_report_pages_are_never_cached(client, cast):
    for url in ("/report/", "/report/HOME01/", "/report/HOME01/new/", "/report/follow-up/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert response["Referrer-Policy"] == "no-referrer"


def test_cross_site_posts_are_refused(client, cast):
    response = client.post(
        "/report/HOME01/new/",
        report_form(cast.school),
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    assert IncidentReport.objects.count() == 0
