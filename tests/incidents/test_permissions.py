"""Every role on every incidents URL. Teachers, parents, students, editors
and school admins never see a report (403); counselors of another school get
404 for every case URL whatever id they try; staff-involved reports are the
district's, not the school's."""

import pytest

from incidents.models import AuditEvent, CaseMessage, IncidentReport, Status
from tests.conftest import mfa_login

from .conftest import make_report

ROLES = [
    "anonymous",
    "student",
    "teacher",
    "parent",
    "editor",
    "school_admin",
    "counselor",
    "other_counselor",
    "officer",
    "other_officer",
]
CASE_GET = ["/counsel/reports/{pk}/", "/counsel/reports/{pk}/print/"]
CASE_POST = {
    "/counsel/reports/{pk}/status/": {"status": "acknowledged"},
    "/counsel/reports/{pk}/assign/": {"assignee": ""},
    "/counsel/reports/{pk}/message/": {"body": "hello"},
    "/counsel/reports/{pk}/note/": {"note": "a note"},
    "/counsel/reports/{pk}/referral/": {"agency": "police", "referred_on": "2026-01-05", "referral_note": ""},
}


@pytest.fixture
def people(cast, officer, other_officer):
    return {**vars(cast), "officer": officer, "other_officer": other_officer, "anonymous": None}


def as_role(client, people, role):
    if role != "anonymous":
        mfa_login(client, people[role])
    return client


def expected_for_school_case(role):
    return {"anonymous": 302, "counselor": 200, "other_counselor": 404, "officer": 404, "other_officer": 404}.get(
        role, 403
    )


def expected_for_district_case(role):
    return {"anonymous": 302, "officer": 200, "counselor": 404, "other_counselor": 404, "other_officer": 404}.get(
        role, 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_inbox(client, people, role):
    expected = {"anonymous": 302, "counselor": 200, "other_counselor": 200, "officer": 200, "other_officer": 200}
    assert as_role(client, people, role).get("/counsel/").status_code == expected.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("district_case", [False, True], ids=["school-case", "district-case"])
def test_case_pages(client, cast, people, role, district_case):
    report, _ = make_report(cast.school, staff_involved="yes" if district_case else "no")
    expected = expected_for_district_case(role) if district_case else expected_for_school_case(role)
    as_role(client, people, role)
    for url in CASE_GET:
        assert client.get(url.format(pk=report.pk)).status_code == expected, url
    before = (IncidentReport.objects.get().status, CaseMessage.objects.count())
    for url, data in CASE_POST.items():
        response = client.post(url.format(pk=report.pk), data)
        assert response.status_code == (302 if expected == 200 else expected), url
    if expected != 200:
        assert (IncidentReport.objects.get().status, CaseMessage.objects.count()) == before
        assert not AuditEvent.objects.exclude(actor=None).exists()


@pytest.mark.parametrize("role", ["other_counselor", "counselor"])
def test_no_id_reaches_another_school_s_report(client, cast, people, role):
    """Whatever id is tried: existing reports of another school, district
    cases, missing ids, all answer 404 the same way."""
    away = [make_report(cast.other_school)[0] for _ in range(3)] if role == "counselor" else []
    home = [make_report(cast.school)[0] for _ in range(3)] if role == "other_counselor" else []
    district = [make_report(cast.school, staff_involved="yes")[0]]
    as_role(client, people, role)
    ids = [r.pk for r in away + home + district] + [0, 999999]
    for pk in ids:
        for url in CASE_GET:
            assert client.get(url.format(pk=pk)).status_code == 404
        for url, data in CASE_POST.items():
            assert client.post(url.format(pk=pk), data).status_code == 404
    assert IncidentReport.objects.exclude(status=Status.NEW).count() == 0


def test_inbox_lists_only_what_the_person_may_read(client, cast, people):
    home, _ = make_report(cast.school)
    away, _ = make_report(cast.other_school)
    district, _ = make_report(cast.school, staff_involved="yes")
    response = as_role(client, people, "counselor").get("/counsel/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/counsel/reports/{home.pk}/" in html
    assert f"/counsel/reports/{away.pk}/" not in html
    assert f"/counsel/reports/{district.pk}/" not in html
    client.logout()
    response = as_role(client, people, "officer").get("/counsel/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/counsel/reports/{district.pk}/" in html
    assert f"/counsel/reports/{home.pk}/" not in html


SCHOOL_OVERVIEW = ["/school/{code}/reports/stats/", "/school/{code}/reports/poster/", "/school/{code}/reports/audit/"]
DISTRICT_OVERVIEW = ["/district/{code}/reports/stats/", "/district/{code}/reports/audit/"]


@pytest.mark.parametrize("role", ROLES)
def test_school_overview_pages(client, cast, people, role):
    as_role(client, people, role)
    for url in SCHOOL_OVERVIEW:
        home = client.get(url.format(code=cast.school.code)).status_code
        away = client.get(url.format(code=cast.other_school.code)).status_code
        if role == "anonymous":
            assert (home, away) == (302, 302), url
        elif role == "school_admin":
            assert (home, away) == (200, 403), url
        else:
            assert (home, away) == (403, 403), url
    if role == "school_admin":
        assert client.get("/school/NOPE00/reports/stats/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_district_overview_pages(client, cast, people, role):
    as_role(client, people, role)
    for url in DISTRICT_OVERVIEW:
        home = client.get(url.format(code=cast.school.district.code)).status_code
        away = client.get(url.format(code=cast.other_school.district.code)).status_code
        expected = {
            "anonymous": (302, 302),
            "officer": (200, 403),
            "other_officer": (403, 200),
        }.get(role, (403, 403))
        assert (home, away) == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_the_report_channel_is_open_to_everyone(client, cast, people, role):
    as_role(client, people, role)
    for url in ("/report/", "/report/HOME01/", "/report/HOME01/new/", "/report/follow-up/", "/report/next-steps/"):
        assert client.get(url).status_code == 200, url
