"""seed_scale builds a synthetic district with bulk inserts: people in
every role, classes of 35, a year of work, reports, and the paper consent
of nine in ten families, so that most students' results are stored as in a
real school."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import GuardianConsent
from classroom.models import Classroom, Enrollment
from curriculum.permissions import records_progress
from incidents.models import IncidentReport
from schools.models import Membership

pytestmark = pytest.mark.django_db


def test_the_small_district_has_classes_of_35_work_reports_and_consents():
    call_command("seed_scale", "--small", verbosity=0)
    assert Enrollment.objects.count() == 420
    sizes = set(Classroom.objects.annotate(n=Count("enrollments")).values_list("n", flat=True))
    assert max(sizes) == 35
    assert IncidentReport.objects.count() == 100
    assert GuardianConsent.objects.filter(decision="given", ended_at=None).count() == 420 - 42
    student = Enrollment.objects.order_by("id").first().student
    assert records_progress(student)
    assert Membership.objects.filter(role="counselor").count() >= 2
