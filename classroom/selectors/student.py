"""The student start page: the modules assigned in the student's classes,
how far they are, what is locked, reminders and certificates. Built on
``curriculum.progress``."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from curriculum import progress
from curriculum.models import Certificate, ModulePage

from ..models import Assignment, Enrollment, Notice
from .completion import locked_assignments, today


@dataclass
class StudentModule:
    module: ModulePage
    title: str
    url: str
    opens_on: datetime.date
    due_on: datetime.date
    total: int = 0
    done: int = 0
    locked: bool = False
    locked_after: str = ""
    next_url: str = ""
    next_title: str = ""
    started: bool = False
    notice_ids: list[int] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return progress.is_finished(done=self.done, total=self.total)

    def is_open(self, on: datetime.date) -> bool:
        return self.opens_on <= on and not self.locked

    def is_overdue(self, on: datetime.date) -> bool:
        return progress.is_overdue(due_on=self.due_on, finished=self.finished, on=on)


def student_start(user, *, language: str | None = None, on: datetime.date | None = None) -> dict:
    """Everything the student start page shows, in at most seven queries:
    classes, assignments, lessons, own progress, open notices, certificates,
    and (in a translated language) the translations."""
    language = language or progress.active_language()
    on = on or today()
    enrollments = list(
        Enrollment.objects.filter(student=user, classroom__archived_at__isnull=True).select_related(
            "classroom", "classroom__school"
        )
    )
    class_ids = [e.classroom_id for e in enrollments]
    assignments = (
        list(
            Assignment.objects.filter(classroom_id__in=class_ids)
            .select_related("module")
            .defer("module__precheck", "module__postcheck", "module__objectives")
            .order_by("classroom_id", "position", "due_on", "id")
        )
        if class_ids
        else []
    )
    modules = {a.module_id: a.module for a in assignments}
    lessons_by_module = progress.live_lessons(
        modules.values(), only=("title", "url_path", "translation_key", "locale_id")
    )
    lessons = [lesson for module_lessons in lessons_by_module.values() for lesson in module_lessons]
    states = {
        lesson_id: state.status
        for (_s, lesson_id), state in progress.lesson_states([user.pk], [p.pk for p in lessons]).items()
    }
    notices = (
        list(
            Notice.objects.filter(
                student=user, dismissed_at__isnull=True, assignment_id__in=[a.pk for a in assignments]
            ).values_list("id", "assignment_id")
        )
        if assignments
        else []
    )
    certificates = list(
        Certificate.objects.filter(student=user)
        .select_related("module")
        .only("id", "code", "issued_at", "module__title", "module__url_path", "module__translation_key", "module__path")
        .order_by("-issued_at")
    )
    translations = progress.translations(
        [*modules.values(), *lessons, *(c.module for c in certificates)], language, fields=("title",)
    )

    def local(page):
        return translations.get(page.translation_key) or page

    def url_of(page) -> str:
        # Without the request: with it Wagtail looks up the Site (a query).
        return local(page).get_url() or ""

    done_modules = set()
    for module_id in modules:
        module_lessons = lessons_by_module[module_id]
        if module_lessons and all(states.get(p.pk) in progress.DONE for p in module_lessons):
            done_modules.add(module_id)

    by_module: dict[int, StudentModule] = {}
    locked_in: dict[int, list[bool]] = defaultdict(list)
    by_class: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_class[a.classroom_id].append(a)
    for class_assignments in by_class.values():
        locked = locked_assignments(class_assignments, done_modules)
        previous = None
        for a in class_assignments:
            is_locked = a.pk in locked
            locked_in[a.module_id].append(is_locked)
            item = by_module.get(a.module_id)
            if item is None:
                module = a.module
                module_lessons = lessons_by_module[a.module_id]
                item = by_module[a.module_id] = StudentModule(
                    module=module,
                    title=local(module).title,
                    url=url_of(module),
                    opens_on=a.opens_on,
                    due_on=a.due_on,
                    total=len(module_lessons),
                    done=sum(1 for p in module_lessons if states.get(p.pk) in progress.DONE),
                    started=any(p.pk in states for p in module_lessons),
                )
                upcoming = next((p for p in module_lessons if states.get(p.pk) not in progress.DONE), None)
                if upcoming is not None:
                    item.next_url, item.next_title = url_of(upcoming), local(upcoming).title
            else:
                # The same module in several classes: the earliest dates count.
                item.opens_on = min(item.opens_on, a.opens_on)
                item.due_on = min(item.due_on, a.due_on)
            if is_locked and previous is not None and not item.locked_after:
                item.locked_after = local(previous.module).title
            item.assignment_ids.append(a.pk)
            previous = a
    for module_id, flags in locked_in.items():
        # Locked only if no class has opened it.
        by_module[module_id].locked = all(flags)
    for notice_id, assignment_id in notices:
        for item in by_module.values():
            if assignment_id in item.assignment_ids and not item.finished:
                item.notice_ids.append(notice_id)

    items = sorted(by_module.values(), key=lambda m: (m.finished, m.due_on, m.title))
    reminders = [m for m in items if m.notice_ids]
    return {
        "classrooms": [e.classroom for e in enrollments],
        "modules": items,
        "reminders": reminders,
        "certificates": [
            {"certificate": c, "title": local(c.module).title, "url": url_of(c.module)} for c in certificates
        ],
        "today": on,
    }
