"""Journey 7: the school admin signs in with a second factor and opens the
report channel's pages for the school: the statistics, the poster with its
QR code to print, and the audit trail. On a desktop, in Korean."""

import re

from .conftest import DESKTOP, new_page
from .test_journey_counselor import activate_totp, ko, log_in_with_totp

ADMIN = ("demo-admin", "admin@demo.example")
PAGES = {
    "/school/DEMO01/reports/stats/": "Report statistics",
    "/school/DEMO01/reports/poster/": "Something happened online?",
    "/school/DEMO01/reports/audit/": "Report audit trail",
}


def test_school_admin_journey(browser, server, a11y):
    username, login = ADMIN
    page = new_page(browser, server, DESKTOP)
    first = next(iter(PAGES))
    log_in_with_totp(page, a11y, login, activate_totp(server, username), first)
    page.wait_for_url(re.compile(re.escape(first) + "$"))
    for path, title in PAGES.items():
        response = page.goto(path)
        assert response.status == 200, path
        assert ko(title) in page.locator("h1").inner_text()
        a11y.check(page, path)
    assert page.goto("/school/DEMO01/reports/poster/").status == 200
    assert page.locator(".poster-qr svg").count() == 1
    page.context.close()
