"""Signing in: every role lands on its own start page, students use their
username, guessing is limited, and nobody learns which accounts exist."""

import pytest
from django.core import mail

from tests.conftest import give_totp
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def login(client, login, password=PASSWORD):
    return client.post(LOGIN, {"login": login, "password": password})


@pytest.mark.parametrize(
    ("who", "login_with", "start_page"),
    [
        ("student", "student", "/my/"),
        ("teacher", "teacher@example.org", "/teach/"),
        ("parent", "parent@example.org", "/family/"),
        ("counselor", "counselor@example.org", "/counsel/"),
        ("school_admin", "school-admin@example.org", "/school/"),
        ("editor", "editor@example.org", "/cms/"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, cast, who, login_with, start_page):
    user = getattr(cast, who)
    if who in ("counselor", "school_admin", "editor"):
        give_totp(user)
    response = login(client, login_with)
    if who in ("counselor", "school_admin", "editor"):
        # With a second factor set up, the login asks for the code first.
        assert response.status_code == 302
        assert "/accounts/2fa/authenticate/" in response["Location"]
        return
    assert response.status_code == 302
    assert response["Location"] == start_page
    assert client.get(start_page).status_code == 200


def test_staff_with_mfa_reach_their_page_after_the_code(client, cast):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    secret = give_totp(cast.counselor)
    response = login(client, "counselor@example.org")
    counter = next(yield_hotp_counters_from_time())
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/counsel/"
    assert client.get("/counsel/").status_code == 200


def test_counselor_without_mfa_is_sent_to_set_it_up(client, cast):
    response = login(client, "counselor@example.org")
    assert response["Location"] == "/counsel/"
    page = client.get("/counsel/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/2fa/totp/activate")
    assert "/accounts/2fa/totp/activate" in client.get("/en/counsel/")["Location"]


def test_cms_requires_mfa_too(client, cast):
    login(client, "editor@example.org")
    assert client.get("/cms/")["Location"].startswith("/accounts/2fa/totp/activate")


def test_students_sign_in_without_an_email(client, cast):
    assert not cast.student.email
    response = login(client, "student")
    assert response["Location"] == "/my/"


def test_adults_must_verify_their_email(client, cast):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=cast.parent).update(verified=False)
    response = login(client, "parent@example.org")
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/family/").status_code == 302
    assert len(mail.outbox) == 1


def test_the_right_password_straight_after_five_wrong_ones_must_wait(client, cast):
    for _ in range(5):
        response = login(client, "student", "wrong-password")
        assert response.status_code == 200
    response = login(client, "student", PASSWORD)
    assert response.status_code == 200, "the right password after five failures is still refused"
    assert "/my/" not in response.get("Location", "")
    assert not response.wsgi_request.user.is_authenticated


def test_one_students_failures_do_not_lock_out_the_class(client, cast):
    from tests.factories import StudentFactory

    classmate = StudentFactory(username="classmate")
    for _ in range(6):
        login(client, "student", "wrong-password")
    response = client.post(LOGIN, {"login": classmate.username, "password": PASSWORD})
    assert response.status_code == 302


def test_unknown_and_known_emails_get_the_same_answer_on_password_reset(client, cast):
    known = client.post("/accounts/password/reset/", {"email": "teacher@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_unknown_and_known_logins_get_the_same_error(client, cast):
    known = login(client, "teacher@example.org", "wrong-password").content.decode()
    unknown = login(client, "nobody@example.org", "wrong-password").content.decode()

    def error(html):
        return html.split('class="errorlist"', 1)[1].split("</", 1)[0]

    assert error(known) == error(unknown)


def test_signup_makes_a_parent_who_must_verify(client, db):
    from accounts.models import User

    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.parent@example.org",
            "display_name": "새 부모",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.parent@example.org")
    assert user.is_parent and user.display_name == "새 부모"
    assert "/accounts/confirm-email/" in mail.outbox[0].body or "confirm-email" in mail.outbox[0].body
    # The email names the platform, not the server's host name.
    assert mail.outbox[0].subject.startswith("[함께 지키는 안전] ")
    assert mail.outbox[0].body.startswith("함께 지키는 안전에서 보내는 메일입니다.")
    assert "testserver!" not in mail.outbox[0].body


def test_signup_with_bad_input_changes_nothing_and_says_why(client, db):
    from accounts.models import User

    response = client.post(
        "/accounts/signup/", {"email": "not-an-email", "display_name": "", "password1": "short", "password2": "other"}
    )
    assert response.status_code == 200
    assert User.objects.count() == 0
    assert 'class="errorlist"' in response.content.decode()


def test_language_switch_keeps_the_page(client, cast):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/en/accounts/login/"' in html
    english = client.get("/en/accounts/login/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert 'href="/accounts/login/"' in english.content.decode()


def test_django_admin_is_not_at_admin_and_only_for_superusers(client, cast):
    assert client.get("/admin/").status_code == 404
    client.force_login(cast.teacher)
    assert client.get("/manage-site/").status_code == 302


def test_cms_has_no_second_login_form(client, db):
    response = client.get("/cms/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
