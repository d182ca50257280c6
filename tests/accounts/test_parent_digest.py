"""Email updates: off by default, turned on by the parent, a weekly summary
with counts only in the parent's language, sent by a Celery beat task; and
the guardians' addresses for the classroom reminders."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import GuardianConsent, GuardianLink, ParentProfile
from accounts.selectors import guardian_emails_for_reminder, guardian_recipients_for_reminder
from curriculum.models import QuizAttempt
from families.tasks import send_weekly_digests
from tests.accounts.test_parent_page import assign, finish, lessons_of, module
from tests.factories import StudentFactory, UserFactory

pytestmark = pytest.mark.django_db


def opt_in(client, parent, language="ko"):
    client.force_login(parent)
    return client.post("/family/email/", {"email_updates": "on", "language": language})


def test_email_updates_are_off_by_default(client, cast):
    assert not ParentProfile.objects.filter(user=cast.parent).exists()
    client.force_login(cast.parent)
    response = client.get("/family/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email_updates"' in html
    assert 'name="email_updates" id="id_email_updates" checked' not in html
    assert send_weekly_digests() == 0
    assert mail.outbox == []


def test_a_parent_turns_email_updates_on_and_off(client, cast):
    response = opt_in(client, cast.parent, language="en")
    assert response.status_code == 302
    assert response["Location"] == "/family/#email-updates"
    assert ParentProfile.objects.get(user=cast.parent).email_updates
    cast.parent.refresh_from_db()
    assert cast.parent.preferred_language == "en"
    assert "checked" in client.get("/family/").content.decode().split('id="email-updates"')[1]
    client.post("/family/email/", {"language": "en"})
    assert not ParentProfile.objects.get(user=cast.parent).email_updates


def test_a_bad_language_says_why_next_to_the_field_and_changes_nothing(client, cast):
    client.force_login(cast.parent)
    response = client.post("/en/family/email/", {"email_updates": "on", "language": "xx"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_language_error"' in html and "Select a valid choice" in html
    assert (
        'name="email_updates" id="id_email_updates" checked' in html or "checked" in html.split('id="email-updates"')[1]
    )
    assert not ParentProfile.objects.filter(user=cast.parent, email_updates=True).exists()


def test_email_settings_permissions(client, cast):
    assert client.post("/family/email/", {"email_updates": "on", "language": "ko"})["Location"].startswith(
        "/accounts/login/"
    )
    client.force_login(cast.student)
    assert client.post("/family/email/", {"email_updates": "on", "language": "ko"}).status_code == 403
    client.force_login(cast.parent)
    assert client.get("/family/email/").status_code == 405


def test_the_weekly_summary_has_counts_only_in_the_parents_language(client, cast, django_capture_on_commit_callbacks):
    GuardianConsent.objects.create(student=cast.student, recorded_by=cast.teacher, method="paper", decision="given")
    middle = module("middle-harm-law-response")
    pictures = module("e12-my-pictures")
    assign(cast.classroom, "middle-harm-law-response", due_in=3)
    assign(cast.classroom, "e12-my-pictures", due_in=-2)
    finish(cast.student, middle, 1)
    finish(cast.student, pictures, 2)
    lesson = lessons_of(middle)[0]
    choice = lesson.quiz[0].value["choices"].bound_blocks[0]
    QuizAttempt.objects.create(
        student=cast.student,
        page=lesson,
        answers={str(lesson.quiz[0].id): [str(choice.id)]},
        correct_count=1,
        question_count=5,
        score=20,
        passed=False,
        form_token="digest-test",
    )
    opt_in(client, cast.parent, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 1
    [message] = mail.outbox
    assert message.to == [cast.parent.email]
    body = message.body
    assert cast.student.display_name in body
    assert "2 modules assigned" in body
    assert "1 finished" in body
    assert "1 in progress" in body
    assert "1 due in the next 7 days" in body
    assert "0 past the due date" in body
    assert "http://127.0.0.1:8000/en/family/" in body or "/en/family/" in body
    assert choice.value["text"] not in body and "20%" not in body and str(choice.id) not in body


def test_the_summary_goes_out_once_a_week(client, cast, django_capture_on_commit_callbacks):
    opt_in(client, cast.parent)
    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests()
        send_weekly_digests()
    assert len(mail.outbox) == 1
    assert "이번 주" in mail.outbox[0].subject or "week" in mail.outbox[0].subject
    ParentProfile.objects.filter(user=cast.parent).update(digest_sent_at=timezone.now() - timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests()
    assert len(mail.outbox) == 2


def test_no_summary_without_a_verified_address(client, cast, django_capture_on_commit_callbacks):
    opt_in(client, cast.parent)
    EmailAddress.objects.filter(user=cast.parent).update(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_weekly_digests()
    assert mail.outbox == []


def test_the_beat_schedule_names_the_task():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["families-weekly-digest"]
    assert entry["task"] == "families.tasks.send_weekly_digests"
    assert send_weekly_digests.name == entry["task"]


# --- Addresses for the classroom reminders ---------------------------------------------------


def test_reminders_go_to_linked_guardians_who_opted_in_with_a_verified_address(cast):
    second = UserFactory(is_parent=True, preferred_language="en")
    GuardianLink.objects.create(guardian=second, student=cast.student)
    unverified = UserFactory(is_parent=True)
    GuardianLink.objects.create(guardian=unverified, student=cast.student)
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    silent = UserFactory(is_parent=True)  # linked, never opted in
    GuardianLink.objects.create(guardian=silent, student=cast.student)
    stranger = UserFactory(is_parent=True)  # opted in, linked to someone else
    GuardianLink.objects.create(guardian=stranger, student=StudentFactory())
    for user in (cast.parent, second, unverified, stranger):
        ParentProfile.objects.create(user=user, email_updates=True)
    ParentProfile.objects.create(user=silent, email_updates=False)
    assert guardian_emails_for_reminder([cast.student.pk, cast.other_student.pk]) == sorted(
        [(cast.parent.email, "ko"), (second.email, "en")]
    )
    assert guardian_emails_for_reminder([]) == []


def test_reminder_addresses_are_one_query_whatever_the_number_of_students(cast):
    def measure(n):
        students = [StudentFactory() for _ in range(n)]
        for student in students:
            parent = UserFactory(is_parent=True)
            GuardianLink.objects.create(guardian=parent, student=student)
            ParentProfile.objects.create(user=parent, email_updates=True)
        with CaptureQueriesContext(connection) as ctx:
            result = guardian_emails_for_reminder([s.pk for s in students])
        assert len(result) == n
        return len(ctx.captured_queries)

    assert measure(1) == measure(20) == 1


def test_a_guardian_of_two_children_gets_one_reminder(cast):
    second_child = StudentFactory()
    GuardianLink.objects.create(guardian=cast.parent, student=second_child)
    ParentProfile.objects.create(user=cast.parent, email_updates=True)
    assert guardian_emails_for_reminder([cast.student.pk, second_child.pk]) == [(cast.parent.email, "ko")]


def test_per_child_recipients_for_the_classroom_hook(cast):
    second_child = StudentFactory()
    GuardianLink.objects.create(guardian=cast.parent, student=second_child)
    other = UserFactory(is_parent=True, preferred_language="en")
    GuardianLink.objects.create(guardian=other, student=second_child)
    ParentProfile.objects.create(user=cast.parent, email_updates=True)
    ParentProfile.objects.create(user=other, email_updates=True)
    with CaptureQueriesContext(connection) as ctx:
        rows = guardian_recipients_for_reminder([cast.student.pk, second_child.pk])
    assert len(ctx.captured_queries) == 1
    assert sorted(rows) == sorted(
        [
            (cast.student.pk, cast.parent.email, "ko"),
            (second_child.pk, cast.parent.email, "ko"),
            (second_child.pk, other.email, "en"),
        ]
    )
