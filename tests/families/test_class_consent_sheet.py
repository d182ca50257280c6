"""The class consent sheet: a teacher ticks the returned paper slips of the
whole class and saves once; method, date and recorder are kept; the page and
the save cost the same number of queries for 10 or 40 pupils."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import GuardianConsent
from accounts.permissions import results_may_be_stored
from tests.classroom.conftest import add_students
from tests.factories import ClassroomFactory


@pytest.fixture
def young_class(cast):
    """A grade-1 middle-school class (all under the consent age) of 10."""
    classroom = ClassroomFactory(school=cast.school, name="1학년 5반", grade=1)
    classroom.teachers.add(cast.teacher)
    add_students(classroom, 10)
    return classroom


def sheet(classroom) -> str:
    return f"/en/teach/classes/{classroom.pk}/consent/"


def pupils(classroom) -> list[int]:
    return list(classroom.enrollments.values_list("student_id", flat=True))


def test_the_teacher_ticks_the_whole_class_and_saves_once(client, cast, young_class):
    client.force_login(cast.teacher)
    page = client.get(sheet(young_class))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Consent slips" in html and 'name="returned"' in html and " checked" not in html
    ids = pupils(young_class)
    response = client.post(sheet(young_class), {"returned": [str(i) for i in ids]})
    assert response.status_code == 302
    records = GuardianConsent.objects.filter(student_id__in=ids, ended_at__isnull=True)
    assert records.count() == 10
    assert set(records.values_list("method", "decision", "recorded_by")) == {("paper", "given", cast.teacher.pk)}
    assert all(r.created_at for r in records)
    from accounts.models import User

    assert all(results_may_be_stored(User.objects.get(pk=i)) for i in ids)
    again = client.get(sheet(young_class)).content.decode()
    assert again.count(" checked") == 10


def test_unticking_ends_the_paper_record_and_saving_twice_changes_nothing(client, cast, young_class):
    client.force_login(cast.teacher)
    ids = pupils(young_class)
    client.post(sheet(young_class), {"returned": [str(i) for i in ids]})
    client.post(sheet(young_class), {"returned": [str(i) for i in ids]})
    assert GuardianConsent.objects.filter(student_id__in=ids, ended_at__isnull=True).count() == 10
    client.post(sheet(young_class), {"returned": [str(i) for i in ids[1:]]})
    assert not GuardianConsent.objects.filter(student_id=ids[0], ended_at__isnull=True).exists()
    assert GuardianConsent.objects.filter(student_id=ids[0], ended_at__isnull=False).count() == 1


def test_pupils_of_other_classes_and_bad_values_change_nothing(client, cast, young_class):
    client.force_login(cast.teacher)
    before = GuardianConsent.objects.count()
    response = client.post(sheet(young_class), {"returned": [str(cast.other_student.pk), "x", "9" * 40]})
    assert response.status_code == 302
    assert GuardianConsent.objects.count() == before
    assert not GuardianConsent.objects.filter(student=cast.other_student).exists()


def test_another_teacher_cannot_see_or_save_the_sheet(client, cast, young_class):
    client.force_login(cast.other_teacher)
    assert client.get(sheet(young_class)).status_code == 404
    assert client.post(sheet(young_class), {"returned": [str(i) for i in pupils(young_class)]}).status_code == 404
    assert not GuardianConsent.objects.filter(student_id__in=pupils(young_class)).exists()


def test_queries_are_the_same_for_10_and_40_pupils(client, cast, young_class):
    client.force_login(cast.teacher)
    client.get(sheet(young_class))  # warm the caches (roles)

    def measure():
        with CaptureQueriesContext(connection) as page:
            assert client.get(sheet(young_class)).status_code == 200
        ids = pupils(young_class)
        with CaptureQueriesContext(connection) as save:
            client.post(sheet(young_class), {"returned": [str(i) for i in ids[::2]]})
        return len(page.captured_queries), len(save.captured_queries)

    ten = measure()
    add_students(young_class, 30, start=11)
    assert measure() == ten
