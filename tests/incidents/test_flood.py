"""Floods (issue 16): the form's time stamp is single-use and lives two
hours, the same report sent twice is stored once, and reports held as a
possible flood sort below real ones and are announced to the counselor."""

import threading
import time
from unittest import mock

from django.core.cache import cache
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from incidents.forms import form_started_token
from incidents.models import IncidentReport, SpamReason
from tests.conftest import mfa_login
from tests.factories import SchoolFactory
from tests.support.services import need, why_no_postgres

from .conftest import make_report, receipt_from, report_form, submit


def test_a_time_stamp_older_than_two_hours_stores_nothing_and_shows_the_form_again(client, cast):
    old = form_started_token(time.time() - 2 * 60 * 60 - 5)
    response = submit(client, cast.school, started=old, details="A long time writing this.")
    assert response.status_code == 200
    assert IncidentReport.objects.count() == 0
    html = response.content.decode()
    assert "A long time writing this." in html  # nothing typed is lost
    assert old not in html  # a new time stamp
    # Sent again at once, it is stored as a person's report.
    fresh = response.context["form"].data["started"]
    submit(client, cast.school, started=fresh, details="A long time writing this.")
    assert IncidentReport.objects.get().spam_reason == ""


def test_a_time_stamp_is_single_use(client, cast):
    token = form_started_token(time.time() - 60)
    submit(client, cast.school, started=token, details="first")
    submit(Client(), cast.school, started=token, details="second, replayed")
    reasons = list(IncidentReport.objects.order_by("id").values_list("spam_reason", "bot_suspect"))
    assert reasons == [("", False), (SpamReason.REPLAYED, True)]


def test_a_used_time_stamp_is_accepted_while_the_cache_is_down(client, cast):
    token = form_started_token(time.time() - 60)
    submit(client, cast.school, started=token, details="first")
    # A cache that cannot be reached answers add() with False and get() with None.
    with mock.patch.object(cache, "add", return_value=False), mock.patch.object(cache, "get", return_value=None):
        submit(Client(), cast.school, started=token, details="second, cache down")
    assert list(IncidentReport.objects.values_list("spam_reason", flat=True)) == ["", ""]


def test_the_same_report_sent_twice_within_a_minute_is_stored_once_with_one_receipt(client, cast):
    data = report_form(cast.school)
    first = client.post(f"/report/{cast.school.code}/new/", data)
    second = client.post(f"/report/{cast.school.code}/new/", data)
    assert first.status_code == second.status_code == 303
    assert second["Location"] == first["Location"]
    report = IncidentReport.objects.get()
    assert report.spam_reason == ""
    # The second answer carries the same receipt page (a double tap keeps the code).
    assert second.cookies["st_report_receipt"].value == first.cookies["st_report_receipt"].value
    from incidents import receipts

    assert receipts.verify(receipt_from(client), report.receipt_hash)


def test_the_service_stores_the_same_report_once(cast):
    first, receipt = make_report(cast.school, details="same words")
    again, no_receipt = make_report(cast.school, details="same words")
    assert again.pk == first.pk and receipt and no_receipt is None
    other, _ = make_report(cast.school, details="other words")
    elsewhere, _ = make_report(cast.other_school, details="same words")
    assert len({first.pk, other.pk, elsewhere.pk}) == 3


def test_the_database_refuses_a_second_row_for_the_same_report(cast):
    """What settles five concurrent posts: the check before the insert may
    miss them all, the unique key lets one row in."""
    report, _ = make_report(cast.school, details="raced")
    assert len(report.duplicate_key) == 32 and "raced" not in report.duplicate_key
    with transaction.atomic(), mock.patch.object(IncidentReport.objects, "filter") as lookup:
        lookup.return_value.first.side_effect = [None, report]  # missed before, found after
        again, receipt = make_report(cast.school, details="raced")
    assert (again, receipt) == (report, None)
    assert IncidentReport.objects.count() == 1
    with transaction.atomic():
        duplicate = IncidentReport(
            school=cast.school, district=cast.school.district, category="other", when="today", affected="me"
        )
        duplicate.staff_involved, duplicate.urgency, duplicate.created_at = "no", 1, report.created_at
        duplicate.duplicate_key = report.duplicate_key
        try:
            with transaction.atomic():
                duplicate.save()
            raise AssertionError("a second row with the same duplicate_key was stored")
        except IntegrityError:
            pass


def test_flood_reports_sort_below_unmarked_ones_of_the_same_urgency(client, cast, settings):
    settings.INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES = 2
    for n in range(5):
        submit(client, cast.school, details=f"report {n}")
    real = list(IncidentReport.objects.filter(spam_reason="").order_by("id").values_list("pk", flat=True))
    held = list(IncidentReport.objects.filter(spam_reason=SpamReason.FLOOD).values_list("pk", flat=True))
    assert len(real) == 2 and len(held) == 3
    mfa_login(client, cast.counselor)
    html = client.get("/counsel/").content.decode()
    positions = {pk: html.index(f'href="/counsel/reports/{pk}/"') for pk in real + held}
    assert max(positions[pk] for pk in real) < min(positions[pk] for pk in held)


def test_the_inbox_says_how_many_reports_are_held_as_a_flood_and_links_to_them(client, cast, settings):
    settings.INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES = 1
    for n in range(4):
        submit(client, cast.school, details=f"report {n}")
    mfa_login(client, cast.counselor)
    html = client.get("/en/counsel/").content.decode()
    assert "3 reports held as a possible flood." in html
    assert '?spam=flood"' in html
    held = client.get("/counsel/", {"spam": "flood"}).content.decode()
    assert held.count("/counsel/reports/") == 3


def test_the_flood_notice_is_in_korean(client, cast, settings):
    settings.INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES = 1
    for n in range(3):
        submit(client, cast.school, details=f"report {n}")
    mfa_login(client, cast.counselor)
    html = client.get("/counsel/").content.decode()
    assert "held as a possible flood" not in html
    assert "2건" in html


def test_five_identical_concurrent_posts_make_one_report(request, django_db_blocker):
    """Five threads, five connections, committed rows (no test transaction
    around them), so the database itself has to settle the race."""
    if connection.vendor != "postgresql":
        need("PostgreSQL", why_no_postgres())

    with django_db_blocker.unblock():
        school = SchoolFactory(code="RACE01", name="Race school")
        try:
            data = report_form(school)
            barrier = threading.Barrier(5)
            answers = []

            def post():
                barrier.wait()
                try:
                    answers.append(Client().post(f"/report/{school.code}/new/", data).status_code)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=post) for _ in range(5)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert answers == [303] * 5
            assert IncidentReport.objects.filter(school=school).count() == 1
        finally:
            IncidentReport.objects.filter(school=school).delete()
            district = school.district
            school.delete()
            district.delete()
