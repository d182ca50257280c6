"""Writes of the curriculum: attempts, lesson progress, certificates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Certificate, LessonPage, LessonProgress, QuizAttempt
from .quiz import Result


@dataclass
class Recorded:
    attempt: QuizAttempt
    created: bool
    progress: LessonProgress | None = None
    certificate: Certificate | None = None


def lesson_open(*, student, lesson_id: int, module_id: int) -> LessonProgress:
    progress, _ = LessonProgress.objects.get_or_create(
        student=student, lesson_id=lesson_id, defaults={"module_id": module_id}
    )
    return progress


def attempt_record(
    *,
    student,
    page_id: int,
    kind: str,
    answers: dict[str, frozenset[str]],
    result: Result,
    form_token: str,
    module=None,
) -> Recorded:
    """Store one attempt and, for a lesson quiz, its effect on progress and
    the module certificate, all or nothing. The same form token twice (a
    double click, a resubmitted page) stores nothing new."""
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                student=student,
                page_id=page_id,
                kind=kind,
                answers={qid: sorted(choices) for qid, choices in answers.items()},
                correct_count=result.correct_count,
                question_count=result.question_count,
                score=result.score,
                passed=result.passed,
                form_token=form_token,
            )
            recorded = Recorded(attempt=attempt, created=True)
            if kind == QuizAttempt.Kind.QUIZ:
                recorded.progress, newly_done = _progress_after_attempt(
                    student=student, lesson_id=page_id, module_id=module.pk, result=result
                )
                if newly_done:
                    recorded.certificate = certificate_issue_if_complete(student=student, module=module)
            return recorded
    except IntegrityError:
        existing = QuizAttempt.objects.get(student=student, form_token=form_token)
        progress = LessonProgress.objects.filter(student=student, lesson_id=page_id).first()
        return Recorded(attempt=existing, created=False, progress=progress)


def _progress_after_attempt(*, student, lesson_id: int, module_id: int, result: Result) -> tuple[LessonProgress, bool]:
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(
        student=student, lesson_id=lesson_id, defaults={"module_id": module_id}
    )
    newly_done = result.passed and not progress.is_done
    progress.attempts += 1
    progress.last_score = result.score
    progress.best_score = max(progress.best_score or 0, result.score)
    if newly_done:
        progress.status = LessonProgress.Status.PASSED
        progress.completed_at = timezone.now()
    progress.save(update_fields=["attempts", "last_score", "best_score", "status", "completed_at"])
    return progress, newly_done


@transaction.atomic
def lesson_mark_read(*, student, lesson_id: int, module) -> LessonProgress:
    """A lesson without a quiz is done when the student says they read it."""
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(
        student=student, lesson_id=lesson_id, defaults={"module_id": module.pk}
    )
    if not progress.is_done:
        progress.status = LessonProgress.Status.READ
        progress.completed_at = timezone.now()
        progress.save(update_fields=["status", "completed_at"])
        certificate_issue_if_complete(student=student, module=module)
    return progress


def certificate_issue_if_complete(*, student, module) -> Certificate | None:
    """A certificate once every live lesson of the module is done. `module`
    is the source-language module page."""
    lesson_ids = set(LessonPage.objects.child_of(module).live().values_list("id", flat=True))
    done = set(
        LessonProgress.objects.filter(
            student=student, lesson_id__in=lesson_ids, status__in=LessonProgress.DONE
        ).values_list("lesson_id", flat=True)
    )
    if not lesson_ids or done != lesson_ids:
        return None
    certificate, _ = Certificate.objects.get_or_create(student=student, module_id=module.pk)
    return certificate
