"""Statistics for school admins and district safety officers: counts by
month, category and status; anything below 5 (zero too) is "fewer than 5";
no content, no totals."""

from incidents import selectors
from tests.conftest import mfa_login

from .conftest import make_report


def test_counts_below_five_are_hidden(client, cast):
    for _ in range(6):
        make_report(cast.school, category="fake_of_me", details="private words")
    for _ in range(2):
        make_report(cast.school, category="threat")
    mfa_login(client, cast.school_admin)
    html = client.get("/en/school/HOME01/reports/stats/").content.decode()
    assert "<td>6</td>" in html
    assert "<td>8</td>" in html  # this month, all categories
    assert "<td>2</td>" not in html
    assert "<td>0</td>" not in html
    assert "fewer than 5" in html
    assert "private words" not in html
    assert "Total</th>" not in html


def test_every_row_is_listed_whether_or_not_anything_happened(cast):
    stats = selectors.report_statistics(selectors.school_statistics_reports(cast.school))
    assert len(stats["months"]) == 12
    assert len(stats["categories"]) == 6
    assert len(stats["statuses"]) == 6
    assert all(cell.suppressed for cell in stats["categories"])


def test_school_statistics_leave_out_staff_involved_reports(cast):
    for _ in range(5):
        make_report(cast.school, staff_involved="yes")
    school = selectors.report_statistics(selectors.school_statistics_reports(cast.school))
    district = selectors.report_statistics(selectors.district_statistics_reports(cast.school.district))
    assert max(cell.count for cell in school["statuses"]) == 0
    assert max(cell.count for cell in district["statuses"]) == 5


def test_bot_reports_are_not_counted(cast):
    for _ in range(7):
        make_report(cast.school, spam_reason="honeypot")
    stats = selectors.report_statistics(selectors.school_statistics_reports(cast.school))
    assert max(cell.count for cell in stats["months"]) == 0


def test_district_officer_sees_district_statistics(client, cast, officer):
    for _ in range(5):
        make_report(cast.school)
    mfa_login(client, officer)
    html = client.get(f"/en/district/{cast.school.district.code}/reports/stats/").content.decode()
    assert "<td>5</td>" in html
