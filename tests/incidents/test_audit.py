"""The audit trail: every reading, printing and change of a report, who and
when, readable by the school admin; never content; district cases are not
shown to the school."""

from incidents import cases
from incidents.models import AuditEvent
from tests.conftest import mfa_login

from .conftest import make_report


def actions(report):
    return list(AuditEvent.objects.filter(report_id=report.pk).order_by("at", "id").values_list("action", flat=True))


def test_every_view_and_change_is_recorded(client, cast):
    report, _ = make_report(cast.school)
    mfa_login(client, cast.counselor)
    client.get(f"/counsel/reports/{report.pk}/")
    client.get(f"/counsel/reports/{report.pk}/print/")
    client.post(f"/counsel/reports/{report.pk}/status/", {"status": "investigating"})
    client.post(f"/counsel/reports/{report.pk}/assign/", {"assignee": str(cast.counselor.pk)})
    client.post(f"/counsel/reports/{report.pk}/message/", {"body": "hi"})
    client.post(f"/counsel/reports/{report.pk}/note/", {"note": "n"})
    client.post(
        f"/counsel/reports/{report.pk}/referral/", {"agency": "kcsc", "referred_on": "2026-01-02", "referral_note": ""}
    )
    assert actions(report) == ["view", "print", "status", "assign", "message", "note", "referral"]
    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {cast.counselor.pk}
    assert AuditEvent.objects.get(action="status").detail == "new>investigating"


def test_the_inbox_itself_shows_no_content_and_is_not_a_content_view(client, cast):
    make_report(cast.school)
    mfa_login(client, cast.counselor)
    client.get("/counsel/")
    assert AuditEvent.objects.count() == 0


def test_the_school_admin_reads_the_trail_without_content(client, cast, officer):
    report, _ = make_report(cast.school, details="private words")
    district_report, _ = make_report(cast.school, staff_involved="yes")
    mfa_login(client, cast.counselor)
    client.get(f"/counsel/reports/{report.pk}/")
    client.logout()
    mfa_login(client, officer)
    client.get(f"/counsel/reports/{district_report.pk}/")
    client.logout()
    mfa_login(client, cast.school_admin)
    response = client.get("/en/school/HOME01/reports/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{report.pk}" in html
    assert str(cast.counselor) in html
    assert "Read the report" in html
    assert "private words" not in html
    assert f"#{district_report.pk}" not in html  # the district's trail stays with the district
    client.logout()
    mfa_login(client, officer)
    district_html = client.get(f"/en/district/{cast.school.district.code}/reports/audit/").content.decode()
    assert f"#{district_report.pk}" in district_html


def test_audit_rows_hold_no_content(cast):
    report, _ = make_report(cast.school, details="private words")

    cases.report_send_message(report=report, body="private reply", actor=cast.counselor)
    for event in AuditEvent.objects.all():
        assert "private" not in repr(event.__dict__)
