"""Page numbers (issue 16): an absurd or out-of-range page number shows the
last page, never an error."""

import pytest

from incidents import cases
from tests.conftest import mfa_login

from .conftest import make_report

HUGE = "9" * 30


@pytest.fixture
def two_reports(cast):
    reports = [make_report(cast.school)[0] for _ in range(2)]
    for report in reports:
        cases.report_opened(report=report, actor=cast.counselor)
    return reports


@pytest.mark.parametrize("page", [HUGE, "100001", "7", "-3"])
def test_the_audit_trail_shows_its_last_page_for_any_page_number(client, cast, two_reports, page):
    mfa_login(client, cast.school_admin)
    response = client.get("/en/school/HOME01/reports/audit/", {"page": page})
    assert response.status_code == 200
    assert response.content.decode().count("Read the report") == 2


@pytest.mark.parametrize("page", [HUGE, "100001", "7"])
def test_the_inbox_shows_its_last_page_for_any_page_number(client, cast, two_reports, page):
    mfa_login(client, cast.counselor)
    response = client.get("/en/counsel/", {"page": page})
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f'href="/en/counsel/reports/{report.pk}/"' in html for report in two_reports)


def test_a_page_number_that_is_not_a_number_is_a_bad_request(client, cast):
    mfa_login(client, cast.counselor)
    assert client.get("/en/counsel/", {"page": "x"}).status_code == 400
