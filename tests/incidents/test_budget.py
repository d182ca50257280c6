"""Budget: a report submission (the argon2id receipt hash, the encryption,
the outbox row and queueing its notification) costs one slow hash and a
fixed number of queries, however many reports the school already has. Its
time is measured by `make bench` (report_submit, budget 300 ms)."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import receipts
from incidents.models import IncidentReport

from .conftest import report_form

# As counted, on SQLite and PostgreSQL alike: 13, plus the look-up for the same
# report sent twice, plus the counselor's browser-push subscriptions, plus 4
# for sealing (the readers' public keys, the recovery key, the report's seal,
# its sealed copies in one insert).
QUERIES = 19


def _submit(client, school, capture) -> int:
    """Submit the form once, notification included; returns its query count."""
    with CaptureQueriesContext(connection) as ctx, capture(execute=True):
        response = client.post(f"/report/{school.code}/new/", report_form(school))
    assert response.status_code == 303
    assert response["Location"] == "/report/receipt/"
    return len(ctx.captured_queries)


def test_a_submission_costs_the_same_queries_after_1_and_after_15_reports(
    client, cast, django_capture_on_commit_callbacks, settings
):
    settings.INCIDENT_SCHOOL_REPORTS_PER_10_MINUTES = 1000
    _submit(client, cast.school, django_capture_on_commit_callbacks)  # warm up (caches, decoy hash)
    second = _submit(client, cast.school, django_capture_on_commit_callbacks)
    for _ in range(14):
        _submit(client, cast.school, django_capture_on_commit_callbacks)
    seventeenth = _submit(client, cast.school, django_capture_on_commit_callbacks)
    assert IncidentReport.objects.count() == 17
    assert second == seventeenth
    assert seventeenth <= QUERIES, seventeenth


def test_a_submission_hashes_its_receipt_once(client, cast, django_capture_on_commit_callbacks):
    # One Argon2id gives both the receipt's check and the reporter's key (sealing).
    with mock.patch.object(receipts.sealing, "derive_key", wraps=receipts.sealing.derive_key) as slow_hash:
        _submit(client, cast.school, django_capture_on_commit_callbacks)
    assert slow_hash.call_count == 1
    assert IncidentReport.objects.get().receipt_hash.startswith("nacl1$")
