"""Withdrawing consent deletes the pupil's stored results (quiz attempts
with their answers, lesson progress, certificates), after the guardian has
read what it deletes; another consent on file keeps them; the anonymous
class counts stay."""

import pytest
from django.test import Client

from accounts.models import GuardianConsent
from classroom.models import ClassAnswerCount
from curriculum.models import Certificate, LessonProgress, QuizAttempt
from tests.accounts.test_consent import online, take_quiz
from tests.classroom.conftest import add_students

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(cast):
    GuardianConsent.objects.filter(student=cast.student).delete()
    return cast.student


def stored(student) -> dict[str, int]:
    return {
        "attempts": QuizAttempt.objects.filter(student=student).count(),
        "progress": LessonProgress.objects.filter(student=student).count(),
        "certificates": Certificate.objects.filter(student=student).count(),
    }


def url(student, lang="en"):
    return (
        f"/{lang}/family/children/{student.pk}/consent/" if lang == "en" else f"/family/children/{student.pk}/consent/"
    )


@pytest.fixture
def with_results(client, cast, waiting):
    """The parent consented online; the pupil passed a quiz twice (stored)."""
    online(waiting, cast.parent)
    take_quiz(client, waiting, "before-withdrawal-1")
    take_quiz(client, waiting, "before-withdrawal-2")
    assert stored(waiting) == {"attempts": 2, "progress": 1, "certificates": stored(waiting)["certificates"]}
    assert QuizAttempt.objects.filter(student=waiting).first().answers, "the attempts carry answers"
    return waiting


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "Withdrawing your consent deletes the results stored for"),
        ("ko", "동의를 철회하면"),
    ],
)
def test_the_guardian_reads_what_is_deleted_before_confirming(client, cast, with_results, lang, says):
    client.force_login(cast.parent)
    before = stored(with_results)
    page = client.get(url(with_results, lang)).content.decode()
    assert 'name="decision" value="declined"' in page
    response = client.post(url(with_results, lang), {"decision": "declined"})
    assert response.status_code == 200
    html = response.content.decode()
    assert says in html
    assert 'name="confirm" value="withdraw"' in html
    assert stored(with_results) == before, "nothing deleted before the guardian confirms"
    assert GuardianConsent.objects.get(student=with_results, ended_at__isnull=True).decision == "given"


def test_confirming_the_withdrawal_deletes_the_stored_results(client, cast, with_results):
    count = ClassAnswerCount.objects.count()
    client.force_login(cast.parent)
    response = client.post(url(with_results), {"decision": "declined", "confirm": "withdraw"})
    assert response.status_code == 302
    assert stored(with_results) == {"attempts": 0, "progress": 0, "certificates": 0}
    assert GuardianConsent.objects.get(student=with_results, ended_at__isnull=True).decision == "declined"
    assert ClassAnswerCount.objects.count() == count, "the anonymous class counts stay"


def test_another_consent_on_file_keeps_the_results(client, cast, with_results):
    GuardianConsent.objects.create(student=with_results, recorded_by=cast.teacher, method="paper", decision="given")
    client.force_login(cast.parent)
    page = client.post(url(with_results), {"decision": "declined"}).content.decode()
    assert 'id="withdraw-keeps"' in page and 'id="withdraw-deletes"' not in page
    before = stored(with_results)
    client.post(url(with_results), {"decision": "declined", "confirm": "withdraw"})
    assert stored(with_results) == before and before["attempts"] == 2


def test_ending_the_link_deletes_results_kept_on_that_consent(client, cast, with_results):
    client.force_login(cast.parent)
    page = client.get(f"/en/family/children/{with_results.pk}/unlink/").content.decode()
    assert "deletes the results stored for your child" in page
    client.post(f"/en/family/children/{with_results.pk}/unlink/")
    assert stored(with_results) == {"attempts": 0, "progress": 0, "certificates": 0}


def test_the_teacher_removing_the_paper_record_deletes_the_results(client, cast, waiting):
    GuardianConsent.objects.create(student=waiting, recorded_by=cast.teacher, method="paper", decision="given")
    take_quiz(client, waiting)
    assert stored(waiting)["attempts"] == 1
    client.force_login(cast.teacher)
    page = client.get(f"/en/teach/students/{waiting.pk}/consent/").content.decode()
    assert "Removing it deletes the pupil" in page
    client.post(f"/en/teach/students/{waiting.pk}/consent/", {"paper-action": "remove"})
    assert stored(waiting) == {"attempts": 0, "progress": 0, "certificates": 0}


def test_a_pupil_old_enough_keeps_results_when_a_guardian_withdraws(client, cast, waiting):
    waiting.birth_year = 2000
    waiting.save(update_fields=["birth_year"])
    online(waiting, cast.parent)
    take_quiz(client, waiting)
    client.force_login(cast.parent)
    client.post(url(waiting), {"decision": "declined", "confirm": "withdraw"})
    assert stored(waiting)["attempts"] == 1


def test_other_pupils_results_stay(client, cast, with_results):
    classmate = add_students(cast.classroom, 1, start=60)[0]
    GuardianConsent.objects.create(student=classmate, recorded_by=cast.teacher, method="paper", decision="given")
    take_quiz(Client(), classmate)
    kept = QuizAttempt.objects.exclude(student=with_results).count()
    assert kept >= 1
    client.force_login(cast.parent)
    client.post(url(with_results), {"decision": "declined", "confirm": "withdraw"})
    assert QuizAttempt.objects.exclude(student=with_results).count() == kept
