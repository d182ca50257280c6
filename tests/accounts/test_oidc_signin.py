"""Signing in with a district's school accounts against a real OpenID
Connect provider (django-oauth-toolkit, tests/support/oidc_provider) started
as a process on a free port: allauth fetches its discovery document, sends
the browser to it, exchanges the code over HTTP and reads the ID token and
userinfo, as it would with Google Workspace or Microsoft Entra."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.models import ExternalId
from districts.models import IdentityProvider
from districts.services import save_identity_provider
from tests.conftest import give_totp, totp_code
from tests.support.oidc import IdentityProvider as ProviderProcess
from tests.support.oidc import path_and_query

PASSWORD = "provider-password"  # noqa: S105 (the stand-in provider's test accounts)
PEOPLE = {
    "teacher": {"email": "Teacher@example.org", "password": PASSWORD},
    "stranger": {"email": "nobody-here@example.org", "password": PASSWORD},
    "unverified": {"email": "teacher@example.org", "email_verified": False, "password": PASSWORD},
    "counselor": {"email": "counselor@example.org", "password": PASSWORD},
    "other-counselor": {"email": "other-counselor@example.org", "password": PASSWORD},
    "pupil": {"email": "", "school_account_id": "S-20261001", "password": PASSWORD},
    "pupil-unknown": {"email": "", "school_account_id": "S-99999999", "password": PASSWORD},
}


def _callback(provider_id: str) -> str:
    with translation.override("ko"):
        return "http://testserver" + reverse("openid_connect_callback", kwargs={"provider_id": provider_id})


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    clients = [
        {"client_id": "office-home", "secret": "home-secret", "redirect_uris": [_callback("district-home")]},
        {"client_id": "office-away", "secret": "away-secret", "redirect_uris": [_callback("district-away")]},
    ]
    provider = ProviderProcess(tmp_path_factory.mktemp("oidc-provider"), people=PEOPLE, clients=clients)
    yield provider
    provider.stop()


@pytest.fixture
def offices(cast, idp):
    home, away = cast.school.district, cast.other_school.district
    home.code, away.code = "HOME", "AWAY"
    home.save(update_fields=["code"])
    away.save(update_fields=["code"])
    save_identity_provider(
        district=home,
        data={
            "issuer": idp.issuer,
            "client_id": "office-home",
            "client_secret": "home-secret",
            "match_by": IdentityProvider.Match.EMAIL,
            "id_claim": "sub",
            "enabled": True,
        },
    )
    save_identity_provider(
        district=away,
        data={
            "issuer": idp.issuer,
            "client_id": "office-away",
            "client_secret": "away-secret",
            "match_by": IdentityProvider.Match.EXTERNAL_ID,
            "id_claim": "school_account_id",
            "enabled": True,
        },
    )
    for person in (cast.teacher, cast.counselor, cast.other_counselor):
        EmailAddress.objects.update_or_create(
            user=person, email=person.email, defaults={"verified": True, "primary": True}
        )
    ExternalId.objects.create(district=away, user=cast.other_student, value="S-20261001")
    return cast


def sign_in(client, idp, provider_id: str, username: str):
    """The browser's part: the login button, the provider's sign-in, and the
    way back. Returns the platform's answer to the callback."""
    with translation.override("ko"):
        answer = client.post(reverse("openid_connect_login", kwargs={"provider_id": provider_id}))
    assert answer.status_code == 302, answer.content[:300]
    authorize = answer["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]  # PKCE
    back = idp.sign_in_and_authorize(authorize, username, PASSWORD)
    assert back.startswith("http://testserver/"), back
    return client.get(path_and_query(back))


def _counts():
    return (get_user_model().objects.count(), SocialAccount.objects.count(), EmailAddress.objects.count())


def test_a_known_teacher_signs_in_by_verified_email(client, offices, idp):
    answer = sign_in(client, idp, "district-home", "teacher")
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(offices.teacher.pk)
    linked = SocialAccount.objects.get(user=offices.teacher)
    assert linked.provider == "district-home"
    # The next time, the linked account is used (no second link).
    client.logout()
    sign_in(client, idp, "district-home", "teacher")
    assert client.session["_auth_user_id"] == str(offices.teacher.pk)
    assert SocialAccount.objects.filter(user=offices.teacher).count() == 1


def test_an_unknown_person_is_refused_and_nothing_is_created(client, offices, idp):
    before = _counts()
    answer = sign_in(client, idp, "district-home", "stranger")
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "계정을 찾을 수 없습니다" in page and "계정은 만들어지지 않았습니다" in page
    assert "_auth_user_id" not in client.session
    assert _counts() == before


def test_the_refusal_reads_in_english_for_english_pages(client, offices, idp):
    client.cookies["django_language"] = "en"  # chosen on the English pages
    answer = sign_in(client, idp, "district-home", "stranger")
    assert answer.status_code == 403
    assert "No account was created" in answer.content.decode()


def test_an_address_the_provider_did_not_verify_matches_nobody(client, offices, idp):
    before = _counts()
    answer = sign_in(client, idp, "district-home", "unverified")
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session
    assert _counts() == before


def test_staff_with_a_second_factor_still_give_their_code(client, offices, idp):
    secret = give_totp(offices.counselor)
    answer = sign_in(client, idp, "district-home", "counselor")
    assert answer.status_code == 302
    assert reverse("mfa_authenticate") in answer["Location"]
    assert "_auth_user_id" not in client.session  # not in before the code
    assert client.get(reverse("counsel_home")).status_code == 302
    answer = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(offices.counselor.pk)
    assert client.get(reverse("counsel_home")).status_code == 200


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, offices, idp):
    answer = sign_in(client, idp, "district-home", "counselor")
    assert client.session["_auth_user_id"] == str(offices.counselor.pk)
    answer = client.get(reverse("counsel_home"))
    assert answer.status_code == 302 and reverse("mfa_activate_totp") in answer["Location"]


def test_one_offices_provider_does_not_open_another_offices_schools(client, offices, idp):
    # other-counselor works at a school of the AWAY office; HOME's provider vouches for them.
    before = _counts()
    answer = sign_in(client, idp, "district-home", "other-counselor")
    assert answer.status_code == 403
    assert "다른 교육청" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert _counts() == before


def test_a_pupil_signs_in_by_the_roster_id(client, offices, idp):
    answer = sign_in(client, idp, "district-away", "pupil")
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(offices.other_student.pk)


def test_a_roster_id_nobody_has_is_refused(client, offices, idp):
    before = _counts()
    answer = sign_in(client, idp, "district-away", "pupil-unknown")
    assert answer.status_code == 403
    assert _counts() == before


def test_a_switched_off_provider_lets_nobody_in(client, offices, idp):
    IdentityProvider.objects.filter(district=offices.school.district).update(enabled=False)
    answer = sign_in(client, idp, "district-home", "teacher")
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_client_secret_is_stored_encrypted_and_sign_in_still_works(client, offices, idp):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM socialaccount_socialapp")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2
    assert all(value.startswith("fernet:") and "secret" not in value for value in stored)
    # The provider checks the secret when the code is exchanged: it was decrypted for that.
    answer = sign_in(client, idp, "district-home", "teacher")
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(offices.teacher.pk)
