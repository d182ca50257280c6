"""Spam: a honeypot, a minimum fill time and a per-school limit. Suspected
reports are flagged, never dropped, and a flood never hides a real report."""

import time

from django.core import mail

from incidents.forms import form_started_token
from incidents.models import IncidentReport, SpamReason, Urgency
from tests.conftest import mfa_login

from .conftest import submit


def test_a_filled_honeypot_is_kept_but_flagged_and_sends_no_email(client, cast, django_capture_on_commit_callbacks):
    response = submit(client, cast.school, django_capture_on_commit_callbacks, website_url="http://spam.example")
    assert response.status_code == 303  # a program learns nothing
    report = IncidentReport.objects.get()
    assert report.spam_reason == SpamReason.HONEYPOT
    assert report.bot_suspect
    assert report.response_due_at is None
    assert mail.outbox == []


def test_a_form_sent_too_fast_is_flagged(client, cast):
    submit(client, cast.school, started=form_started_token(time.time() - 1))
    assert IncidentReport.objects.get().spam_reason == SpamReason.TOO_FAST


def test_a_missing_or_forged_timestamp_is_flagged(client, cast):
    submit(client, cast.school, started="")
    submit(client, cast.school, started="1700000000")
    assert list(IncidentReport.objects.values_list("spam_reason", flat=True)) == [SpamReason.NO_TIMESTAMP] * 2


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client, cast):
    html = client.get("/report/HOME01/new/").content.decode()
    assert '<div class="hp-field" aria-hidden="true">' in html
    assert 'tabindex="-1"' in html


def test_a_flood_for_one_school_is_flagged_with_one_email(client, cast, settings, django_capture_on_commit_callbacks):
    settings.INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES = 3
    for _ in range(6):
        submit(client, cast.school, django_capture_on_commit_callbacks)
    reasons = list(IncidentReport.objects.order_by("id").values_list("spam_reason", flat=True))
    assert reasons == ["", "", "", SpamReason.FLOOD, SpamReason.FLOOD, SpamReason.FLOOD]
    # Three new-report emails and one "many reports" email, not six.
    assert len(mail.outbox) == 4
    # Another school is not affected.
    submit(client, cast.other_school, django_capture_on_commit_callbacks)
    assert IncidentReport.objects.filter(school=cast.other_school).get().spam_reason == ""


def test_a_flood_of_bot_reports_never_hides_a_real_urgent_one(client, cast, django_capture_on_commit_callbacks):
    submit(client, cast.school, django_capture_on_commit_callbacks, category="threat")
    real = IncidentReport.objects.get()
    for _ in range(40):
        submit(client, cast.school, website_url="x", urgency="0", category="threat")
    for _ in range(40):
        submit(client, cast.school, started=form_started_token(time.time()), urgency="0")
    assert IncidentReport.objects.count() == 81
    mfa_login(client, cast.counselor)
    first_page = client.get("/counsel/").content.decode()
    assert f'href="/counsel/reports/{real.pk}/"' in first_page
    assert first_page.index(f"/counsel/reports/{real.pk}/") < first_page.index('class="suspect"')
    # The flagged ones are all still there, at the end.
    only_spam = client.get("/counsel/", {"spam": "only"}).content.decode()
    assert only_spam.count('class="suspect"') == 25
    assert real.urgency == Urgency.URGENT
