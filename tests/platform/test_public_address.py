"""Printed and mailed addresses: SITE_URL when set; without it (development)
the address the request came in on; without a request, where `make run`
serves."""

import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from classroom import cards
from edu_platform.urls_public import DEV_ADDRESS, public_base_url
from tests.conftest import mfa_login

HOST = "127.0.0.1:8101"


@pytest.fixture
def no_site_url(settings):
    settings.SITE_URL = ""


def new_card(client, cast, **extra):
    client.force_login(cast.teacher)
    enrollment = cast.student.enrollments.get()
    return client.post(
        f"/teach/classes/{enrollment.classroom_id}/students/{enrollment.pk}/reset/", {"once": "addr"}, **extra
    )


def test_cards_printed_from_port_8101_carry_8101_links(client, cast, no_site_url, monkeypatch):
    from accounts import card_signin

    monkeypatch.setattr(card_signin.secrets, "token_urlsafe", lambda n: "known-card-token")
    response = new_card(client, cast, HTTP_HOST=HOST)
    html = response.content.decode()
    assert f"http://{HOST}/accounts/login/" in html
    assert f"http://{HOST}/accounts/signup/" in html
    sign_in = f"http://{HOST}/card/known-card-token/"
    assert str(cards.qr_svg(sign_in)) in html, "the card's QR code signs in on the same address"
    assert "127.0.0.1:8000" not in html


def test_cards_use_site_url_when_it_is_set(client, cast, settings):
    settings.SITE_URL = "https://safe.example.org/"
    html = new_card(client, cast, HTTP_HOST=HOST).content.decode()
    assert "https://safe.example.org/accounts/login/" in html
    assert HOST not in html


def test_the_class_code_page_shows_the_address_it_was_opened_on(client, cast, no_site_url):
    client.force_login(cast.teacher)
    classroom = cast.student.enrollments.get().classroom
    html = client.get(f"/teach/classes/{classroom.pk}/code/", HTTP_HOST=HOST).content.decode()
    assert f"http://{HOST}/join/" in html


def test_the_report_poster_shows_the_address_it_was_printed_from(client, cast, no_site_url):
    mfa_login(client, cast.school_admin)
    html = client.get("/school/HOME01/reports/poster/", HTTP_HOST=HOST).content.decode()
    assert f"http://{HOST}/report/HOME01/" in html


def test_without_a_request_site_url_or_the_dev_address(settings):
    settings.SITE_URL = ""
    assert public_base_url() == DEV_ADDRESS
    request = RequestFactory().get("/", HTTP_HOST="192.168.0.10:8101", secure=True)
    assert public_base_url(request) == "https://192.168.0.10:8101"
    settings.SITE_URL = "https://safe.example.org/"
    assert public_base_url() == public_base_url(request) == "https://safe.example.org"


def test_an_invitation_carries_the_address_it_was_sent_from(
    client, cast, no_site_url, django_capture_on_commit_callbacks
):
    from django.core import mail

    mfa_login(client, cast.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/school/HOME01/staff/", {"email": "new.teacher@example.org", "role": "teacher"}, HTTP_HOST=HOST
        )
    assert response.status_code == 302
    assert f"http://{HOST}/" in mail.outbox[-1].body


def test_seed_demo_prints_the_address_it_will_serve_on(db, no_site_url):
    out = io.StringIO()
    call_command(
        "seed_demo", "--password", "demo-test-pass", "--no-curriculum", "--address", f"http://{HOST}", stdout=out
    )
    assert f"http://{HOST}/accounts/login/" in out.getvalue()
    assert f"http://{HOST}/report/DEMO01/" in out.getvalue()
    assert "8000" not in out.getvalue()
