"""Reminders: the Remind button queues a Celery task after the commit, which
leaves in-app notices for the students who have not finished; the daily
digest tells teachers what is overdue, with counts and class names only."""

import datetime
from pathlib import Path

from django.core import mail
from django.utils import timezone

from classroom import services
from classroom.models import Notice
from tests.classroom.conftest import add_students, assign, lessons_of, source_module, take_quiz

ROOT = Path(__file__).resolve().parents[2]


def finish(student, module):
    for lesson in lessons_of(module):
        take_quiz(student, lesson, module)


def test_remind_queues_the_task_after_the_commit(client, cast, module, django_capture_on_commit_callbacks):
    assign(cast.classroom, module)
    client.force_login(cast.teacher)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/teach/classes/{cast.classroom.pk}/remind/")
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert not Notice.objects.exists()  # nothing before the commit
    callbacks[0]()
    notice = Notice.objects.get()
    assert (notice.student, notice.sent_by) == (cast.student, cast.teacher)


def test_only_students_who_have_not_finished_an_open_module_are_reminded(cast, module):
    done, busy = add_students(cast.classroom, 2, start=2)
    assign(cast.classroom, module, position=1)
    later = assign(cast.classroom, source_module("e56-deepfakes-and-my-rights"), opens=3, due=10, position=2)
    locked = assign(cast.classroom, source_module("high-consent-responsibility"), position=3, requires_previous=True)
    finish(done, module)
    take_quiz(busy, lessons_of(module)[0], module)
    made = services.reminders_send(classroom_id=cast.classroom.pk, sent_by_id=cast.teacher.pk)
    reminded = set(Notice.objects.values_list("student_id", "assignment__module__slug"))
    assert reminded == {(cast.student.pk, module.slug), (busy.pk, module.slug)}
    assert made == 2
    # Not yet open, or locked behind an unfinished module: no notice.
    assert not Notice.objects.filter(assignment__in=[later]).exists()
    assert not Notice.objects.filter(assignment=locked, student=busy).exists()


def test_reminding_again_does_not_pile_up_notices(cast, module):
    assign(cast.classroom, module)
    services.reminders_send(classroom_id=cast.classroom.pk)
    services.reminders_send(classroom_id=cast.classroom.pk)
    assert Notice.objects.count() == 1


def test_the_student_sees_the_notice_and_can_hide_it(client, cast, module):
    assign(cast.classroom, module)
    services.reminders_send(classroom_id=cast.classroom.pk)
    client.force_login(cast.student)
    html = client.get("/my/").content.decode()
    assert "선생님의 알림" in html
    notice = Notice.objects.get()
    assert client.post(f"/my/notices/{notice.pk}/dismiss/").status_code == 302
    response = client.get("/my/")
    assert response.status_code == 200
    assert 'class="card module-card' in response.content.decode()
    assert "선생님의 알림" not in response.content.decode()
    # After hiding it, a new reminder can be sent.
    services.reminders_send(classroom_id=cast.classroom.pk)
    assert Notice.objects.filter(dismissed_at__isnull=True).count() == 1


def test_a_student_cannot_hide_someone_elses_notice(client, cast, module):
    assign(cast.classroom, module)
    services.reminders_send(classroom_id=cast.classroom.pk)
    notice = Notice.objects.get()
    other = add_students(cast.classroom, 1, start=9)[0]
    client.force_login(other)
    assert client.post(f"/my/notices/{notice.pk}/dismiss/").status_code == 404
    notice.refresh_from_db()
    assert notice.dismissed_at is None


def test_no_guardian_is_emailed_until_the_parents_feature_says_who_agreed(cast, module):
    assign(cast.classroom, module)
    services.reminders_send(classroom_id=cast.classroom.pk)
    assert services.guardian_emails_for_reminder([cast.student.pk]) == []
    assert mail.outbox == []


def test_guardians_returned_by_the_hook_get_an_email(cast, module, monkeypatch):
    assign(cast.classroom, module)
    monkeypatch.setattr(
        services, "guardian_emails_for_reminder", lambda ids: [(cast.student.pk, "parent@example.org", "ko")]
    )
    services.reminders_send(classroom_id=cast.classroom.pk)
    [message] = mail.outbox
    assert message.to == ["parent@example.org"]
    assert cast.student.display_name in message.subject
    assert module.title in message.body


def test_the_daily_digest_tells_each_teacher_what_is_overdue_in_their_language(cast, module):
    cast.student.display_name = "김하늘"
    cast.student.save()
    assign(cast.classroom, module, opens=-10, due=-2)
    assign(cast.other_classroom, module, opens=-10, due=-1)
    add_students(cast.other_classroom, 2)
    cast.other_teacher.preferred_language = "en"
    cast.other_teacher.save()
    sent = services.teacher_digests_send()
    assert sent == 2
    by_teacher = {m.to[0]: m for m in mail.outbox}
    korean = by_teacher[cast.teacher.email]
    assert cast.classroom.name in korean.body and "학생 1명" in korean.body
    english = by_teacher[cast.other_teacher.email]
    assert "2 students have not finished" in english.body and cast.other_classroom.name in english.body
    # Counts and class names only: no student names.
    assert cast.student.display_name not in korean.body


def test_no_digest_when_nothing_is_overdue_or_everyone_finished(cast, module):
    assign(cast.classroom, module, opens=-10, due=-2)
    finish(cast.student, module)
    assign(cast.other_classroom, module, opens=-10, due=3)
    add_students(cast.other_classroom, 1)
    assert services.teacher_digests_send() == 0
    assert mail.outbox == []


def test_long_overdue_work_leaves_the_digest_after_two_weeks(cast, module):
    assign(cast.classroom, module, opens=-40, due=-(services.DIGEST_DAYS + 1))
    assert services.teacher_digests_send() == 0


def test_the_digest_runs_as_a_daily_beat_task(cast, module):
    from django.conf import settings

    from classroom.tasks import send_teacher_digests

    entry = settings.CELERY_BEAT_SCHEDULE["classroom-teacher-digest"]
    assert entry["task"] == send_teacher_digests.name == "classroom.tasks.send_teacher_digests"
    assert entry["schedule"].hour == {7}
    assign(cast.classroom, module, opens=-10, due=-1)
    assert send_teacher_digests.delay().get() == 1


def test_every_periodic_task_is_named_in_settings_and_exists():
    """Periodic tasks are registered one way: by name in settings, which
    import no app; every name must be a task a worker knows."""
    from django.conf import settings

    from edu_platform.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "classroom.tasks.send_teacher_digests" in names
    assert names <= set(app.tasks), names - set(app.tasks)


def test_archived_classes_get_no_reminders_or_digests(cast, module):
    assign(cast.classroom, module, opens=-10, due=-1)
    services.classroom_archive(classroom=cast.classroom)
    assert services.reminders_send(classroom_id=cast.classroom.pk) == 0
    assert services.teacher_digests_send(on=timezone.localdate() + datetime.timedelta(days=0)) == 0
