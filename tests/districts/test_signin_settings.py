"""The officer's page for the district's school-account sign-in: saved into
allauth's SocialApp, refused with a message when the input is wrong."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse
from django.utils import translation

from districts.client_secrets import unseal
from districts.models import IdentityProvider
from tests.conftest import mfa_login
from tests.factories import UserFactory

GOOD = {
    "issuer": "https://accounts.google.com",
    "client_id": "platform.apps.googleusercontent.com",
    "client_secret": "s3cret",
    "match_by": "email",
    "id_claim": "sub",
    "enabled": "on",
}


@pytest.fixture
def officer(cast):
    user = UserFactory(username="office-officer")
    cast.school.district.safety_officers.add(user)
    return user


def _url(cast):
    with translation.override("ko"):
        return reverse("office_signin_settings", kwargs={"code": cast.school.district.code})


def test_the_officer_saves_the_provider_and_the_login_page_offers_it(client, cast, officer):
    mfa_login(client, officer)
    page = client.get(_url(cast))
    assert page.status_code == 200
    assert f"/accounts/oidc/district-{cast.school.district.code.lower()}/login/callback/" in page.content.decode()
    assert client.post(_url(cast), GOOD).status_code == 302
    app = SocialApp.objects.get(provider="openid_connect")
    assert app.settings["server_url"] == "https://accounts.google.com"
    assert unseal(app.secret) == "s3cret" and app.provider_id == IdentityProvider.provider_id_for(cast.school.district)
    # Saving again without a secret keeps the one saved.
    assert client.post(_url(cast), {**GOOD, "client_secret": "", "match_by": "external_id"}).status_code == 302
    app.refresh_from_db()
    assert unseal(app.secret) == "s3cret"
    assert IdentityProvider.objects.get().match_by == "external_id"
    client.logout()
    answer = client.get(reverse("account_login"))
    login = answer.content.decode()
    assert cast.school.district.name in login and f"/accounts/oidc/{app.provider_id}/login/" in login
    # The button's redirect to the provider is allowed by the page's policy, and nothing else is.
    assert "form-action 'self' https://accounts.google.com;" in answer["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuer", "http://idp.example.org", "발급자 주소는 https://로 시작해야 합니다."),
        ("issuer", "https://idp.example.org/?x=1", "?나 #를 넣지 마세요"),
        ("client_secret", "", "클라이언트 비밀번호를 입력하세요."),
        ("id_claim", "sub<script>", "영문자, 숫자와"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, cast, officer, field, value, message):
    mfa_login(client, officer)
    answer = client.post(_url(cast), {**GOOD, field: value})
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not SocialApp.objects.exists() and not IdentityProvider.objects.exists()
