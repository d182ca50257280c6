"""The counselor's inbox: filters, urgent first then newest, 25 per page, and
a fixed number of SQL queries (at most 10) whatever the number of reports."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents import receipts
from incidents.models import Category, IncidentReport, Status, Urgency
from tests.conftest import mfa_login

from .conftest import make_report

HASH = receipts.hash_receipt("1111222233334444")


def bulk_reports(school, count, *, start=None, **overrides):
    start = start or timezone.now()
    categories = Category.values
    rows = [
        IncidentReport(
            school=school,
            district_id=school.district_id,
            category=categories[n % len(categories)],
            when="today",
            affected="me",
            staff_involved="no",
            urgency=n % 3,
            status=[Status.NEW, Status.ACKNOWLEDGED, Status.INVESTIGATING][n % 3],
            details=f"report {n}",
            receipt_lookup=f"{n:08x}",
            receipt_hash=HASH,
            created_at=start - timedelta(minutes=n),
            **overrides,
        )
        for n in range(count)
    ]
    IncidentReport.objects.bulk_create(rows, batch_size=500)


@pytest.mark.parametrize("params", [{}, {"status": "all", "urgency": "0"}, {"category": "threat", "page": "3"}])
def test_query_count_does_not_grow_with_the_reports(client, cast, params, django_assert_max_num_queries):
    mfa_login(client, cast.counselor)
    bulk_reports(cast.school, 10)
    client.get("/counsel/", params)  # the counselor's roles are read once and kept
    with django_assert_max_num_queries(10) as small:
        assert client.get("/counsel/", params).status_code == 200
    bulk_reports(cast.school, 4990, start=timezone.now() - timedelta(days=30))
    assert IncidentReport.objects.count() == 5000
    with django_assert_max_num_queries(10) as large:
        response = client.get("/counsel/", params)
    assert response.status_code == 200
    print(f"inbox queries {params}: {len(small.captured_queries)} with 10 reports, {len(large)} with 5000")
    # Page 3 of the 10 reports is past the end: the last page is shown, for a
    # count and one more page query (selectors.page_rows).
    past_the_end = 2 if params.get("page") == "3" else 0
    assert len(small.captured_queries) == len(large.captured_queries) + past_the_end


def test_a_full_page_of_5000_reports(client, cast):
    mfa_login(client, cast.counselor)
    bulk_reports(cast.school, 5000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/counsel/")
    assert len(queries) <= 10
    assert response.content.decode().count("/counsel/reports/") == 25


def test_urgent_first_then_newest(client, cast):
    now = timezone.now()
    old_urgent, _ = make_report(cast.school, urgency=Urgency.URGENT, now=now - timedelta(days=3))
    new_soon, _ = make_report(cast.school, urgency=Urgency.SOON, now=now)
    new_urgent, _ = make_report(cast.school, urgency=Urgency.URGENT, now=now - timedelta(hours=1))
    not_urgent, _ = make_report(cast.school, urgency=Urgency.NOT_URGENT, now=now)
    mfa_login(client, cast.counselor)
    html = client.get("/counsel/").content.decode()
    positions = [html.index(f'href="/counsel/reports/{r.pk}/"') for r in (new_urgent, old_urgent, new_soon, not_urgent)]
    assert positions == sorted(positions)


def test_filters(client, cast):
    threat, _ = make_report(cast.school, category="threat")
    other, _ = make_report(cast.school, category="other", urgency=Urgency.NOT_URGENT)
    closed, _ = make_report(cast.school)
    IncidentReport.objects.filter(pk=closed.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    mfa_login(client, cast.counselor)

    def listed(**params):
        html = client.get("/counsel/", params).content.decode()
        return {r.pk for r in (threat, other, closed) if f'href="/counsel/reports/{r.pk}/"' in html}

    assert listed() == {threat.pk, other.pk}  # open cases by default
    assert listed(status="all") == {threat.pk, other.pk, closed.pk}
    assert listed(status="closed") == {closed.pk}
    assert listed(category="threat") == {threat.pk}
    assert listed(urgency=str(Urgency.NOT_URGENT)) == {other.pk}


def test_pages_of_twenty_five(client, cast):
    bulk_reports(cast.school, 60)
    mfa_login(client, cast.counselor)
    first = client.get("/counsel/").content.decode()
    response = client.get("/counsel/", {"page": "3"})
    assert response.status_code == 200
    third = response.content.decode()
    assert first.count("/counsel/reports/") == 25
    assert third.count("/counsel/reports/") == 10
    assert 'rel="next"' in first and 'rel="next"' not in third
    assert 'rel="prev"' in third


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"urgency": "9"}, {"category": "made-up"}, {"spam": "x"}, {"page": "0"}, {"page": "x"}],
)
def test_forged_filters_are_400(client, cast, params):
    mfa_login(client, cast.counselor)
    assert client.get("/counsel/", params).status_code == 400


def test_the_inbox_never_decrypts_content(client, cast, monkeypatch):
    from incidents import crypto

    bulk_reports(cast.school, 30)
    mfa_login(client, cast.counselor)
    calls = []
    original = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda token: calls.append(1) or original(token))
    client.get("/counsel/")
    assert calls == []


def test_safety_officers_find_their_district_pages(client, cast, officer):
    mfa_login(client, officer)
    html = client.get("/counsel/").content.decode()
    assert f"/district/{cast.school.district.code}/reports/stats/" in html
    assert f"/district/{cast.school.district.code}/reports/audit/" in html
