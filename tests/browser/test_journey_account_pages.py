"""Journey 8: the account pages (allauth's, in the platform's look) with
axe-core, in Korean on a phone and in English on a desktop: the login, the
parent sign-up with a refused form, the password reset and its "check your
email" page; then a parent signs in and opens the email, password, second
factor (the authenticator set-up with its QR code, without being asked for
the password again) and log-out pages. The counselor journey covers the code
step and the recovery codes."""

import re

import pytest

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE, new_page

PARENT = "parent@demo.example"


@pytest.mark.parametrize(("language", "viewport"), [("ko", PHONE), ("en", DESKTOP)], ids=["ko-phone", "en-desktop"])
def test_account_pages(browser, server, a11y, language, viewport):
    prefix = "" if language == "ko" else "/en"
    page = new_page(browser, server, viewport, language)

    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = page.goto(prefix + path)
        assert response.status == 200
        assert page.locator("header.site-header").count() == 1 and page.locator("main#main h1").count() == 1
        a11y.check(page, path)

    # A refused sign-up keeps what was typed and says what is wrong next to each field.
    page.goto(prefix + "/accounts/signup/")
    page.fill("#id_email", "journey.parent@example.org")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "different")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.input_value("#id_email") == "journey.parent@example.org"
    assert page.locator("[aria-invalid=true]").count() >= 1
    a11y.check(page, "sign-up refused")

    page.goto(prefix + "/accounts/password/reset/")
    page.fill("#id_email", PARENT)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/done/"))
    a11y.check(page, "reset sent")

    page.goto(prefix + "/accounts/login/")
    page.fill("#id_login", PARENT)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/family/"))
    for path in ("/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/logout/"):
        response = page.goto(prefix + path)
        assert response.status == 200, path
        a11y.check(page, path)
    # Setting up an authenticator right after signing in asks for no password.
    page.goto(prefix + "/accounts/2fa/totp/activate/")
    assert "/2fa/totp/activate/" in page.url
    assert page.locator("img.totp-qr").get_attribute("alt")
    a11y.check(page, "authenticator set-up")
    page.context.close()
