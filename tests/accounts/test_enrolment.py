"""Setting up the authenticator app on a first login: nobody who has just
typed their password is asked for it again (for five minutes, and asked after
that), and the recovery codes page leads on to where the person was going:
the counselor's inbox, the school admin's school page."""

import re
from datetime import timedelta

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accounts.models import Invitation
from schools.models import Membership, Role
from tests.conftest import totp_code
from tests.factories import PASSWORD

ACTIVATE = "/accounts/2fa/totp/activate/"


def log_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def enrol(client, activate_url: str):
    """The activation page, then the app's code: returns the redirect to the codes."""
    page = client.get(activate_url)
    assert page.status_code == 200, page.get("Location")
    secret = page.context["form"].secret
    response = client.post(activate_url, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:300]
    return response


def continue_link(client, codes_url: str) -> str:
    html = client.get(codes_url).content.decode()
    return re.search(r'<a class="button" id="mfa-continue" href="([^"]+)"', html).group(1).replace("&amp;", "&")


@pytest.mark.parametrize(("who", "home"), [("counselor", "/counsel/"), ("school_admin", "/school/")])
def test_after_enrolment_staff_land_on_their_own_page_without_a_second_password(client, cast, who, home):
    user = getattr(cast, who)
    assert log_in(client, user)["Location"] == home
    to_enrol = client.get(home)
    assert to_enrol.status_code == 302
    assert to_enrol["Location"] == f"{ACTIVATE}?next={home.replace('/', '%2F')}"
    # No "confirm your password" step: the login a moment ago counts.
    codes = enrol(client, to_enrol["Location"])
    assert codes["Location"] == f"/accounts/2fa/recovery-codes/?next={home.replace('/', '%2F')}"
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    landing = client.get(continue_link(client, codes["Location"]))
    assert landing.status_code == 302 and landing["Location"] == home
    assert client.get(home).status_code == 200


def test_a_teacher_who_turns_the_app_on_goes_back_to_their_own_page(client, cast):
    log_in(client, cast.teacher)
    codes = enrol(client, ACTIVATE)
    assert codes["Location"] == "/accounts/2fa/recovery-codes/"
    link = continue_link(client, codes["Location"])
    assert link == "/start/"
    assert client.get(link)["Location"] == "/teach/"


def test_a_new_counselor_from_an_invitation_is_not_asked_for_the_password_again(client, cast):
    token, token_hash = Invitation.new_token()
    Invitation.objects.create(
        school=cast.school,
        email="fresh.counselor@example.org",
        role=Role.COUNSELOR,
        token_hash=token_hash,
        invited_by=cast.school_admin,
        approved_by=cast.counselor,
        approved_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )
    response = client.post(
        f"/invite/{token}/",
        {"display_name": "새 상담교사", "password1": "a-long-pass-phrase-2026", "password2": "a-long-pass-phrase-2026"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="fresh.counselor@example.org", role=Role.COUNSELOR).exists()
    to_enrol = client.get("/counsel/")
    codes = enrol(client, to_enrol["Location"])
    assert client.get(continue_link(client, codes["Location"]))["Location"] == "/counsel/"


def _age_login(client, seconds: int) -> None:
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{**r, "at": r["at"] - seconds} for r in records]
    session.save()


def test_within_five_minutes_of_the_login_the_password_is_not_asked(client, cast):
    log_in(client, cast.counselor)
    _age_login(client, 4 * 60 + 50)
    assert client.get(ACTIVATE).status_code == 200


def test_five_minutes_after_the_login_the_password_is_asked_again(client, cast):
    log_in(client, cast.counselor)
    _age_login(client, 5 * 60 + 1)
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    # Typing it again counts for another five minutes.
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get(ACTIVATE).status_code == 200


def test_a_wrong_password_on_the_confirmation_page_is_refused_in_korean(client, cast):
    log_in(client, cast.counselor)
    _age_login(client, 10 * 60)
    response = client.post("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": "wrong-one"})
    assert response.status_code == 200
    assert "비밀번호가 맞지 않아요." in response.content.decode()
    assert client.get(ACTIVATE).status_code == 302


def test_a_login_that_is_not_a_password_does_not_count(client, cast):
    """A session that never typed a password (a pupil's card, an admin's
    impersonation) is asked for it."""
    client.force_login(cast.counselor)
    assert client.get(ACTIVATE)["Location"].startswith("/accounts/reauthenticate/")


@pytest.mark.parametrize("where", ["https://evil.example/counsel/", "//evil.example/", "javascript:alert(1)"])
def test_the_continue_link_never_leaves_the_site(client, cast, where):
    log_in(client, cast.teacher)
    response = client.get("/start/", {"next": where})
    assert response["Location"] == "/teach/"
    codes = enrol(client, f"{ACTIVATE}?next={where}")
    assert codes["Location"] == "/accounts/2fa/recovery-codes/"
