"""Reads of the classroom, written with query counts in mind: each page asks
for what it shows in a fixed number of queries, whatever the number of
students, lessons or attempts.

Progress rows, quiz attempts and assignments always point at the Korean
(source-language) pages. Titles, quiz texts and links in another language
come from one extra query over the translations.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from wagtail.models import Page

from curriculum.models import Certificate, LessonPage, LessonProgress, ModulePage, QuizAttempt
from schools.models import School

from .models import Assignment, Classroom, Enrollment, Notice

DONE = tuple(str(s) for s in LessonProgress.DONE)


def today() -> datetime.date:
    return timezone.localdate()


def _active_language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _lesson_filter(modules) -> Q:
    """The live lessons of these modules, as one condition (lessons are the
    modules' direct children in the page tree)."""
    return reduce(or_, (Q(path__startswith=m.path, depth=m.depth + 1) for m in modules))


def _module_path(lesson_path: str) -> str:
    return lesson_path[: -ModulePage.steplen]


def _translations(pages, language: str, *, model=Page, fields=("title",)) -> dict[str, object]:
    """Translations of these source pages in `language`, by translation key
    (one query; none when the language is the source language)."""
    if language == settings.LANGUAGE_CODE or not pages:
        return {}
    keys = {p.translation_key for p in pages}
    found = model.objects.filter(translation_key__in=keys, locale__language_code=language, live=True).only(
        "id", "translation_key", "url_path", "locale_id", "depth", "path", *fields
    )
    return {p.translation_key: p for p in found}


# --------------------------------------------------------------------------
# Completion of whole classes: teacher start page, school admin, digests
# --------------------------------------------------------------------------


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


def class_completion(classrooms) -> dict[int, Completion]:
    """Completion of each class: lessons done by its active students out of
    every lesson of its assigned modules (four queries for any number of
    classes)."""
    ids = [c.pk for c in classrooms]
    result = {pk: Completion() for pk in ids}
    if not ids:
        return result
    for row in (
        Enrollment.objects.filter(classroom_id__in=ids, student__is_active=True)
        .values("classroom_id")
        .annotate(n=Count("id"))
    ):
        result[row["classroom_id"]].students = row["n"]
    assigned = list(
        Assignment.objects.filter(classroom_id__in=ids).values_list(
            "classroom_id", "module_id", "module__path", "module__depth"
        )
    )
    if not assigned:
        return result
    modules = {module_id: (path, depth) for _c, module_id, path, depth in assigned}
    lesson_rows = list(
        LessonPage.objects.live()
        .filter(reduce(or_, (Q(path__startswith=p, depth=d + 1) for p, d in modules.values())))
        .values_list("id", "path")
    )
    lessons_per_path: dict[str, int] = defaultdict(int)
    for _id, path in lesson_rows:
        lessons_per_path[_module_path(path)] += 1
    lessons_per_module = {m: lessons_per_path.get(path, 0) for m, (path, _d) in modules.items()}
    modules_of_class: dict[int, set[int]] = defaultdict(set)
    for classroom_id, module_id, _p, _d in assigned:
        modules_of_class[classroom_id].add(module_id)
        result[classroom_id].assignments += 1
        result[classroom_id].lessons += lessons_per_module[module_id]
    done_rows = (
        LessonProgress.objects.filter(
            status__in=DONE,
            lesson_id__in=[lesson_id for lesson_id, _p in lesson_rows],
            student__is_active=True,
            student__enrollments__classroom_id__in=ids,
        )
        .values("student__enrollments__classroom_id", "module_id")
        .annotate(n=Count("id"))
    )
    for row in done_rows:
        classroom_id = row["student__enrollments__classroom_id"]
        if row["module_id"] in modules_of_class[classroom_id]:
            result[classroom_id].done += row["n"]
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


# --------------------------------------------------------------------------
# Who finished what: shared by the dashboard, reminders and digests
# --------------------------------------------------------------------------


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
    students who have not finished it (five queries)."""
    on = on or today()
    assignments = list(classroom.assignments.select_related("module").order_by("position", "due_on", "id"))
    student_ids = list(classroom.enrollments.filter(student__is_active=True).values_list("student_id", flat=True))
    if not assignments or not student_ids:
        return {}
    modules = [a.module for a in assignments]
    lessons = list(LessonPage.objects.live().filter(_lesson_filter(modules)).values_list("id", "path"))
    total = defaultdict(int)
    for _id, path in lessons:
        total[_module_path(path)] += 1
    done = defaultdict(int)
    for student_id, module_id, n in (
        LessonProgress.objects.filter(
            student_id__in=student_ids, lesson_id__in=[i for i, _p in lessons], status__in=DONE
        )
        .values("student_id", "module_id")
        .annotate(n=Count("id"))
        .values_list("student_id", "module_id", "n")
    ):
        done[(student_id, module_id)] = n
    result = {}
    for assignment in assignments:
        result[assignment] = []
    for student_id in student_ids:
        finished = {a.module_id for a in assignments if done[(student_id, a.module_id)] >= total[a.module.path] > 0}
        locked = locked_assignments(assignments, finished)
        for assignment in assignments:
            if assignment.opens_on > on or assignment.pk in locked or assignment.module_id in finished:
                continue
            result[assignment].append(student_id)
    return {a: ids for a, ids in result.items() if ids}


def overdue_by_teacher(*, on: datetime.date, days: int) -> dict[int, list[dict]]:
    """For the daily digest: per teacher, their classes with assignments that
    fell due in the last `days` days, and how many students have not finished
    them. Counts and class names only (a fixed number of queries)."""
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
    students = defaultdict(list)
    for classroom_id, student_id in Enrollment.objects.filter(
        classroom_id__in=class_ids, student__is_active=True
    ).values_list("classroom_id", "student_id"):
        students[classroom_id].append(student_id)
    modules = {a.module_id: a.module for a in assignments}
    lessons = list(LessonPage.objects.live().filter(_lesson_filter(modules.values())).values_list("id", "path"))
    total = defaultdict(int)
    for _id, path in lessons:
        total[_module_path(path)] += 1
    done = defaultdict(int)
    for classroom_id, student_id, module_id, n in (
        LessonProgress.objects.filter(
            lesson_id__in=[i for i, _p in lessons],
            status__in=DONE,
            student__enrollments__classroom_id__in=class_ids,
        )
        .values("student__enrollments__classroom_id", "student_id", "module_id")
        .annotate(n=Count("id"))
        .values_list("student__enrollments__classroom_id", "student_id", "module_id", "n")
    ):
        done[(classroom_id, student_id, module_id)] = n
    per_class: dict[int, dict] = {}
    for a in assignments:
        needed = total[a.module.path]
        unfinished = sum(1 for s in students[a.classroom_id] if done[(a.classroom_id, s, a.module_id)] < needed)
        if not unfinished:
            continue
        entry = per_class.setdefault(a.classroom_id, {"classroom": a.classroom, "assignments": 0, "students": set()})
        entry["assignments"] += 1
        entry["students"].update(s for s in students[a.classroom_id] if done[(a.classroom_id, s, a.module_id)] < needed)
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


# --------------------------------------------------------------------------
# The class dashboard
# --------------------------------------------------------------------------

NOT_STARTED = "not_started"


@dataclass
class Cell:
    status: str = NOT_STARTED
    attempts: int = 0
    best_score: int | None = None

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass
class LessonColumn:
    lesson: LessonPage
    title: str
    module_id: int
    has_quiz: bool


@dataclass
class StudentRow:
    enrollment: Enrollment
    cells: list[Cell]
    done: int = 0
    total: int = 0
    gain: float | None = None

    @property
    def student(self):
        return self.enrollment.student

    @property
    def percent(self) -> int:
        return (self.done * 100) // self.total if self.total else 0


@dataclass
class ModuleSummary:
    assignment: Assignment
    title: str
    url: str
    lessons: list[LessonColumn]
    students: int = 0
    finished: int = 0
    done: int = 0
    pre_mean: float | None = None
    post_mean: float | None = None
    both: int = 0
    overdue: bool = False

    @property
    def lesson_count(self) -> int:
        return len(self.lessons)

    @property
    def percent_finished(self) -> int:
        return (self.finished * 100) // self.students if self.students else 0

    @property
    def percent_done(self) -> int:
        possible = self.students * self.lesson_count
        return (self.done * 100) // possible if possible else 0

    @property
    def gain(self) -> float | None:
        if self.pre_mean is None or self.post_mean is None:
            return None
        return round(self.post_mean - self.pre_mean, 1)


@dataclass
class ChoiceStat:
    id: str
    text: str
    correct: bool
    chosen: int = 0


@dataclass
class QuestionStat:
    number: int
    id: str
    prompt: str
    kind: str
    choices: list[ChoiceStat]
    answered: int = 0
    correct: int = 0

    @property
    def percent_correct(self) -> int | None:
        return (self.correct * 100) // self.answered if self.answered else None

    @property
    def top_wrong(self) -> ChoiceStat | None:
        wrong = [c for c in self.choices if not c.correct and c.chosen]
        return max(wrong, key=lambda c: c.chosen) if wrong else None


@dataclass
class LessonItems:
    column: LessonColumn
    attempts: int
    questions: list[QuestionStat]


@dataclass
class Dashboard:
    classroom: Classroom
    modules: list[ModuleSummary]
    columns: list[LessonColumn]
    rows: list[StudentRow]
    items: list[LessonItems]
    pre_mean: float | None = None
    post_mean: float | None = None
    both: int = 0
    today: datetime.date = field(default_factory=today)

    @property
    def done(self) -> int:
        return sum(r.done for r in self.rows)

    @property
    def possible(self) -> int:
        return len(self.rows) * len(self.columns)

    @property
    def percent(self) -> int:
        return (self.done * 100) // self.possible if self.possible else 0

    @property
    def gain(self) -> float | None:
        if self.pre_mean is None or self.post_mean is None:
            return None
        return round(self.post_mean - self.pre_mean, 1)


def _mean(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def class_dashboard(classroom: Classroom, *, language: str | None = None, on: datetime.date | None = None) -> Dashboard:
    """Students × lessons of the assigned modules, completion, pre/post gain
    and item analysis. Six queries (eight in a translated language), whatever
    the size of the class or the number of attempts.

    Learning gain and item analysis use each student's FIRST attempt: the
    first post-check and the first try at a quiz show what the lesson taught,
    before retries and answer-hunting."""
    language = language or _active_language()
    on = on or today()
    enrollments = list(
        classroom.enrollments.filter(student__is_active=True)
        .select_related("student")
        .order_by("student_number", "student__display_name", "id")
    )
    assignments = list(
        classroom.assignments.select_related("module")
        .defer("module__precheck", "module__postcheck", "module__objectives")
        .order_by("position", "due_on", "id")
    )
    modules = [a.module for a in assignments]
    lessons = (
        list(LessonPage.objects.live().filter(_lesson_filter(modules)).defer("body").order_by("path"))
        if modules
        else []
    )
    module_by_path = {m.path: m for m in modules}
    lesson_translations = _translations(lessons, language, model=LessonPage, fields=("title", "quiz"))
    module_translations = _translations(modules, language)

    def title_of(page, translations) -> str:
        translated = translations.get(page.translation_key)
        return translated.title if translated else page.title

    columns_by_module: dict[int, list[LessonColumn]] = defaultdict(list)
    for lesson in lessons:
        module = module_by_path[_module_path(lesson.path)]
        columns_by_module[module.pk].append(
            LessonColumn(
                lesson=lesson,
                title=title_of(lesson, lesson_translations),
                module_id=module.pk,
                has_quiz=bool(len(lesson.quiz)),
            )
        )
    summaries = []
    columns: list[LessonColumn] = []
    for assignment in assignments:
        module = assignment.module
        translated = module_translations.get(module.translation_key)
        summaries.append(
            ModuleSummary(
                assignment=assignment,
                title=translated.title if translated else module.title,
                url=(translated or module).url or "",
                lessons=columns_by_module[module.pk],
                students=len(enrollments),
                overdue=assignment.due_on < on,
            )
        )
        columns.extend(columns_by_module[module.pk])

    student_ids = [e.student_id for e in enrollments]
    lesson_ids = [c.lesson.pk for c in columns]
    cells: dict[tuple[int, int], Cell] = {}
    first_quiz: dict[int, list[dict]] = defaultdict(list)
    checks: dict[tuple[int, int, str], int] = {}
    if student_ids and lesson_ids:
        for student_id, lesson_id, status, attempts, best in LessonProgress.objects.filter(
            student_id__in=student_ids, lesson_id__in=lesson_ids
        ).values_list("student_id", "lesson_id", "status", "attempts", "best_score"):
            cells[(student_id, lesson_id)] = Cell(status=status, attempts=attempts, best_score=best)
        scope = QuizAttempt.objects.filter(student_id__in=student_ids).filter(
            Q(kind=QuizAttempt.Kind.QUIZ, page_id__in=lesson_ids)
            | Q(kind__in=[QuizAttempt.Kind.PRECHECK, QuizAttempt.Kind.POSTCHECK], page_id__in=[m.pk for m in modules])
        )
        first_ids = scope.values("student_id", "page_id", "kind").annotate(first=Min("id")).values("first")
        for attempt in QuizAttempt.objects.filter(pk__in=first_ids).values(
            "student_id", "page_id", "kind", "answers", "score"
        ):
            if attempt["kind"] == QuizAttempt.Kind.QUIZ:
                first_quiz[attempt["page_id"]].append(attempt["answers"])
            else:
                checks[(attempt["student_id"], attempt["page_id"], attempt["kind"])] = attempt["score"]

    rows = []
    for enrollment in enrollments:
        sid = enrollment.student_id
        row_cells = [cells.get((sid, c.lesson.pk)) or Cell() for c in columns]
        row = StudentRow(enrollment=enrollment, cells=row_cells, total=len(columns))
        row.done = sum(1 for cell in row_cells if cell.done)
        gains = []
        for summary in summaries:
            mid = summary.assignment.module_id
            pre, post = checks.get((sid, mid, "pre")), checks.get((sid, mid, "post"))
            if pre is not None and post is not None:
                gains.append(post - pre)
        row.gain = _mean(gains)
        rows.append(row)

    index_of = {c.lesson.pk: i for i, c in enumerate(columns)}
    all_pre, all_post = [], []
    for summary in summaries:
        idx = [index_of[c.lesson.pk] for c in summary.lessons]
        pres, posts = [], []
        for row in rows:
            done = sum(1 for i in idx if row.cells[i].done)
            summary.done += done
            if idx and done == len(idx):
                summary.finished += 1
            mid = summary.assignment.module_id
            pre, post = (
                checks.get((row.enrollment.student_id, mid, "pre")),
                checks.get((row.enrollment.student_id, mid, "post")),
            )
            if pre is not None and post is not None:
                pres.append(pre)
                posts.append(post)
        summary.both = len(pres)
        summary.pre_mean, summary.post_mean = _mean(pres), _mean(posts)
        all_pre.extend(pres)
        all_post.extend(posts)

    items = [
        _item_analysis(column, first_quiz.get(column.lesson.pk, []), lesson_translations)
        for column in columns
        if column.has_quiz
    ]
    return Dashboard(
        classroom=classroom,
        modules=summaries,
        columns=columns,
        rows=rows,
        items=items,
        pre_mean=_mean(all_pre),
        post_mean=_mean(all_post),
        both=len(all_pre),
        today=on,
    )


def _stream_texts(stream) -> dict[str, str]:
    """Question prompts and choice texts of a quiz, by block id."""
    texts = {}
    for block in stream:
        texts[str(block.id)] = block.value["prompt"]
        for item in block.value["choices"].bound_blocks:
            texts[str(item.id)] = item.value["text"]
    return texts


def _item_analysis(column: LessonColumn, first_answers: list[dict], translations: dict) -> LessonItems:
    """Per question: the share of students whose first attempt got it right,
    and the wrong choice most of them picked: the class's misconception."""
    lesson = column.lesson
    translated = translations.get(lesson.translation_key)
    texts = _stream_texts(translated.quiz) if translated else {}
    questions = []
    for number, block in enumerate(lesson.quiz, start=1):
        qid = str(block.id)
        choices = [
            ChoiceStat(
                id=str(item.id), text=texts.get(str(item.id), item.value["text"]), correct=bool(item.value["correct"])
            )
            for item in block.value["choices"].bound_blocks
        ]
        stat = QuestionStat(
            number=number,
            id=qid,
            prompt=texts.get(qid, block.value["prompt"]),
            kind=block.value["kind"],
            choices=choices,
        )
        correct_ids = {c.id for c in choices if c.correct}
        by_id = {c.id: c for c in choices}
        for answers in first_answers:
            chosen = answers.get(qid)
            if chosen is None:
                continue
            stat.answered += 1
            if set(chosen) == correct_ids:
                stat.correct += 1
            for choice_id in chosen:
                if choice_id in by_id:
                    by_id[choice_id].chosen += 1
        questions.append(stat)
    return LessonItems(column=column, attempts=len(first_answers), questions=questions)


# --------------------------------------------------------------------------
# The student start page
# --------------------------------------------------------------------------


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
        return self.total > 0 and self.done >= self.total

    def is_open(self, on: datetime.date) -> bool:
        return self.opens_on <= on and not self.locked

    def is_overdue(self, on: datetime.date) -> bool:
        return self.due_on < on and not self.finished


def student_start(user, *, language: str | None = None, on: datetime.date | None = None) -> dict:
    """Everything the student start page shows, in at most seven queries:
    classes, assignments, lessons, own progress, open notices, certificates,
    and (in a translated language) the translations."""
    language = language or _active_language()
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
    lessons = (
        list(
            LessonPage.objects.live()
            .filter(_lesson_filter(modules.values()))
            .only("id", "title", "path", "depth", "url_path", "translation_key", "locale_id")
            .order_by("path")
        )
        if modules
        else []
    )
    progress = (
        dict(
            LessonProgress.objects.filter(student=user, lesson_id__in=[p.pk for p in lessons]).values_list(
                "lesson_id", "status"
            )
        )
        if lessons
        else {}
    )
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
    translations = _translations(
        [*modules.values(), *lessons, *(c.module for c in certificates)], language, fields=("title",)
    )

    def local(page):
        return translations.get(page.translation_key) or page

    def url_of(page) -> str:
        # Without the request: with it Wagtail looks up the Site (a query).
        return local(page).get_url() or ""

    lessons_of: dict[str, list] = defaultdict(list)
    for lesson in lessons:
        lessons_of[_module_path(lesson.path)].append(lesson)
    done_modules = set()
    for module_id, module in modules.items():
        module_lessons = lessons_of[module.path]
        if module_lessons and all(progress.get(p.pk) in DONE for p in module_lessons):
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
                module_lessons = lessons_of[module.path]
                item = by_module[a.module_id] = StudentModule(
                    module=module,
                    title=local(module).title,
                    url=url_of(module),
                    opens_on=a.opens_on,
                    due_on=a.due_on,
                    total=len(module_lessons),
                    done=sum(1 for p in module_lessons if progress.get(p.pk) in DONE),
                    started=any(p.pk in progress for p in module_lessons),
                )
                upcoming = next((p for p in module_lessons if progress.get(p.pk) not in DONE), None)
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


def localized_titles(pages, *, language: str | None = None) -> dict[int, str]:
    """Each source page's title in the active language (one query at most)."""
    pages = list(pages)
    translations = _translations(pages, language or _active_language())
    return {
        p.pk: (translations[p.translation_key].title if p.translation_key in translations else p.title) for p in pages
    }


def taken_numbers(classroom) -> dict[int, str]:
    """Student numbers already used in the class, with whose they are."""
    return {
        number: str(name or username)
        for number, name, username in classroom.enrollments.filter(student_number__isnull=False).values_list(
            "student_number", "student__display_name", "student__username"
        )
    }
