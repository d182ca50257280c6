"""The class dashboard: each student's lessons, the modules' completion,
pre/post learning gain and the item analysis of each quiz. Built on
``curriculum.progress`` (lessons, "done", "overdue", translations)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Min, Q

from curriculum import progress
from curriculum.models import LessonPage, QuizAttempt
from curriculum.quiz import questions_from_stream
from edu_platform.charts import bar_chart

from ..learning import MIN_ANSWERED, class_answer_counts
from ..models import Assignment, Classroom, Enrollment
from .completion import today

NOT_STARTED = "not_started"


@dataclass
class Cell:
    status: str = NOT_STARTED
    attempts: int = 0
    best_score: int | None = None

    @property
    def done(self) -> bool:
        return self.status in progress.DONE


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
class ClassModule:
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

    @property
    def chart(self):
        """Share answered correctly per question, as bars (#1, #2, ...)."""
        return bar_chart([(f"#{q.number}", q.percent_correct) for q in self.questions], highlight_below=60)

    @property
    def chart_id(self) -> str:
        return f"items-chart-{self.column.lesson.pk}"


@dataclass
class Dashboard:
    classroom: Classroom
    modules: list[ClassModule]
    columns: list[LessonColumn]
    rows: list[StudentRow]
    items: list[LessonItems]
    class_items: list[LessonItems] = field(default_factory=list)
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
    language = language or progress.active_language()
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
    lessons_of = progress.live_lessons(modules, defer=("body",))
    lessons = [lesson for module in modules for lesson in lessons_of[module.pk]]
    lesson_translations = progress.translations(lessons, language, model=LessonPage, fields=("title", "quiz"))
    module_translations = progress.translations(modules, language)

    def title_of(page, translations) -> str:
        translated = translations.get(page.translation_key)
        return translated.title if translated else page.title

    columns_by_module: dict[int, list[LessonColumn]] = defaultdict(list)
    for module in modules:
        for lesson in lessons_of[module.pk]:
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
            ClassModule(
                assignment=assignment,
                title=translated.title if translated else module.title,
                url=(translated or module).url or "",
                lessons=columns_by_module[module.pk],
                students=len(enrollments),
            )
        )
        columns.extend(columns_by_module[module.pk])

    student_ids = [e.student_id for e in enrollments]
    lesson_ids = [c.lesson.pk for c in columns]
    cells: dict[tuple[int, int], Cell] = {}
    first_quiz: dict[int, list[dict]] = defaultdict(list)
    checks: dict[tuple[int, int, str], int] = {}
    if student_ids and lesson_ids:
        for (student_id, lesson_id), state in progress.lesson_states(student_ids, lesson_ids).items():
            cells[(student_id, lesson_id)] = Cell(
                status=state.status, attempts=state.attempts, best_score=state.best_score
            )
        scope = QuizAttempt.objects.filter(student_id__in=student_ids).filter(
            Q(kind=QuizAttempt.Kind.QUIZ, page_id__in=lesson_ids)
            | Q(kind__in=[QuizAttempt.Kind.PRECHECK, QuizAttempt.Kind.POSTCHECK], page_id__in=[m.pk for m in modules])
        )
        first_ids = scope.values("student_id", "page_id", "kind").annotate(first=Min("id")).values("first")
        # No ORDER BY (the model's "-created_at"): nothing here needs an order, and
        # without it the plan fetches the first attempts by primary key, never the table in date order.
        for attempt in (
            QuizAttempt.objects.filter(pk__in=first_ids)
            .order_by()
            .values("student_id", "page_id", "kind", "answers", "score")
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
        summary.overdue = progress.is_overdue(
            due_on=summary.assignment.due_on, finished=summary.finished >= summary.students, on=on
        )
        summary.both = len(pres)
        summary.pre_mean, summary.post_mean = _mean(pres), _mean(posts)
        all_pre.extend(pres)
        all_post.extend(posts)

    items = [
        _item_analysis(column, first_quiz.get(column.lesson.pk, []), lesson_translations)
        for column in columns
        if column.has_quiz
    ]
    counts = class_answer_counts(classroom, [c.lesson.pk for c in columns if c.has_quiz])
    class_items = [
        _class_item_analysis(column, counts.get(column.lesson.pk, {}), lesson_translations)
        for column in columns
        if column.has_quiz
    ]
    return Dashboard(
        class_items=class_items,
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


def _texts(questions) -> dict[str, str]:
    """Question prompts and choice texts of a quiz, by block id."""
    texts = {}
    for question in questions:
        texts[question.id] = question.prompt
        texts.update({choice.id: choice.text for choice in question.choices})
    return texts


def _item_analysis(column: LessonColumn, first_answers: list[dict], translations: dict) -> LessonItems:
    """Per question: the share of students whose first attempt got it right,
    and the wrong choice most of them picked: the class's misconception."""
    lesson = column.lesson
    translated = translations.get(lesson.translation_key)
    texts = _texts(questions_from_stream(translated.quiz)) if translated else {}
    questions = []
    for number, question in enumerate(questions_from_stream(lesson.quiz), start=1):
        qid = question.id
        choices = [
            ChoiceStat(id=choice.id, text=texts.get(choice.id, choice.text), correct=choice.correct)
            for choice in question.choices
        ]
        stat = QuestionStat(
            number=number, id=qid, prompt=texts.get(qid, question.prompt), kind=question.kind, choices=choices
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


def _class_item_analysis(column: LessonColumn, counts: dict[str, dict[str, int]], translations: dict) -> LessonItems:
    """The same item analysis from the class's anonymous counts (every
    pupil's first try, consent or not); a question answered by fewer than
    MIN_ANSWERED pupils shows no numbers."""
    items = _item_analysis(column, [], translations)
    for question in items.questions:
        chosen = counts.get(question.id, {})
        answered = chosen.get("", 0)
        if answered < MIN_ANSWERED:
            continue
        question.answered = answered
        question.correct = chosen.get("+", 0)
        for choice in question.choices:
            choice.chosen = chosen.get(choice.id, 0)
    items.attempts = max((q.answered for q in items.questions), default=0)
    return items
