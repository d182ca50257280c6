"""allauth's pages (sign-up, login, password reset, email, the second factor
and its recovery codes) are the platform's pages: our header, skip link, main
landmark and footer, our form markup, and Korean or English throughout (no
stock English left on a Korean page, no Korean on an English one)."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.utils import translation

from tests.conftest import give_totp, totp_code
from tests.factories import PASSWORD, UserFactory

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Two English words in a row on a Korean page are a string nobody translated.
# Names are allowed: the apps named as examples, and the platform's own name in English.
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]{2,})+")
ALLOWED_ENGLISH = {"Google Authenticator", "Microsoft Authenticator"}


def main_text(html: str) -> str:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", main)


def assert_our_page(response, language: str):
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for landmark in ('class="skip-link"', '<header class="site-header">', '<main id="main"', "site-footer"):
        assert landmark in html, landmark
    assert "account-page" in html  # the account layout, not allauth's bare one
    assert "Menu:" not in html and "Messages:" not in html  # allauth's stock layout
    text = main_text(html)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    if language == "ko":
        assert HANGUL.search(heading), heading
        leftovers = [run for run in ENGLISH_RUN.findall(text) if run not in ALLOWED_ENGLISH]
        assert leftovers == [], leftovers
    else:
        assert not HANGUL.search(text), text
    return html


def prefix(language: str) -> str:
    return "" if language == "ko" else "/en"


def login(client, user, language="ko"):
    response = client.post(f"{prefix(language)}/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def login_with_code(client, user, secret, language="ko"):
    """The whole login of a person with an authenticator app: password, then code."""
    response = login(client, user, language)
    assert "/2fa/authenticate/" in response["Location"]
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


@pytest.fixture
def parent(db):
    # A one-word Latin name: neither Korean on an English page nor an English phrase on a Korean one.
    return UserFactory(username="page-parent", display_name="Jiwoo", is_parent=True)


LANGUAGES = pytest.mark.parametrize("language", ["ko", "en"])

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/1-bad-key/",
    "/accounts/inactive/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/bad-key/",
]


@LANGUAGES
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_pages_before_login_are_ours(client, db, path, language):
    response = client.get(prefix(language) + path, follow=True)
    assert_our_page(response, language)


@LANGUAGES
def test_the_signup_page_keeps_what_was_typed_and_explains_errors(client, db, language):
    response = client.post(
        f"{prefix(language)}/accounts/signup/",
        {"email": "new.parent@example.org", "display_name": "", "password1": "short", "password2": "other"},
    )
    html = assert_our_page(response, language)
    assert 'value="new.parent@example.org"' in html
    assert 'aria-invalid="true"' in html and "_error" in html
    from accounts.models import User

    assert not User.objects.filter(email="new.parent@example.org").exists()


@LANGUAGES
def test_the_password_reset_link_page_is_ours(client, parent, language):
    key = default_token_generator.make_token(parent)
    path = f"{prefix(language)}/accounts/password/reset/key/{user_pk_to_url_str(parent)}-{key}/"
    response = client.get(path, follow=True)
    html = assert_our_page(response, language)
    assert 'name="password1"' in html


@LANGUAGES
def test_the_email_confirmation_page_is_ours(client, db, language):
    user = UserFactory(username="unconfirmed", email="")
    address = EmailAddress.objects.create(user=user, email="unconfirmed@example.org", verified=False, primary=True)
    key = EmailConfirmationHMAC(address).key
    html = assert_our_page(client.get(f"{prefix(language)}/accounts/confirm-email/{key}/"), language)
    assert "unconfirmed@example.org" in html


SIGNED_IN_PAGES = [
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/reauthenticate/",
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
]


@LANGUAGES
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_pages_of_a_signed_in_person_are_ours(client, parent, path, language):
    login(client, parent, language)
    assert_our_page(client.get(prefix(language) + path), language)


@LANGUAGES
def test_the_set_password_page_is_ours(client, db, language):
    user = UserFactory(username="no-password")
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    assert_our_page(client.get(f"{prefix(language)}/accounts/password/set/"), language)


@LANGUAGES
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/reauthenticate/",
    ],
)
def test_second_factor_pages_are_ours(client, parent, path, language):
    secret = give_totp(parent)
    RecoveryCodes.activate(parent)
    login_with_code(client, parent, secret, language)
    html = assert_our_page(client.get(prefix(language) + path), language)
    if path == "/accounts/2fa/":
        # The count of recovery codes, in plain words (allauth's Korean spoke of "accounts").
        expected = "복구 코드 10개 중 10개를 아직 쓸 수 있어요" if language == "ko" else "There are 10 out of 10"
        assert expected in html
        assert "계정 중" not in html


@LANGUAGES
def test_the_code_step_of_the_login_is_ours(client, parent, language):
    give_totp(parent)
    response = login(client, parent, language)
    assert "/accounts/2fa/authenticate/" in response["Location"]
    html = assert_our_page(client.get(response["Location"]), language)
    assert 'autocomplete="one-time-code"' in html


def test_the_recovery_codes_page_counts_in_korean(client, parent):
    secret = give_totp(parent)
    RecoveryCodes.activate(parent)
    login_with_code(client, parent, secret)
    html = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert "코드 10개 중 10개가 아직 쓰이지 않았어요" in html
    codes = re.search(r'<textarea id="recovery_codes"[^>]*>(.*?)</textarea>', html, re.S).group(1).split()
    assert len(codes) == 10
    assert Authenticator.objects.filter(user=parent, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_our_translations_win_over_allauths(db):
    """The project's locale comes first (LOCALE_PATHS): allauth's own Korean
    for these messages is wrong or stiff."""
    with translation.override("ko"):
        assert translation.gettext("Incorrect code.") == "코드가 맞지 않아요."
        assert (
            translation.ngettext(
                "There is %(unused_count)s out of %(total_count)s recovery codes available.",
                "There are %(unused_count)s out of %(total_count)s recovery codes available.",
                3,
            )
            % {"unused_count": 3, "total_count": 10}
            == "복구 코드 10개 중 3개를 아직 쓸 수 있어요."
        )


def test_the_login_message_names_the_person_not_the_username(client, db):
    user = UserFactory(username="kim-parent-7", display_name="김보호", is_parent=True)
    response = login(client, user)
    html = client.get(response["Location"]).content.decode()
    assert "김보호 님, 로그인했어요." in html and "kim-parent-7" not in html
