"""Progress: the one reader of "lessons done", "finished" and "overdue", and
of the page in the reader's language. Every dashboard, start page, parent
page, reminder and digest is built on these functions, so the words mean
the same everywhere.

* A module's lessons are its live child lesson pages, in tree order.
* A lesson is **done** for a pupil when their progress row says passed (the
  quiz) or read (a lesson without a quiz), and the lesson is still live.
* A module is **finished** when it has lessons and every one of them is done.
* An assignment is **overdue** for a pupil when its due date has passed and
  the pupil has not finished it.

Progress rows, quiz attempts and assignments point at the Korean
(source-language) pages; a page in another language comes from one extra
query over the translations (none in Korean).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from wagtail.models import Page

from .models import LessonPage, LessonProgress, ModulePage

DONE = tuple(str(status) for status in LessonProgress.DONE)
# The condition on a progress row that makes its lesson done.
DONE_Q = Q(status__in=DONE, lesson__live=True)


def is_finished(*, done: int, total: int) -> bool:
    return total > 0 and done >= total


def is_overdue(*, due_on: datetime.date | None, finished: bool, on: datetime.date) -> bool:
    return due_on is not None and due_on < on and not finished


# --- Lessons of modules ------------------------------------------------------


def module_path_of(lesson_path: str) -> str:
    """The tree path of a lesson's module (lessons are the modules' children)."""
    return lesson_path[: -ModulePage.steplen]


def _children_of(modules) -> Q:
    return reduce(or_, (Q(path__startswith=m.path, depth=m.depth + 1) for m in modules))


def live_lessons(modules, *, only: tuple[str, ...] | None = None, defer: tuple[str, ...] = ()) -> dict[int, list]:
    """The live lessons of each module, by module id, in tree order (one
    query, none without modules). ``only``/``defer`` choose the columns."""
    modules = list(modules)
    result: dict[int, list] = {m.pk: [] for m in modules}
    if not modules:
        return result
    query = LessonPage.objects.live().filter(_children_of(modules)).order_by("path")
    if only:
        query = query.only("id", "path", "depth", *only)
    if defer:
        query = query.defer(*defer)
    module_by_path = {m.path: m.pk for m in modules}
    for lesson in query:
        result[module_by_path[module_path_of(lesson.path)]].append(lesson)
    return result


def live_lesson_counts(modules) -> dict[int, int]:
    """How many live lessons each module has, by module id (one query)."""
    modules = list(modules)
    result = {m.pk: 0 for m in modules}
    if not modules:
        return result
    module_by_path = {m.path: m.pk for m in modules}
    for path in Page.objects.filter(_children_of(modules), live=True).values_list("path", flat=True):
        result[module_by_path[module_path_of(path)]] += 1
    return result


# --- Lessons done ------------------------------------------------------------


def done_counts(student_ids, module_ids) -> dict[tuple[int, int], int]:
    """Lessons done per (student id, module id) (one query, none when either
    list is empty); pairs with nothing done are absent."""
    student_ids, module_ids = list(student_ids), list(module_ids)
    if not student_ids or not module_ids:
        return {}
    rows = (
        LessonProgress.objects.filter(DONE_Q, student_id__in=student_ids, module_id__in=module_ids)
        .values("student_id", "module_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "module_id", "n")
    )
    return {(student_id, module_id): n for student_id, module_id, n in rows}


def lesson_states(student_ids, lesson_ids) -> dict[tuple[int, int], LessonProgress]:
    """Each pupil's progress row per lesson, by (student id, lesson id)
    (one query), for pages that show lesson by lesson."""
    student_ids, lesson_ids = list(student_ids), list(lesson_ids)
    if not student_ids or not lesson_ids:
        return {}
    rows = LessonProgress.objects.filter(student_id__in=student_ids, lesson_id__in=lesson_ids).only(
        "student_id", "lesson_id", "module_id", "status", "attempts", "best_score"
    )
    return {(row.student_id, row.lesson_id): row for row in rows}


def is_done(row: LessonProgress | None) -> bool:
    """A progress row read with lesson_states: the lessons asked for are live."""
    return row is not None and row.status in DONE


def live_lesson_count_subquery(module_prefix: str = "") -> Coalesce:
    """The module's live lessons, as a subquery on an outer row that reaches
    the module page through ``module_prefix`` (e.g. ``"module__"``), for
    pages that read many rows in one query."""
    lessons = (
        Page.objects.filter(
            path__startswith=OuterRef(f"{module_prefix}path"), depth=OuterRef(f"{module_prefix}depth") + 1, live=True
        )
        .order_by()
        .values("depth")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(lessons, output_field=IntegerField()), 0)


def done_count_subquery(student, module_ref: str) -> Coalesce:
    """The pupil's lessons done in the module, as a subquery (``student`` is an
    id or an OuterRef, ``module_ref`` the outer field holding the module id)."""
    done = (
        LessonProgress.objects.filter(DONE_Q, student_id=student, module_id=OuterRef(module_ref))
        .order_by()
        .values("module_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), 0)


# --- The page in the reader's language -----------------------------------------


def active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def translations(pages, language: str | None = None, *, model=Page, fields=("title",)) -> dict:
    """Live translations of these source pages in ``language``, by
    translation key (one query; none in the source language)."""
    language = language or active_language()
    pages = list(pages)
    if language == settings.LANGUAGE_CODE or not pages:
        return {}
    keys = {p.translation_key for p in pages}
    found = model.objects.filter(translation_key__in=keys, locale__language_code=language, live=True).only(
        "id", "translation_key", "url_path", "locale_id", "depth", "path", "live", *fields
    )
    return {p.translation_key: p for p in found}


def localized(pages, language: str | None = None) -> dict[int, Page]:
    """Source page id → the page in the reader's language; a missing or draft
    translation falls back to the source page (one query at most)."""
    pages = list(pages)
    found = translations(pages, language)
    return {p.pk: found.get(p.translation_key, p) for p in pages}


def localized_titles(pages, language: str | None = None) -> dict[int, str]:
    """Each source page's title in the reader's language (one query at most)."""
    return {pk: page.title for pk, page in localized(pages, language).items()}


def lessons_by_module_path(lessons) -> dict[str, list]:
    by_path: dict[str, list] = defaultdict(list)
    for lesson in lessons:
        by_path[module_path_of(lesson.path)].append(lesson)
    return by_path
