"""Confirming a file of schools costs the same number of queries for 10
schools as for 1,000 (bulk inserts and updates, invitations in one insert)."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Invitation
from districts.models import SchoolImport
from districts.services import school_import_confirm
from schools.models import School
from tests.factories import UserFactory


def _rows(n: int, prefix: str) -> list[dict]:
    return [
        {
            "line": i + 2,
            "name": f"학교 {prefix}{i}",
            "code": f"{prefix}{i:05d}",
            "level": ["elementary", "middle", "high"][i % 3],
            "counselors": [f"c{prefix.lower()}{i}@example.org"],
            "admins": [f"a{prefix.lower()}{i}@example.org", f"v{prefix.lower()}{i}@example.org"],
            "errors": [],
            "change": "new",
        }
        for i in range(n)
    ]


def _confirm(cast, officer, rows, django_capture_on_commit_callbacks) -> int:
    school_import = SchoolImport.objects.create(district=cast.school.district, created_by=officer, rows=rows)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        school_import_confirm(school_import=school_import, invited_by=officer, site_url="http://testserver")
    return len(queries.captured_queries)


def test_confirming_10_or_1000_schools_costs_the_same_queries(postgres, cast, django_capture_on_commit_callbacks):
    officer = UserFactory(username="bulk-officer")
    cast.school.district.safety_officers.add(officer)
    few = _confirm(cast, officer, _rows(10, "TEN"), django_capture_on_commit_callbacks)
    assert School.objects.filter(code__startswith="TEN").count() == 10
    assert Invitation.objects.filter(school__code__startswith="TEN").count() == 30
    mail.outbox.clear()
    many = _confirm(cast, officer, _rows(1000, "THO"), django_capture_on_commit_callbacks)
    assert School.objects.filter(code__startswith="THO").count() == 1000
    assert Invitation.objects.filter(school__code__startswith="THO").count() == 3000
    assert len(mail.outbox) == 3000
    assert many == few, (few, many)


def test_a_changed_file_updates_in_the_same_queries(cast, django_capture_on_commit_callbacks):
    officer = UserFactory(username="bulk-officer")
    cast.school.district.safety_officers.add(officer)
    _confirm(cast, officer, _rows(10, "UPD"), django_capture_on_commit_callbacks)
    renamed = [{**row, "name": row["name"] + " (새 이름)"} for row in _rows(10, "UPD")]
    queries = _confirm(cast, officer, renamed, django_capture_on_commit_callbacks)
    assert School.objects.filter(name__endswith="(새 이름)").count() == 10
    # Already invited: nobody twice.
    assert Invitation.objects.filter(school__code__startswith="UPD").count() == 30
    assert queries <= 12, queries
