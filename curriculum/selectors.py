"""Reads for curriculum pages, written with query counts in mind: a page asks
for what it shows in a fixed number of queries, whatever the history."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Locale, Page

from accounts import permissions as roles

from . import progress
from .models import Certificate, LessonPage, LessonProgress, ModulePage, QuizAttempt
from .permissions import can_open_module, records_progress

_SOURCE_LOCALE_ID: dict[str, int] = {}


def _source_locale() -> Locale:
    return Locale.objects.get(language_code=settings.LANGUAGE_CODE)


def source_locale_id() -> int:
    """The Korean locale's id, cached for the process (locales never change)."""
    if settings.LANGUAGE_CODE not in _SOURCE_LOCALE_ID:
        _SOURCE_LOCALE_ID[settings.LANGUAGE_CODE] = _source_locale().pk
    return _SOURCE_LOCALE_ID[settings.LANGUAGE_CODE]


def source_ids(pages) -> dict[int, int]:
    """Map each page's id to the id of its source-language page (one query,
    none when the pages are already in the source language)."""
    pages = list(pages)
    locale_id = source_locale_id()
    result = {p.pk: p.pk for p in pages if p.locale_id == locale_id}
    others = [p for p in pages if p.locale_id != locale_id]
    if others:
        # Which source page a translation belongs to never changes: cache it.
        keys = {p.pk: f"source-id:{p.translation_key}" for p in others}
        cached = cache.get_many(keys.values())
        missing = [p for p in others if keys[p.pk] not in cached]
        if missing:
            found = dict(
                Page.objects.filter(
                    translation_key__in=[p.translation_key for p in missing], locale_id=locale_id
                ).values_list("translation_key", "id")
            )
            fresh = {f"source-id:{k}": v for k, v in found.items()}
            cache.set_many(fresh, 60 * 60 * 24)
            cached.update(fresh)
        for p in others:
            if keys[p.pk] in cached:
                result[p.pk] = cached[keys[p.pk]]
    return result


def source_id(page) -> int:
    return source_ids([page])[page.pk]


def modules_for_section(section, user) -> list[dict]:
    """The modules of a section with their lesson counts and, for a learner
    whose results are kept, the lessons done (curriculum.progress)."""
    modules = list(ModulePage.objects.child_of(section).live().order_by("sort_order", "path"))
    counts = progress.live_lesson_counts(modules)
    done = {}
    if records_progress(user) and modules:
        ids = source_ids(modules)
        by_source = progress.done_counts([user.pk], ids.values())
        done = {m.pk: by_source.get((user.pk, ids.get(m.pk)), 0) for m in modules}
    return [
        {
            "page": m,
            "lesson_count": counts[m.pk],
            "done_count": done.get(m.pk, 0),
            "locked": not can_open_module(user, m),
        }
        for m in modules
    ]


def module_overview(module: ModulePage, user) -> dict:
    lessons = list(LessonPage.objects.child_of(module).live().order_by("path"))
    overview = {
        "lessons": [{"page": lesson, "progress": None} for lesson in lessons],
        "certificate": None,
        "pre_attempt": None,
        "post_attempt": None,
        "parent_lesson": None,
        "done_count": 0,
    }
    if module.parent_lesson_id:
        overview["parent_lesson"] = (
            LessonPage.objects.live()
            .filter(translation_key=_translation_key(module.parent_lesson_id))
            .filter(locale_id=module.locale_id)
            .first()
        )
    if not records_progress(user):
        return overview
    ids = source_ids([module, *lessons])
    states = {
        row.lesson_id: row
        for row in LessonProgress.objects.filter(student=user, lesson_id__in=[ids[x.pk] for x in lessons])
    }
    for item in overview["lessons"]:
        item["progress"] = states.get(ids[item["page"].pk])
    overview["done_count"] = sum(1 for row in states.values() if progress.is_done(row))
    checks = {}
    for attempt in QuizAttempt.objects.filter(student=user, page_id=ids[module.pk], kind__in=["pre", "post"]).order_by(
        "created_at"
    ):
        checks.setdefault(attempt.kind, attempt)
    overview["pre_attempt"] = checks.get("pre")
    overview["post_attempt"] = checks.get("post")
    overview["certificate"] = Certificate.objects.filter(student=user, module_id=ids[module.pk]).first()
    return overview


def _translation_key(page_id: int):
    return Page.objects.filter(pk=page_id).values("translation_key")[:1]


def lesson_progress(lesson: LessonPage, user, lesson_source_id: int) -> LessonProgress | None:
    if not records_progress(user):
        return None
    return LessonProgress.objects.filter(student=user, lesson_id=lesson_source_id).first()


def jurisdiction_of(user) -> str:
    """The jurisdiction of the person's school, else the platform default."""
    jurisdictions = roles.roles_of(user).jurisdictions
    return min(jurisdictions) if jurisdictions else settings.DEFAULT_JURISDICTION


def next_lesson(lesson: LessonPage) -> LessonPage | None:
    return lesson.next_lesson
