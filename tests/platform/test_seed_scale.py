"""seed_scale builds a synthetic district with bulk inserts: people in
every role, classes of 35, a year of work, reports, and the paper consent
of nine in ten families, so that most students' results are stored as in a
real school."""

import pytest
from django.core.management import CommandError, call_command
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


def test_the_national_shape_at_a_small_fraction_is_written_with_copy(postgres):
    """--national --fraction 0.001: 17 offices, 12 schools, 1,000 pupils in
    classes of at most 35, each pupil a member of their school, work and
    consent as in the district build."""
    from curriculum.models import LessonProgress, QuizAttempt
    from schools.models import District, School

    call_command("seed_scale", "--national", "--fraction", "0.001", verbosity=0)
    offices = District.objects.filter(code__startswith="NAT")
    assert offices.count() == 17
    assert School.objects.filter(district__in=offices).count() == 12
    assert Enrollment.objects.count() == 1000
    assert Membership.objects.filter(role="student").count() == 1000
    sizes = set(Classroom.objects.annotate(n=Count("enrollments")).values_list("n", flat=True))
    assert max(sizes) == 35 and min(sizes) >= 1
    assert GuardianConsent.objects.filter(decision="given", ended_at=None).count() == 900
    assert LessonProgress.objects.exists() and QuizAttempt.objects.exists()
    student = Enrollment.objects.order_by("id").first().student
    assert records_progress(student) and student.check_password("scale-pass-2026")


def test_the_fraction_must_be_a_share(db):
    with pytest.raises(CommandError, match="fraction"):
        call_command("seed_scale", "--national", "--fraction", "2", verbosity=0)
