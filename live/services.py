"""Writes of the live class: opening and ending a session, anonymous
questions, and what a session gives to lesson progress."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.permissions import results_may_be_stored
from curriculum import quiz
from curriculum import services as curriculum_services
from curriculum.models import ModulePage, QuizAttempt
from curriculum.selectors import source_ids

from . import state
from .disclosure import looks_like_disclosure
from .models import LiveQuestion, LiveSession, new_code
from .slides import activities_of, deck

QUESTION_MAX = 500


def session_open(*, teacher, classroom, lesson) -> LiveSession:
    """A new session with a 6-digit code no open session uses."""
    for _ in range(20):
        try:
            with transaction.atomic():
                return LiveSession.objects.create(teacher=teacher, classroom=classroom, lesson=lesson, code=new_code())
        except IntegrityError:
            continue
    raise RuntimeError("no free live code")


def session_move(
    *,
    session: LiveSession,
    slide: int | None = None,
    locked: bool | None = None,
    current: dict | None = None,
    save: bool = True,
) -> dict:
    """Go to a slide and/or change the lock; the new state. ``current``: the
    state the caller has just read, if it has; ``save=False`` leaves the
    row to session_save (the sockets save it once the class was told)."""
    current = current if current is not None else state.read(session)
    if slide is not None:
        current["slide"] = session.current_slide = slide
    if locked is not None:
        current["locked"] = session.locked = locked
    if save:
        session_save(session)
    return state.write(session.pk, current)


def session_save(session: LiveSession) -> None:
    """Keep the slide and the lock on the row: a cache that forgot resumes from it."""
    LiveSession.objects.filter(pk=session.pk).update(current_slide=session.current_slide, locked=session.locked)


def question_ask(*, session: LiveSession, text: str) -> LiveQuestion:
    """An anonymous question: only its text and time are kept."""
    return LiveQuestion.objects.create(
        session=session, text=text[:QUESTION_MAX], disclosure=looks_like_disclosure(text)
    )


def summary_of(session: LiveSession) -> dict:
    current = state.read(session)
    activities = {}
    for activity in activities_of(deck(session)).values():
        counts, total = state.counts(session.pk, activity, [o.id for o in activity.options])
        activities[activity.id] = {"counts": counts, "total": total, "words": current["words"].get(activity.id, [])}
    return {"joined": state.joined(session.pk), "activities": activities}


def session_end(*, session: LiveSession) -> LiveSession:
    """End the session: keep its summary (no names), count the quiz answers of
    signed-in pupils whose results may be stored towards their progress."""
    if not session.is_open:
        return session
    summary = summary_of(session)
    with transaction.atomic():
        updated = LiveSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), summary=summary
        )
    session.refresh_from_db()
    current = state.read(session)
    current["ended"] = True
    state.write(session.pk, current)
    if updated:
        record_progress(session=session)
    return session


def record_progress(*, session: LiveSession) -> int:
    """One quiz attempt for each pupil of the class who answered every quiz
    question and whose results may be stored now. The form token is the
    session's, so running this twice stores each attempt once."""
    lesson = session.lesson
    questions = quiz.questions_from_stream(lesson.quiz)
    if not questions:
        return 0
    pupil_ids = list(session.classroom.enrollments.values_list("student_id", flat=True))
    answered = state.pupil_answers(session.pk, pupil_ids)
    wanted = {q.id for q in questions}
    complete = {uid: a for uid, a in answered.items() if wanted <= set(a)}
    if not complete:
        return 0
    module = lesson.module
    ids = source_ids([lesson, module])
    source_module = module if ids[module.pk] == module.pk else ModulePage.objects.get(pk=ids[module.pk])
    stored = 0
    for student in get_user_model().objects.filter(pk__in=complete):
        if not results_may_be_stored(student):
            continue
        answers = {qid: frozenset(complete[student.pk][qid]) for qid in wanted}
        result = quiz.grade(questions, answers, lesson.pass_mark)
        recorded = curriculum_services.attempt_record(
            student=student,
            page_id=ids[lesson.pk],
            module=source_module,
            kind=QuizAttempt.Kind.QUIZ,
            answers=answers,
            result=result,
            form_token=f"live-{session.pk}",
        )
        stored += int(recorded.created)
    return stored


QUESTION_DAYS = 30


def questions_delete_old(*, days: int = QUESTION_DAYS) -> int:
    """The anonymous questions are kept 30 days, then deleted."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LiveQuestion.objects.filter(created_at__lt=cutoff).delete()
    return deleted
