"""Statistics for school admins and district safety officers: counts by
month, category and status; anything below 5 (zero too) is "fewer than 5";
no content, no totals."""

from incidents import selectors
from tests.conftest import mfa_login

from .conftest import make_report


def test_counts_below_five_are_hidden(client, cast):
    for n in range(6):
        make_report(cast.school, category="fake_of_me", details="private words", account_handle=f"@{n}")
    for _ in range(2):
        make_report(cast.school, category="threat")
    mfa_login(client, cast.school_admin)
    response = client.get("/en/school/HOME01/reports/stats/")
    assert response.status_code == 200
    html = response.content.decode()
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


def test_a_lone_hidden_count_takes_the_smallest_shown_one_with_it():
    """Otherwise it could be worked out: every table counts the same reports."""
    cells = selectors._table([("a", 30), ("b", 7), ("c", 2), ("d", 12)])
    assert [cell.suppressed for cell in cells] == [False, True, True, False]
    assert [cell.suppressed for cell in selectors._table([("a", 30), ("b", 2), ("c", 0)])] == [False, True, True]
    assert [cell.suppressed for cell in selectors._table([("a", 30), ("b", 7)])] == [False, False]


def test_the_page_never_shows_a_table_with_one_hidden_cell(client, cast):
    # Five categories with 5 reports each and one with 2: the status table
    # shows 27 new reports, so a lone hidden "2" could be worked out.
    for category in ("fake_of_me", "fake_of_someone", "threat", "sharing_room", "asked_to_make"):
        for _ in range(5):
            make_report(cast.school, category=category)
    for _ in range(2):
        make_report(cast.school, category="other")
    stats = selectors.report_statistics(selectors.school_statistics_reports(cast.school))
    assert [cell.suppressed for cell in stats["categories"]] == [True, False, False, False, False, True]
    for table in stats.values():
        assert sum(cell.suppressed for cell in table) != 1
    mfa_login(client, cast.school_admin)
    response = client.get("/en/school/HOME01/reports/stats/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>27</td>" in html
    assert "<td>2</td>" not in html
