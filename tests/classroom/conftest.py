"""Helpers of the classroom tests: the real middle-school module of the test
curriculum, students in bulk, and quiz answers right or wrong on purpose."""

import datetime

import pytest
from django.utils import timezone

from classroom.models import Assignment
from curriculum.models import LessonPage, ModulePage
from curriculum.quiz import grade, questions_from_stream
from curriculum.services import attempt_record, lesson_open
from schools.models import Role
from tests.factories import EnrollmentFactory, MembershipFactory, StudentFactory

MODULE_SLUG = "middle-harm-law-response"


def source_module(slug=MODULE_SLUG) -> ModulePage:
    return ModulePage.objects.get(slug=slug, locale__language_code="ko")


def lessons_of(module) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(module).live().order_by("path"))


def answers_for(stream, wrong=(), pick=None):
    """Answers to every question: right, except the question indexes in
    `wrong`, answered with their first wrong choice (or `pick[index]`)."""
    questions = questions_from_stream(stream)
    answers = {}
    for index, q in enumerate(questions):
        if index in wrong:
            choice = (pick or {}).get(index) or sorted(q.choice_ids - q.correct_ids)[0]
            answers[q.id] = frozenset([choice])
        else:
            answers[q.id] = q.correct_ids
    return answers, questions


_tokens = iter(range(10**9))


def take_quiz(student, lesson, module, wrong=(), pick=None):
    lesson_open(student=student, lesson_id=lesson.pk, module_id=module.pk)
    answers, questions = answers_for(lesson.quiz, wrong, pick)
    return attempt_record(
        student=student,
        page_id=lesson.pk,
        kind="quiz",
        answers=answers,
        result=grade(questions, answers, lesson.pass_mark),
        form_token=f"test-token-{next(_tokens)}",
        module=module,
    )


def take_check(student, module, kind, wrong=()):
    stream = module.precheck if kind == "pre" else module.postcheck
    answers, questions = answers_for(stream, wrong)
    return attempt_record(
        student=student,
        page_id=module.pk,
        kind=kind,
        answers=answers,
        result=grade(questions, answers, pass_mark=0),
        form_token=f"test-token-{next(_tokens)}",
    )


def add_students(classroom, n, start=1):
    students = []
    for number in range(start, start + n):
        student = StudentFactory(display_name=f"학생{number:02d}")
        MembershipFactory(user=student, school=classroom.school, role=Role.STUDENT)
        EnrollmentFactory(classroom=classroom, student=student, student_number=number)
        students.append(student)
    return students


def assign(classroom, module, *, opens=-7, due=7, position=None, requires_previous=False, by=None):
    today = timezone.localdate()
    return Assignment.objects.create(
        classroom=classroom,
        module=module,
        opens_on=today + datetime.timedelta(days=opens),
        due_on=today + datetime.timedelta(days=due),
        position=position if position is not None else classroom.assignments.count() + 1,
        requires_previous=requires_previous,
        created_by=by,
    )


@pytest.fixture
def module(db):
    return source_module()
