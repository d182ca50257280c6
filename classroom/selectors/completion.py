"""Completion of whole classes (teacher start page, school admin, digests)
and who has not finished what (reminders). Built on ``curriculum.progress``,
the one reader of "done", "finished" and "overdue"."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from curriculum import progress
from schools.models import School

from ..models import Assignment, Classroom, Enrollment


def today() -> datetime.date:
    return timezone.localdate()


@dataclass
class Completion:
    students: int = 0
    assignments: int = 0
    lessons: int = 0
    done: int = 0

    @property
    def percent(self) -> int:
        possible = self.students * self.lessons
        return (self.done * 100) // possible if possible else 0


def _active_students(class_ids) -> dict[int, list[int]]:
    students: dict[int, list[int]] = defaultdict(list)
    for classroom_id, student_id in Enrollment.objects.filter(
        classroom_id__in=list(class_ids), student__is_active=True
    ).values_list("classroom_id", "student_id"):
        students[classroom_id].append(student_id)
    return students


def class_completion(classrooms) -> dict[int, Completion]:
    """Completion of each class: lessons done by its active students out of
    every lesson of its assigned modules (four queries for any number of
    classes, none without classes)."""
    ids = [c.pk for c in classrooms]
    result = {pk: Completion() for pk in ids}
    if not ids:
        return result
    students = _active_students(ids)
    for classroom_id, student_ids in students.items():
        result[classroom_id].students = len(student_ids)
    assigned = list(
        Assignment.objects.filter(classroom_id__in=ids)
        .select_related("module")
        .only("classroom_id", "module__path", "module__depth")
    )
    if not assigned:
        return result
    modules = {a.module_id: a.module for a in assigned}
    totals = progress.live_lesson_counts(modules.values())
    done = progress.done_counts({s for ids_ in students.values() for s in ids_}, modules)
    for a in assigned:
        completion = result[a.classroom_id]
        completion.assignments += 1
        completion.lessons += totals[a.module_id]
        completion.done += sum(done.get((s, a.module_id), 0) for s in students[a.classroom_id])
    return result


def teacher_classrooms(base_queryset) -> dict:
    """The teacher start page: current and archived classes with completion."""
    classrooms = list(base_queryset.select_related("school").order_by("-school_year", "grade", "name"))
    completion = class_completion([c for c in classrooms if c.archived_at is None])
    current = [{"classroom": c, "completion": completion[c.pk]} for c in classrooms if c.archived_at is None]
    archived = [c for c in classrooms if c.archived_at is not None]
    return {"current": current, "archived": archived}


def school_overview(school_ids) -> list[dict]:
    """Every class of these schools with its teachers and completion (a fixed
    number of queries whatever the number of schools and classes)."""
    schools = list(School.objects.filter(pk__in=list(school_ids)).order_by("name"))
    classrooms = list(
        Classroom.objects.filter(school_id__in=[s.pk for s in schools])
        .prefetch_related("teachers")
        .order_by("archived_at", "-school_year", "grade", "name")
    )
    completion = class_completion([c for c in classrooms if c.archived_at is None])
    by_school: dict[int, list] = defaultdict(list)
    for c in classrooms:
        by_school[c.school_id].append({"classroom": c, "completion": completion.get(c.pk)})
    return [{"school": s, "classes": by_school[s.pk]} for s in schools]


def locked_assignments(assignments, finished: set[int]) -> set[int]:
    """Assignment ids (of one class, in order) that are locked for a student
    who finished the modules in `finished`: a module that opens when the one
    before is done stays locked until then."""
    locked = set()
    previous = None
    for assignment in assignments:
        if assignment.requires_previous and previous is not None and previous.module_id not in finished:
            locked.add(assignment.pk)
        previous = assignment
    return locked


def unfinished_students(classroom, *, on: datetime.date | None = None) -> dict[Assignment, list[int]]:
    """For each assignment of the class that is open and unlocked, the active
    students who have not finished it (four queries)."""
    on = on or today()
    assignments = list(classroom.assignments.select_related("module").order_by("position", "due_on", "id"))
    student_ids = _active_students([classroom.pk])[classroom.pk]
    if not assignments or not student_ids:
        return {}
    totals = progress.live_lesson_counts(a.module for a in assignments)
    done = progress.done_counts(student_ids, totals)
    result: dict[Assignment, list[int]] = {a: [] for a in assignments}
    for student_id in student_ids:
        finished = {
            a.module_id
            for a in assignments
            if progress.is_finished(done=done.get((student_id, a.module_id), 0), total=totals[a.module_id])
        }
        locked = locked_assignments(assignments, finished)
        for a in assignments:
            if a.opens_on > on or a.pk in locked or a.module_id in finished:
                continue
            result[a].append(student_id)
    return {a: ids for a, ids in result.items() if ids}


def overdue_by_teacher(*, on: datetime.date, days: int) -> dict[int, list[dict]]:
    """For the daily digest: per teacher, their classes with assignments that
    fell due in the last `days` days, and how many students have not finished
    them (overdue for them). Counts and class names only (five queries)."""
    assignments = list(
        Assignment.objects.filter(
            due_on__lt=on, due_on__gte=on - datetime.timedelta(days=days), classroom__archived_at__isnull=True
        )
        .select_related("classroom", "module")
        .order_by("classroom_id", "position", "id")
    )
    if not assignments:
        return {}
    class_ids = {a.classroom_id for a in assignments}
    teachers = defaultdict(set)
    for classroom_id, teacher_id in Classroom.teachers.through.objects.filter(classroom_id__in=class_ids).values_list(
        "classroom_id", "user_id"
    ):
        teachers[classroom_id].add(teacher_id)
    students = _active_students(class_ids)
    totals = progress.live_lesson_counts({a.module_id: a.module for a in assignments}.values())
    done = progress.done_counts({s for ids in students.values() for s in ids}, totals)
    per_class: dict[int, dict] = {}
    for a in assignments:
        if not totals[a.module_id]:
            continue  # nothing to do in a module without lessons
        late = {
            s
            for s in students[a.classroom_id]
            if progress.is_overdue(
                due_on=a.due_on,
                finished=progress.is_finished(done=done.get((s, a.module_id), 0), total=totals[a.module_id]),
                on=on,
            )
        }
        if not late:
            continue
        entry = per_class.setdefault(a.classroom_id, {"classroom": a.classroom, "assignments": 0, "students": set()})
        entry["assignments"] += 1
        entry["students"] |= late
    result: dict[int, list[dict]] = defaultdict(list)
    for classroom_id, entry in per_class.items():
        summary = {
            "classroom": entry["classroom"],
            "assignments": entry["assignments"],
            "students": len(entry["students"]),
        }
        for teacher_id in teachers[classroom_id]:
            result[teacher_id].append(summary)
    return dict(result)


def taken_numbers(classroom) -> dict[int, str]:
    """Student numbers already used in the class, with whose they are."""
    return {
        number: str(name or username)
        for number, name, username in classroom.enrollments.filter(student_number__isnull=False).values_list(
            "student_number", "student__display_name", "student__username"
        )
    }
