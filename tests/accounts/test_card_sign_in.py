"""Signing in by the QR code of a login card: one tap for a pupil, never for
staff, ended by a new card, limited for wrong cards, and never logged."""

import logging

import pytest
from django.core.cache import cache

from accounts import card_signin
from classroom import student_accounts
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def card(cast):
    return student_accounts.student_add(classroom=cast.classroom, name="일학년", number=None)


def url(token: str) -> str:
    return f"/card/{token}/"


def test_a_pupil_scans_the_card_and_starts_with_one_tap(client, cast, card):
    page = client.get(url(card.signin_token))
    assert page.status_code == 200
    assert "일학년" in page.content.decode() and 'type="submit"' in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin" and "no-store" in page["Cache-Control"]
    assert "_auth_user_id" not in client.session, "looking at the page signs nobody in (link previews)"
    response = client.post(url(card.signin_token))
    assert response.status_code == 302 and response["Location"] == "/my/"
    assert client.get("/my/").status_code == 200
    assert client.session["_auth_user_id"] == str(
        cast.classroom.enrollments.get(student__display_name="일학년").student_id
    )


def test_the_card_page_prints_each_pupil_s_own_code(client, cast):
    client.force_login(cast.teacher)
    response = client.post(f"/teach/classes/{cast.classroom.pk}/students/", {"name": "둘", "number": "", "once": "t-1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Scan to sign in" in html or "스캔하면 바로 로그인" in html
    assert html.count('class="qr"') >= 1


def test_a_new_card_ends_the_old_code(client, cast, card):
    enrollment = cast.classroom.enrollments.get(student__display_name="일학년")
    (new,) = student_accounts.student_passwords_reset(enrollments=[enrollment])
    assert client.get(url(card.signin_token)).status_code == 410
    assert client.post(url(card.signin_token)).status_code == 410
    assert "_auth_user_id" not in client.session
    assert client.post(url(new.signin_token)).status_code == 302


@pytest.mark.parametrize("role", ["teacher", "counselor", "school_admin"])
def test_a_code_never_signs_in_staff(client, cast, role):
    person = UserFactory(username=f"pupil-and-{role}")
    MembershipFactory(user=person, school=cast.school, role="student")
    MembershipFactory(user=person, school=cast.school, role=role)
    (token,) = card_signin.card_tokens_issue([person]).values()
    assert client.post(url(token)).status_code == 410
    assert "_auth_user_id" not in client.session


def test_wrong_cards_are_limited_per_address_but_a_right_card_still_works(client, cast, card):
    cache.clear()
    for n in range(card_signin.WRONG_TOKENS.limit):
        assert client.get(url(f"not-a-real-token-{n}")).status_code == 410
    assert client.get(url("not-a-real-token-again")).status_code == 429
    assert client.post(url(card.signin_token)).status_code == 302


def test_the_token_is_never_logged(client, caplog, card):
    # Even with request logging turned up (it is at ERROR in settings).
    caplog.set_level(logging.DEBUG, logger="django.request")
    request_log = logging.getLogger("django.request")
    request_log.addHandler(caplog.handler)  # it may not propagate to the root logger
    try:
        client.get(url("a-token-that-must-not-be-logged"))
        client.post(url(card.signin_token))
    finally:
        request_log.removeHandler(caplog.handler)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/card/…/" in logged, "the request was logged, without its token"
    assert "a-token-that-must-not-be-logged" not in logged and card.signin_token not in logged
