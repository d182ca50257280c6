"""The live class's pages: who may open them, what each view shows, and the
polling fallback that follows the same rules as the sockets."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from curriculum.models import LessonProgress, QuizAttempt
from live import state
from live.models import LiveQuestion, LiveSession
from live.slides import slides_for
from live.tasks import delete_old_questions


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_a_teacher_opens_a_session_for_their_own_class_only(client, cast, lesson):
    client.force_login(cast.teacher)
    page = client.get(reverse("live_session_new") + f"?lesson={lesson.pk}")
    assert page.status_code == 200
    assert cast.classroom.name in page.content.decode()
    assert cast.other_classroom.name not in page.content.decode()
    refused = client.post(reverse("live_session_new"), {"lesson": lesson.pk, "classroom": cast.other_classroom.pk})
    assert refused.status_code == 200 and not LiveSession.objects.exists()
    assert "errorlist" in refused.content.decode()
    opened = client.post(reverse("live_session_new"), {"lesson": lesson.pk, "classroom": cast.classroom.pk})
    session = LiveSession.objects.get()
    assert opened.url == reverse("live_presenter", args=[session.pk])
    assert re.fullmatch(r"\d{6}", session.code)


def test_the_teachers_home_offers_a_live_lesson_per_class_and_the_form_starts_on_that_class(client, cast):
    client.force_login(cast.teacher)
    home = client.get(reverse("teacher_home")).content.decode()
    link = reverse("live_session_new") + f"?classroom={cast.classroom.pk}"
    assert link in home
    page = client.get(link).content.decode()
    selected = re.search(r'<option value="(\d+)"[^>]*selected', page)
    assert selected and int(selected.group(1)) == cast.classroom.pk


def test_teacher_notes_and_the_next_slide_are_on_the_presenter_view_only(client, cast, live_session):
    slides = slides_for(live_session.lesson)
    note = next(s.notes for s in slides if s.notes)
    client.force_login(cast.teacher)
    presenter = client.get(reverse("live_presenter", args=[live_session.pk])).content.decode()
    projector = client.get(reverse("live_projector", args=[live_session.pk])).content.decode()
    assert "teacher-notes" in presenter and str(note) in presenter and "data-next=" in presenter
    assert "teacher-notes" not in projector and "data-next=" not in projector and str(note) not in projector
    assert live_session.code[:3] in projector and '<svg class="qr"' in projector
    client.logout()
    pupil = client.get(reverse("live_pupil", args=[live_session.code])).content.decode()
    assert "teacher-notes" not in pupil and "data-next=" not in pupil and str(note) not in pupil
    for slide in slides:
        if slide.activity and slide.activity.correct:
            assert 'class="correct"' not in pupil


def test_the_pupil_view_keeps_the_way_out_and_the_help_lines(client, live_session):
    pupil = client.get(reverse("live_pupil", args=[live_session.code])).content.decode()
    assert reverse("help") in pupil
    assert "조용히 나가서 도움 받기" in pupil  # "Leave quietly and get help"


def test_a_wrong_code_says_so_in_korean_and_many_wrong_codes_are_refused(client, live_session):
    wrong = "000000" if live_session.code != "000000" else "111111"
    page = client.post(reverse("live_join"), {"code": wrong})
    assert "지금 이 코드로 진행 중인 수업이 없어요" in page.content.decode()
    bad = client.post(reverse("live_join"), {"code": "12ab"})
    assert "6자리" in bad.content.decode()
    right = client.post(reverse("live_join"), {"code": live_session.code})
    assert right.url == reverse("live_pupil", args=[live_session.code])
    for _ in range(30):
        client.post(reverse("live_join"), {"code": wrong})
    blocked = client.post(reverse("live_join"), {"code": live_session.code})
    assert blocked.status_code == 200 and "10분" in blocked.content.decode()


def test_polling_follows_the_slides_and_takes_answers_with_the_socket_rules(client, cast, live_session):
    teacher = client.__class__()
    teacher.force_login(cast.teacher)
    quiz_slide = next(s for s in slides_for(live_session.lesson) if s.kind == "quiz")
    control = reverse("live_control", args=[live_session.pk])
    moved = teacher.post(control, json.dumps({"type": "goto", "slide": quiz_slide.index}), "application/json")
    assert moved.status_code == 200
    client.get(reverse("live_pupil", args=[live_session.code]))
    polled = client.get(reverse("live_pupil_state", args=[live_session.code])).json()
    assert polled["slide"] == quiz_slide.index and "counts" not in polled and "questions" not in polled
    send = reverse("live_pupil_send", args=[live_session.code])
    choice = sorted(quiz_slide.activity.option_ids)[0]
    answered = client.post(
        send, json.dumps({"type": "answer", "activity": quiz_slide.activity.id, "choice": choice}), "application/json"
    )
    assert answered.json() == {"type": "answered", "activity": quiz_slide.activity.id}
    forged = client.post(
        send, json.dumps({"type": "answer", "activity": quiz_slide.activity.id, "choice": "nope"}), "application/json"
    )
    assert forged.status_code == 400 and forged.json()["reason"] == "bad-message"
    counts, total = state.counts(live_session.pk, quiz_slide.activity, quiz_slide.activity.option_ids)
    assert total == 1 and counts[choice] == 1


@pytest.mark.parametrize("consent", [True, False])
def test_ending_counts_quiz_answers_of_a_consenting_pupil_of_the_class_only(client, cast, live_session, consent):
    from accounts.permissions import forget_roles, results_may_be_stored
    from families.services import consent_record_paper

    if consent:
        consent_record_paper(teacher=cast.teacher, student=cast.student, on_file=True)
    forget_roles([cast.student.pk])
    assert results_may_be_stored(cast.student) is consent
    teacher = client.__class__()
    teacher.force_login(cast.teacher)
    control = reverse("live_control", args=[live_session.pk])
    client.force_login(cast.student)
    client.get(reverse("live_pupil", args=[live_session.code]))
    anonymous = client.__class__()
    anonymous.get(reverse("live_pupil", args=[live_session.code]))
    for slide in slides_for(live_session.lesson):
        if slide.kind != "quiz":
            continue
        teacher.post(control, json.dumps({"type": "goto", "slide": slide.index}), "application/json")
        right = sorted(slide.activity.correct)
        body = {"type": "answer", "activity": slide.activity.id}
        body.update({"choices": right} if slide.activity.kind == "quiz_multiple" else {"choice": right[0]})
        for who in (client, anonymous):
            reply = who.post(reverse("live_pupil_send", args=[live_session.code]), json.dumps(body), "application/json")
            assert reply.json()["type"] == "answered"
    ended = teacher.post(control, {"type": "end"})
    assert ended.url == reverse("live_summary", args=[live_session.pk])
    if not consent:
        assert not QuizAttempt.objects.exists() and not LessonProgress.objects.exists()
        return
    attempt = QuizAttempt.objects.get()
    assert attempt.student == cast.student and attempt.passed and attempt.form_token == f"live-{live_session.pk}"
    assert LessonProgress.objects.get(student=cast.student).is_done
    summary = teacher.get(reverse("live_summary", args=[live_session.pk])).content.decode()
    assert "2명 참여" in summary or "2 joined" in summary
    assert cast.student.username not in _visible_text(summary)


def test_questions_are_deleted_after_thirty_days(live_session):
    old = LiveQuestion.objects.create(session=live_session, text="old")
    LiveQuestion.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    LiveQuestion.objects.create(session=live_session, text="new")
    assert delete_old_questions() == 1
    assert list(LiveQuestion.objects.values_list("text", flat=True)) == ["new"]


def test_the_pupil_start_page_offers_the_live_class_in_one_tap(client, cast, live_session):
    client.force_login(cast.student)
    home = client.get(reverse("student_home")).content.decode()
    assert reverse("live_pupil", args=[live_session.code]) in home
    client.force_login(cast.other_student)
    assert reverse("live_pupil", args=[live_session.code]) not in client.get(reverse("student_home")).content.decode()


def test_sends_without_a_socket_are_limited_like_the_socket(client, live_session):
    client.get(reverse("live_pupil", args=[live_session.code]))
    send = reverse("live_pupil_send", args=[live_session.code])
    replies = [client.post(send, json.dumps({"type": "sync"}), "application/json").status_code for _ in range(11)]
    assert replies == [200] * 10 + [429]
