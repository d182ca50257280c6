"""Journey: signing in with a school account (the education office's OpenID
Connect provider), in Chromium, against a real provider process
(django-oauth-toolkit, tests/support/oidc_provider) on loopback.

The demo teacher gives the demo pupil their school account ID through the
class roster file; the pupil then presses the office's button on the login
page, signs in at the provider's own page and lands on their start page,
found by that ID. The demo counselor is found by the verified email address
the provider sends, still gives the authenticator code staff must give, and
lands on the counselor pages (first the one that unlocks their reading key,
since no password was typed). Someone the platform does not know is refused
with a clear message and no account is made. An office matches people by
one or the other (its setting); the journey plays both on the demo office.
axe-core checks the login page with the button, and the refusal."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.support.oidc import IdentityProvider as ProviderProcess

from .conftest import DEMO_PASSWORD, DESKTOP, new_page
from .test_journey_counselor import activate_totp, pass_totp_step, remove_totp

PROVIDER_ID = "district-demo-office"  # the demo office's code, DEMO-OFFICE
PASSWORD = "school-account-pass"  # noqa: S105 (the stand-in provider's test accounts)
PUPIL_ID = "S-DEMO-0007"
PEOPLE = {
    "kim.haneul": {"email": "", "school_account_id": PUPIL_ID, "password": PASSWORD},
    "lee.counselor": {"email": "counselor@demo.example", "password": PASSWORD},
    "stranger": {"email": "stranger@elsewhere.example", "school_account_id": "S-NOBODY", "password": PASSWORD},
}


def _shell(server, script: str) -> str:
    return server.manage("shell", "-c", script).stdout


@pytest.fixture(scope="module")
def idp(server, tmp_path_factory):
    with translation.override("ko"):
        callback = server.url + reverse("openid_connect_callback", kwargs={"provider_id": PROVIDER_ID})
    clients = [{"client_id": "demo-office", "secret": "demo-office-secret", "redirect_uris": [callback]}]
    provider = ProviderProcess(tmp_path_factory.mktemp("school-accounts"), people=PEOPLE, clients=clients)
    yield provider
    provider.stop()


@pytest.fixture
def demo_as_before(server):
    """The other journeys share the demo server: afterwards its login page
    has no school-account button again, and the counselor no authenticator."""
    yield
    _shell(server, "from districts.models import IdentityProvider; IdentityProvider.objects.update(enabled=False)")
    remove_totp(server, "demo-counselor")


def configure_office(server, idp, match_by: str) -> None:
    """What the officer saves on the office's school-account settings page."""
    _shell(
        server,
        "from schools.models import District; from districts.services import save_identity_provider; "
        "save_identity_provider(district=District.objects.get(code='DEMO-OFFICE'), data={"
        f"'issuer': {idp.issuer!r}, 'client_id': 'demo-office', 'client_secret': 'demo-office-secret', "
        f"'match_by': {match_by!r}, 'id_claim': 'school_account_id', 'enabled': True}})",
    )


def counts(server) -> list[int]:
    out = _shell(
        server,
        "from accounts.models import User; from allauth.socialaccount.models import SocialAccount; "
        "print('COUNTS', User.objects.count(), SocialAccount.objects.count())",
    )
    return [int(n) for n in re.search(r"COUNTS (\d+) (\d+)", out).groups()]


def press_school_account_button(page, a11y=None) -> None:
    page.goto("/accounts/login/")
    button = page.get_by_role("button", name=re.compile("학교 계정: 데모 교육지원청"))
    assert button.is_visible()
    if a11y is not None:
        a11y.check(page, "login with the school-account button")
    button.click()


def sign_in_at_provider(page, idp, username: str) -> None:
    page.wait_for_url(re.compile("^" + re.escape(idp.url) + "/login/"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def give_the_pupil_a_school_account_id(browser, server, tmp_path) -> None:
    """The teacher's roster file with the new column, for the pupil already
    in the class (number 7, 김하늘)."""
    class_pk = re.search(
        r"CLASS (\d+)",
        _shell(
            server,
            "from classroom.models import Enrollment; "
            "print('CLASS', Enrollment.objects.get(student__username='demo-student').classroom_id)",
        ),
    ).group(1)
    page = new_page(browser, server, DESKTOP)
    page.goto("/accounts/login/")
    page.fill("#id_login", "teacher@demo.example")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/teach/"))
    roster = tmp_path / "명렬표.csv"
    roster.write_text(f"번호,이름,학교 계정 ID\r\n7,김하늘,{PUPIL_ID}\r\n", encoding="utf-8")
    page.goto(f"/teach/classes/{class_pk}/students/import/")
    page.set_input_files("#id_file", str(roster))
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/students/import/\d+/$"))
    assert "이미 학급에 있음 · 학교 계정 ID를 저장합니다" in page.inner_text("main")
    page.get_by_role("button", name="학교 계정 ID 1개 저장").click()
    page.wait_for_url(re.compile(rf"/teach/classes/{class_pk}/students/$"))
    assert "학교 계정 ID를 저장했습니다" in page.inner_text("main")
    page.context.close()


def test_pupil_and_counselor_sign_in_with_school_accounts_and_a_stranger_is_refused(
    browser, server, idp, a11y, tmp_path, demo_as_before
):
    give_the_pupil_a_school_account_id(browser, server, tmp_path)

    # The pupil, found by the school account ID of the roster.
    configure_office(server, idp, "external_id")
    page = new_page(browser, server, DESKTOP)
    press_school_account_button(page, a11y)
    sign_in_at_provider(page, idp, "kim.haneul")
    page.wait_for_url(re.compile(re.escape(server.url) + r"/my/"))
    assert "김하늘" in page.inner_text("body")
    page.context.close()

    # Someone the platform does not know: refused, nothing made.
    before = counts(server)
    page = new_page(browser, server, DESKTOP)
    press_school_account_button(page)
    sign_in_at_provider(page, idp, "stranger")
    page.wait_for_selector("[role=alert]")
    refusal = page.inner_text("[role=alert]")
    assert "계정을 찾을 수 없습니다" in refusal and "계정은 만들어지지 않았습니다" in refusal
    a11y.check(page, "refused")
    page.context.close()
    assert counts(server) == before

    # The counselor, found by the verified email address; staff still give
    # their authenticator code.
    configure_office(server, idp, "email")
    secret = activate_totp(server, "demo-counselor")
    page = new_page(browser, server, DESKTOP)
    press_school_account_button(page)
    sign_in_at_provider(page, idp, "lee.counselor")
    pass_totp_step(page, a11y, secret)
    # No password was typed, so the reading key is still locked: its page first.
    page.wait_for_url(re.compile(re.escape(server.url) + r"/counsel/keys/unlock/"))
    page.context.close()
