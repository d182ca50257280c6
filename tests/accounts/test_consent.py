"""Guardian consent: the consent-age rule, what is stored before and after
consent, the parent's online decision, the teacher's paper record, and the
teacher's "waiting for consent" count."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import consent, permissions
from accounts.models import GuardianConsent
from accounts.selectors import consent_status, students_waiting_for_consent
from curriculum.models import LessonProgress, QuizAttempt
from curriculum.permissions import records_progress
from schools.models import Role
from tests.conftest import mfa_login
from tests.curriculum.test_lessons import lesson, right_answers
from tests.factories import ClassroomFactory, EnrollmentFactory, MembershipFactory, SchoolFactory, StudentFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def waiting(cast):
    """The cast's student (middle school grade 1, no birth year) with no
    consent on file, whatever the shared cast records."""
    GuardianConsent.objects.filter(student=cast.student).delete()
    return cast.student


def fresh(user):
    """The same person as a new request would load them (no cached rules)."""
    return type(user).objects.get(pk=user.pk)


def online(student, guardian, decision="given"):
    return GuardianConsent.objects.create(
        student=student, guardian=guardian, recorded_by=guardian, method="online", decision=decision
    )


# --- The rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "grade", "old_enough"),
    [
        ("elementary", 1, False),
        ("elementary", 6, False),
        ("middle", 1, False),
        ("middle", 2, False),
        ("middle", 3, True),
        ("high", 1, True),
        ("high", 3, True),
    ],
)
def test_the_class_rule_for_korean_schools(level, grade, old_enough):
    assert consent.class_is_old_enough(level, grade) is old_enough


@pytest.mark.parametrize(("age_this_year", "old_enough"), [(13, False), (14, False), (15, True), (17, True)])
def test_with_a_birth_year_the_younger_possibility_counts(age_this_year, old_enough):
    # Born in 2012, a student turns 14 some day in 2026: until we know the day, they wait for consent.
    today = date(2026, 6, 1)
    birth_year = 2026 - age_this_year
    assert consent.old_enough(birth_year=birth_year, in_old_enough_class=not old_enough, today=today) is old_enough


def test_the_consent_age_is_a_setting(settings):
    settings.GUARDIAN_CONSENT_AGE = 16
    assert consent.class_is_old_enough("middle", 3) is False
    assert consent.class_is_old_enough("high", 1) is False
    assert consent.class_is_old_enough("high", 2) is True
    assert [r["from_grade"] for r in consent.class_rule()] == [None, None, 2]


def test_the_query_and_the_python_rule_agree(cast):
    cases = []
    for level in ("elementary", "middle", "high"):
        school = SchoolFactory(level=level)
        for grade in (1, 2, 3, 6):
            classroom = ClassroomFactory(school=school, grade=grade)
            for birth_year in (None, THIS_YEAR - 16, THIS_YEAR - 14, THIS_YEAR - 10):
                student = StudentFactory(birth_year=birth_year)
                EnrollmentFactory(classroom=classroom, student=student)
                cases.append((student, level, grade))
    with_consent = cases[::5]
    for student, *_ in with_consent:
        online(student, cast.parent)
    expected = {
        student.pk
        for student, level, grade in cases
        if not consent.old_enough(
            birth_year=student.birth_year, in_old_enough_class=consent.class_is_old_enough(level, grade)
        )
        and student not in [s for s, *_ in with_consent]
    }
    with CaptureQueriesContext(connection) as ctx:
        waiting = students_waiting_for_consent([student.pk for student, *_ in cases])
    assert len(ctx.captured_queries) == 1
    assert waiting == expected
    for student, *_ in cases:
        assert permissions.results_may_be_stored(fresh(student)) is (student.pk not in expected)


def test_archived_classes_do_not_count(cast, waiting):
    old_class = ClassroomFactory(school=SchoolFactory(level="high"), grade=1, archived_at=timezone.now())
    EnrollmentFactory(classroom=old_class, student=waiting)
    assert students_waiting_for_consent([waiting.pk]) == {waiting.pk}


# --- What is stored --------------------------------------------------------------------------


def take_quiz(client, student, form_token="consent-test-token"):  # noqa: S107 - a form field, not a secret
    page = lesson()
    client.force_login(student)
    response = client.post(page.url + "quiz/", {**right_answers(page), "form_token": form_token})
    assert response.status_code == 200
    assert "100%" in response.content.decode(), "the quiz works either way"
    return page


def test_without_consent_a_young_student_learns_but_nothing_is_stored(client, waiting):
    page = lesson()
    client.force_login(waiting)
    assert client.get(page.url).status_code == 200
    take_quiz(client, waiting)
    assert QuizAttempt.objects.filter(student=waiting).count() == 0
    assert LessonProgress.objects.filter(student=waiting).count() == 0


@pytest.mark.parametrize("how", ["online", "paper"])
def test_once_consent_is_on_file_results_are_stored(client, cast, waiting, how):
    if how == "online":
        online(waiting, cast.parent)
    else:
        GuardianConsent.objects.create(student=waiting, recorded_by=cast.teacher, method="paper", decision="given")
    take_quiz(client, waiting)
    assert QuizAttempt.objects.filter(student=waiting).count() == 1
    assert LessonProgress.objects.get(student=waiting).status == "passed"


def test_a_declined_or_withdrawn_consent_stores_nothing(client, cast, waiting):
    online(waiting, cast.parent, decision="declined")
    take_quiz(client, waiting, "token-one")
    client.force_login(cast.parent)
    client.post(f"/family/children/{waiting.pk}/consent/", {"decision": "given", "is_guardian": "on"})
    take_quiz(client, waiting, "token-two")
    assert list(QuizAttempt.objects.filter(student=waiting).values_list("form_token", flat=True)) == ["token-two"]
    client.force_login(cast.parent)
    client.post(f"/family/children/{waiting.pk}/consent/", {"decision": "declined", "confirm": "withdraw"})
    take_quiz(client, waiting, "token-three")
    assert not QuizAttempt.objects.filter(student=waiting).exists(), "withdrawing deleted token-two; three not kept"


@pytest.mark.parametrize("how", ["birth_year", "high_school", "middle_grade_3"])
def test_students_old_enough_need_no_consent(client, cast, waiting, how):
    if how == "birth_year":
        waiting.birth_year = THIS_YEAR - 15
        waiting.save()
    elif how == "high_school":
        cast.school.level = "high"
        cast.school.save()
    else:
        cast.classroom.grade = 3
        cast.classroom.save()
    take_quiz(client, waiting)
    assert QuizAttempt.objects.filter(student=waiting).count() == 1


def test_a_young_birth_year_wins_over_an_old_class(client, cast, waiting):
    cast.classroom.grade = 3
    cast.classroom.save()
    waiting.birth_year = THIS_YEAR - 12  # a younger student in grade 3
    waiting.save()
    take_quiz(client, waiting)
    assert QuizAttempt.objects.filter(student=waiting).count() == 0


def test_the_rule_costs_no_query_of_its_own(cast, waiting):
    """The two flags come with the student's roles, which every page reads
    anyway (one query, kept on the user object for the request)."""
    from accounts.permissions import roles_of

    student = fresh(waiting)
    with CaptureQueriesContext(connection) as ctx:
        roles_of(student)
    roles_queries = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        assert records_progress(student) is False
        assert records_progress(student) is False
    assert len(ctx.captured_queries) == 0
    student.birth_year = THIS_YEAR - 16
    assert records_progress(student) is True
    # ...and the roles read has no more queries for it: a student's one
    # extra query is their classes (for the band), not the consent flags.
    adult = fresh(cast.teacher)
    with CaptureQueriesContext(connection) as ctx:
        roles_of(adult)
    assert len(ctx.captured_queries) == roles_queries - 1


@pytest.mark.parametrize("who", ["teacher", "editor"])
def test_adults_other_than_parents_store_nothing(client, cast, who):
    take_quiz(client, getattr(cast, who))
    assert QuizAttempt.objects.count() == 0


# --- The parent's decision --------------------------------------------------------------------


def consent_url(student):
    return f"/family/children/{student.pk}/consent/"


def test_the_consent_page_shows_the_versioned_text_and_two_equal_choices(client, cast, waiting):
    client.force_login(cast.parent)
    response = client.get(consent_url(waiting))
    assert response.status_code == 200
    html = response.content.decode()
    assert consent.CONSENT_TEXT_VERSION in html
    assert 'id="consent-text"' in html
    assert 'name="decision" value="given" class="button"' in html
    assert 'name="decision" value="declined" class="button"' in html
    assert "checked" not in html
    english = client.get("/en" + consent_url(waiting)).content.decode()
    assert "Consent to store your child's learning results" in english
    assert "Consent to store your child's learning results" not in html


def test_agreeing_records_version_time_and_method(client, cast, waiting):
    client.force_login(cast.parent)
    response = client.post("/en" + consent_url(waiting), {"decision": "given", "is_guardian": "on"})
    assert response.status_code == 302
    record = GuardianConsent.objects.get(student=waiting)
    assert (record.guardian, record.method, record.decision) == (cast.parent, "online", "given")
    assert record.text_version == consent.CONSENT_TEXT_VERSION
    assert record.language == "en"
    assert record.created_at is not None and record.ended_at is None
    assert consent_status(waiting).on_file


def test_agreeing_without_confirming_guardianship_changes_nothing(client, cast, waiting):
    client.force_login(cast.parent)
    response = client.post(consent_url(waiting), {"decision": "given"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_is_guardian_error"' in html and 'aria-invalid="true"' in html
    assert not GuardianConsent.objects.filter(student=waiting).exists()


def test_a_forged_decision_changes_nothing(client, cast, waiting):
    client.force_login(cast.parent)
    response = client.post(consent_url(waiting), {"decision": "always", "is_guardian": "on"})
    assert response.status_code == 200
    assert not GuardianConsent.objects.filter(student=waiting).exists()


def test_declining_is_recorded_and_changing_the_mind_keeps_one_current_decision(client, cast, waiting):
    client.force_login(cast.parent)
    client.post(consent_url(waiting), {"decision": "declined"})
    assert GuardianConsent.objects.get(student=waiting).decision == "declined"
    assert not consent_status(waiting).on_file
    client.post(consent_url(waiting), {"decision": "given", "is_guardian": "on"})
    current = GuardianConsent.objects.filter(student=waiting, ended_at__isnull=True)
    assert [c.decision for c in current] == ["given"]
    assert GuardianConsent.objects.filter(student=waiting).count() == 2, "the history is kept"


def test_consent_for_a_child_one_is_not_linked_to_is_404(client, cast, waiting):
    client.force_login(cast.unlinked_parent)
    response = client.post(consent_url(waiting), {"decision": "given", "is_guardian": "on"})
    assert response.status_code == 404
    assert not GuardianConsent.objects.filter(student=waiting).exists()


def test_consent_page_anonymous_and_other_roles(client, cast, waiting):
    assert client.get(consent_url(waiting))["Location"].startswith("/accounts/login/")
    for who in ("student", "teacher"):
        client.force_login(getattr(cast, who))
        assert client.post(consent_url(waiting), {"decision": "given", "is_guardian": "on"}).status_code == 403
    assert not GuardianConsent.objects.filter(student=waiting).exists()


# --- The teacher's page -----------------------------------------------------------------------


def teacher_url(student):
    return f"/teach/students/{student.pk}/consent/"


def test_the_teacher_sees_the_status_and_the_age_rule(client, cast, waiting):
    client.force_login(cast.teacher)
    response = client.get("/en" + teacher_url(waiting))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for consent" in html
    assert "Middle school: grade 3 and above count as old enough." in html
    assert "High school: every grade counts as old enough." in html
    assert "1 January" in html


def test_the_teacher_records_and_removes_paper_consent(client, cast, waiting):
    client.force_login(cast.teacher)
    response = client.post(teacher_url(waiting), {"paper-action": "record", "paper-form_seen": "on"})
    assert response.status_code == 302
    record = GuardianConsent.objects.get(student=waiting)
    assert (record.method, record.decision, record.recorded_by, record.guardian) == (
        "paper",
        "given",
        cast.teacher,
        None,
    )
    assert students_waiting_for_consent([waiting.pk]) == set()
    client.post(teacher_url(waiting), {"paper-action": "record", "paper-form_seen": "on"})
    assert GuardianConsent.objects.filter(student=waiting, ended_at__isnull=True).count() == 1, "no duplicate"
    client.post(teacher_url(waiting), {"paper-action": "remove"})
    assert students_waiting_for_consent([waiting.pk]) == {waiting.pk}


def test_paper_consent_needs_the_teacher_to_confirm_the_form(client, cast, waiting):
    client.force_login(cast.teacher)
    response = client.post(teacher_url(waiting), {"paper-action": "record"})
    assert response.status_code == 200
    assert 'id="id_paper-form_seen_error"' in response.content.decode()
    assert not GuardianConsent.objects.filter(student=waiting).exists()


def test_the_teacher_records_a_birth_year(client, cast, waiting):
    client.force_login(cast.teacher)
    client.post(teacher_url(waiting), {"year-birth_year": str(THIS_YEAR - 15)})
    waiting.refresh_from_db()
    assert waiting.birth_year == THIS_YEAR - 15
    assert students_waiting_for_consent([waiting.pk]) == set()


@pytest.mark.parametrize("typed", ["1850", str(THIS_YEAR), "two thousand"])
def test_a_bad_birth_year_says_why_and_changes_nothing(client, cast, waiting, typed):
    client.force_login(cast.teacher)
    response = client.post(teacher_url(waiting), {"year-birth_year": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_year-birth_year_error"' in html
    assert f'value="{typed}"' in html
    waiting.refresh_from_db()
    assert waiting.birth_year is None


def test_teacher_page_anonymous_is_sent_to_log_in(client, waiting):
    assert client.get(teacher_url(waiting))["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["student", "parent", "counselor", "school_admin", "editor"])
def test_teacher_page_other_roles_are_refused(client, cast, waiting, who):
    user = getattr(cast, who)
    mfa_login(client, user) if who in ("counselor", "school_admin", "editor") else client.force_login(user)
    assert client.get(teacher_url(waiting)).status_code == 403
    assert client.post(teacher_url(waiting), {"paper-action": "record", "paper-form_seen": "on"}).status_code == 403
    assert not GuardianConsent.objects.filter(student=waiting).exists()


def test_a_teacher_who_does_not_teach_the_student_gets_404(client, cast, waiting):
    client.force_login(cast.other_teacher)
    assert client.get(teacher_url(waiting)).status_code == 404
    response = client.post(teacher_url(waiting), {"paper-action": "record", "paper-form_seen": "on"})
    assert response.status_code == 404
    assert not GuardianConsent.objects.filter(student=waiting).exists()
    client.force_login(cast.teacher)
    assert client.get(teacher_url(cast.other_student)).status_code == 404
    assert client.get("/teach/students/999999/consent/").status_code == 404


def test_a_teacher_keeps_their_archived_classes(client, cast, waiting):
    cast.classroom.archived_at = timezone.now()
    cast.classroom.save()
    client.force_login(cast.teacher)
    assert client.get(teacher_url(waiting)).status_code == 200
    client.force_login(cast.other_teacher)
    assert client.get(teacher_url(waiting)).status_code == 404


# --- The waiting count ------------------------------------------------------------------------


def test_the_waiting_count_of_a_class(cast, waiting):
    classmates = [StudentFactory() for _ in range(4)]
    for student in classmates:
        EnrollmentFactory(classroom=cast.classroom, student=student)
        MembershipFactory(user=student, school=cast.school, role=Role.STUDENT)
    online(classmates[0], cast.parent)
    GuardianConsent.objects.create(student=classmates[1], recorded_by=cast.teacher, method="paper", decision="given")
    online(classmates[2], cast.parent, decision="declined")
    classmates[3].birth_year = THIS_YEAR - 15
    classmates[3].save()
    ids = [waiting.pk, *(s.pk for s in classmates)]
    assert students_waiting_for_consent(ids) == {waiting.pk, classmates[2].pk}
    assert students_waiting_for_consent([]) == set()


def test_the_waiting_count_is_one_query_whatever_the_class_size(cast):
    def measure(n):
        students = [StudentFactory() for _ in range(n)]
        for student in students:
            EnrollmentFactory(classroom=cast.classroom, student=student)
        with CaptureQueriesContext(connection) as ctx:
            students_waiting_for_consent([s.pk for s in students])
        return len(ctx.captured_queries)

    assert measure(2) == measure(30) == 1
