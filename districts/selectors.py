"""Reads of the education office: how far the assigned lessons reached,
per school, grade and band, this school year; never per pupil.

Completion comes from the classroom's ``class_completion`` (the one reader
of "done" through ``curriculum.progress``), summed per school and grade:
lessons done by the active pupils of current classes out of every lesson of
their assigned modules. Learning gain is the mean of each pupil's first
post-check minus first pre-check, per school.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from classroom.models import Classroom, Enrollment
from classroom.selectors import class_completion
from curriculum.models import QuizAttempt
from curriculum.permissions import band_for_grade
from schools.models import School

DEFAULT_THRESHOLD = 80


@dataclass
class Reach:
    """Completion and gain of a group of classes (a school, or a grade)."""

    students: int = 0
    lessons: int = 0  # lessons assigned to the group, counted once per pupil
    done: int = 0
    classes: int = 0
    gains: list[int] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return (self.done * 100) // self.lessons if self.lessons else 0

    @property
    def gain(self) -> float | None:
        return round(sum(self.gains) / len(self.gains), 1) if self.gains else None

    def add(self, completion) -> None:
        self.classes += 1
        self.students += completion.students
        self.lessons += completion.students * completion.lessons
        self.done += completion.done


@dataclass
class SchoolReach:
    school: School
    reach: Reach
    below: bool = False


def current_year(district) -> int | None:
    """The latest school year of any class in the district."""
    return (
        Classroom.objects.filter(school__district=district)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .first()
    )


def _classes(schools, school_year):
    return list(
        Classroom.objects.filter(school__in=schools, school_year=school_year, archived_at__isnull=True).only(
            "id", "school_id", "grade", "school_year"
        )
    )


def _gains(classes) -> dict[int, list[int]]:
    """Per pupil: the gain (first post minus first pre) of each module, by
    the pupil's school (two queries)."""
    school_of = dict(
        Enrollment.objects.filter(classroom__in=classes, student__is_active=True).values_list(
            "student_id", "classroom__school_id"
        )
    )
    if not school_of:
        return {}
    first = (
        QuizAttempt.objects.filter(student_id__in=list(school_of), kind__in=["pre", "post"])
        .values("student_id", "page_id", "kind")
        .annotate(first=Min("id"))
        .values("first")
    )
    scores: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for student_id, page_id, kind, score in QuizAttempt.objects.filter(pk__in=first).values_list(
        "student_id", "page_id", "kind", "score"
    ):
        scores[(student_id, page_id)][kind] = score
    gains: dict[int, list[int]] = defaultdict(list)
    for (student_id, _page), pair in scores.items():
        if "pre" in pair and "post" in pair:
            gains[school_of[student_id]].append(pair["post"] - pair["pre"])
    return gains


def _district_reach(district, school_year: int | None) -> dict:
    """The raw figures of every school of the district (independent of the
    threshold): what the rollup keeps."""
    school_year = school_year or current_year(district)
    schools = list(School.objects.filter(district=district).order_by("name"))
    classes = _classes(schools, school_year) if school_year else []
    completion = class_completion(classes)
    gains = _gains(classes) if classes else {}
    reach = {s.pk: Reach() for s in schools}
    grades: dict[int, dict[int, Reach]] = defaultdict(lambda: defaultdict(Reach))
    for classroom in classes:
        reach[classroom.school_id].add(completion[classroom.pk])
        grades[classroom.school_id][classroom.grade].add(completion[classroom.pk])
    for school in schools:
        reach[school.pk].gains = gains.get(school.pk, [])
    level_of = {s.pk: s.level for s in schools}
    by_grade = {
        school_id: [
            {"grade": grade, "band": band_for_grade(level_of[school_id], grade), "reach": per_grade[grade]}
            for grade in sorted(per_grade)
        ]
        for school_id, per_grade in grades.items()
    }
    return {
        "school_year": school_year,
        "schools": schools,
        "reach": reach,
        "by_grade": by_grade,
        "computed_at": timezone.now(),
    }


# The office's figures at national size (hundreds of schools, tens of
# thousands of pupils per office) take seconds to add up, so they are kept
# as a rollup per office in the cache: Celery beat refreshes every office's
# every OFFICE_ROLLUP_SECONDS (districts.tasks), and a missing rollup is
# computed on the spot. The page says when its figures were added up; they
# are at most OFFICE_ROLLUP_SECONDS (plus the time to add them up) old.
ROLLUP_KEY = "office-rollup:v1:{}"


def _rollup_key(district) -> str:
    return ROLLUP_KEY.format(district.pk)


def refresh_rollup(district) -> dict:
    rollup = _district_reach(district, None)
    cache.set(_rollup_key(district), rollup, settings.OFFICE_ROLLUP_SECONDS * 3)
    return rollup


def district_rollup(district) -> dict:
    rollup = cache.get(_rollup_key(district))
    return rollup if rollup is not None else refresh_rollup(district)


def forget_rollup(district) -> None:
    """After a change the office should see at once (schools imported)."""
    cache.delete(_rollup_key(district))
    transaction.on_commit(lambda: cache.delete(_rollup_key(district)))


def office_overview(district, *, school_year: int | None = None, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """Every school of the district with its completion and gain, the schools
    below the threshold first (lowest first), then the rest by name. The
    current year comes from the rollup (no query when it is kept); another
    year is added up on the spot, in a fixed number of queries."""
    data = district_rollup(district) if school_year is None else _district_reach(district, school_year)
    rows = []
    for school in data["schools"]:
        r = data["reach"][school.pk]
        rows.append(SchoolReach(school=school, reach=r, below=r.percent < threshold))
    rows.sort(key=lambda row: (not row.below, row.reach.percent if row.below else 0, row.school.name))
    total = Reach()
    for row in rows:
        total.students += row.reach.students
        total.lessons += row.reach.lessons
        total.done += row.reach.done
        total.classes += row.reach.classes
        total.gains += row.reach.gains
    return {
        "school_year": data["school_year"],
        "schools": rows,
        "total": total,
        "threshold": threshold,
        "by_grade": data["by_grade"],
        "computed_at": data["computed_at"],
    }


def school_by_grade(school, *, school_year: int | None = None) -> dict:
    """One school's completion per grade (with the grade's band); no pupil."""
    school_year = school_year or current_year(school.district)
    classes = _classes([school], school_year) if school_year else []
    completion = class_completion(classes)
    grades: dict[int, Reach] = defaultdict(Reach)
    for classroom in classes:
        grades[classroom.grade].add(completion[classroom.pk])
    gains = _gains(classes) if classes else {}
    total = Reach(gains=gains.get(school.pk, []))
    for classroom in classes:
        total.add(completion[classroom.pk])
    rows = [
        {"grade": grade, "band": band_for_grade(school.level, grade), "reach": grades[grade]}
        for grade in sorted(grades)
    ]
    return {"school_year": school_year, "grades": rows, "total": total}
