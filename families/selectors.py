"""Reads for the parent page and the weekly digest, written with query
counts in mind: each answers in a fixed number of queries whatever the
number of children, classes or assignments.

What a parent sees of a child is a summary: which modules are assigned,
when they are due, how many lessons are done and whether the module is
finished. Never an answer, a score or an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from wagtail.models import Page

from accounts.models import GuardianConsent, GuardianLink, ParentProfile, User
from accounts.selectors import ConsentStatus, consent_annotations, consent_status, consent_status_of
from classroom.models import Assignment
from curriculum import progress
from curriculum.models import Certificate, ModulePage
from edu_platform.charts import bar_chart


@dataclass
class FamilyModule:
    """One module as a parent sees it: counts and dates, nothing more."""

    page: Page  # in the page's language when a live translation exists
    lesson_count: int
    done_count: int
    opens_on: date | None = None
    due_on: date | None = None
    parent_lesson: Page | None = None
    has_certificate: bool = False

    @property
    def passed(self) -> bool:
        """Every lesson done (each quiz passed, or read): the module's
        certificate is issued at this moment."""
        return progress.is_finished(done=self.done_count, total=self.lesson_count)

    @property
    def started(self) -> bool:
        return self.done_count > 0

    def is_open(self, today: date) -> bool:
        return self.opens_on is None or self.opens_on <= today

    def is_overdue(self, today: date) -> bool:
        return progress.is_overdue(due_on=self.due_on, finished=self.passed, on=today)


@dataclass
class ChildSummary:
    link: GuardianLink
    consent: ConsentStatus
    assignments: list[FamilyModule] = field(default_factory=list)
    today: date | None = None

    @property
    def student(self) -> User:
        return self.link.student

    @property
    def chart(self):
        """Lessons done per assigned module, in percent (no answers, no scores)."""
        return bar_chart(
            [
                (a.page.title, (a.done_count * 100) // a.lesson_count if a.lesson_count else None)
                for a in self.assignments
            ]
        )

    @property
    def this_week(self) -> list[FamilyModule]:
        """Open, unfinished modules that name a parent lesson, soonest due
        first: "This week your child is learning X"."""
        return [a for a in self.assignments if a.parent_lesson is not None and a.is_open(self.today) and not a.passed]

    @property
    def counts(self) -> dict[str, int]:
        today = self.today
        soon = today + timedelta(days=7)
        return {
            "assigned": len(self.assignments),
            "finished": sum(1 for a in self.assignments if a.passed),
            "started": sum(1 for a in self.assignments if a.started and not a.passed),
            "due_soon": sum(1 for a in self.assignments if not a.passed and a.due_on and today <= a.due_on <= soon),
            "overdue": sum(1 for a in self.assignments if a.is_overdue(today)),
        }


@dataclass
class ParentPage:
    children: list[ChildSummary]
    own_modules: list[FamilyModule]
    email_updates: bool


_HEAVY_MODULE_FIELDS = (
    "module__summary",
    "module__objectives",
    "module__precheck",
    "module__postcheck",
    "module__parent_lesson__body",
    "module__parent_lesson__quiz",
    "module__parent_lesson__essential_question",
)


def parent_page(parent: User, today: date | None = None) -> ParentPage:
    """Everything the parent start page shows, in three queries (four in a
    language other than Korean), whatever the number of children,
    classes and assignments."""
    today = today or timezone.localdate()
    # 1. The children, their consent status and the parent's email setting.
    links = list(
        GuardianLink.objects.filter(guardian=parent, student__is_active=True)
        .select_related("student")
        .annotate(
            **consent_annotations("student_id", parent),
            email_updates=Subquery(ParentProfile.objects.filter(user=parent).values("email_updates")[:1]),
        )
        .order_by("student__display_name", "student__username", "pk")
    )
    children = [
        ChildSummary(link=link, consent=consent_status_of(link, link.student, today), today=today) for link in links
    ]
    child_ids = [link.student_id for link in links]

    # 2. The assignments of the children's current classes, one row per
    #    child and assignment, with the module's lesson count and the
    #    child's lessons done.
    rows = []
    if child_ids:
        rows = list(
            Assignment.objects.filter(
                classroom__enrollments__student_id__in=child_ids, classroom__archived_at__isnull=True
            )
            .annotate(
                child_id=F("classroom__enrollments__student_id"),
                lesson_count=progress.live_lesson_count_subquery("module__"),
                done_count=progress.done_count_subquery(OuterRef("child_id"), "module_id"),
            )
            .select_related("module", "module__parent_lesson")
            .defer(*_HEAVY_MODULE_FIELDS)
            .order_by("due_on", "position", "id")
        )

    # 3. The parent's own course(s), with progress and certificate.
    own = list(
        ModulePage.objects.live()
        .filter(audience="parent", locale__language_code=settings.LANGUAGE_CODE)
        .annotate(
            lesson_count=progress.live_lesson_count_subquery(),
            done_count=progress.done_count_subquery(parent.pk, "pk"),
            has_certificate=Exists(Certificate.objects.filter(student=parent, module=OuterRef("pk"))),
        )
        .defer("summary", "objectives", "precheck", "postcheck")
        .order_by("sort_order", "path")
    )

    # 4. Titles and addresses in the visitor's language (no query in Korean).
    parent_lessons = [row.module.parent_lesson for row in rows if row.module.parent_lesson]
    localized = progress.localized([*{row.module_id: row.module for row in rows}.values(), *own, *parent_lessons])

    by_child = {child.link.student_id: child for child in children}
    seen: set[tuple[int, int]] = set()
    for row in rows:
        key = (row.child_id, row.module_id)
        if key in seen:  # the same module assigned in two of the child's classes: the first due counts
            continue
        seen.add(key)
        lesson = row.module.parent_lesson
        by_child[row.child_id].assignments.append(
            FamilyModule(
                page=localized[row.module_id],
                lesson_count=row.lesson_count,
                done_count=row.done_count,
                opens_on=row.opens_on,
                due_on=row.due_on,
                parent_lesson=localized[lesson.pk] if lesson else None,
            )
        )
    own_modules = [
        FamilyModule(
            page=localized[m.pk],
            lesson_count=m.lesson_count,
            done_count=m.done_count,
            has_certificate=m.has_certificate,
        )
        for m in own
    ]
    email_updates = bool(links and links[0].email_updates)
    return ParentPage(children=children, own_modules=own_modules, email_updates=email_updates)


def digest_for_parent(parent: User, today: date | None = None) -> list[ChildSummary]:
    """The children of the weekly summary (the parent page's figures)."""
    return parent_page(parent, today=today).children


def parents_for_digest() -> list[int]:
    """Ids of the parents who asked for email updates and have children."""
    return list(
        User.objects.filter(is_active=True, parent_profile__email_updates=True, children_links__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )


# --- The class consent sheet ---------------------------------------------------


@dataclass
class ConsentSheetRow:
    enrollment: object
    status: ConsentStatus

    @property
    def student(self) -> User:
        return self.enrollment.student


def class_consent_sheet(classroom, today: date | None = None) -> list[ConsentSheetRow]:
    """Every active pupil of the class with their consent status, for the
    teacher who ticks the returned paper slips (one query, whatever the size
    of the class)."""
    enrollments = (
        classroom.enrollments.filter(student__is_active=True)
        .select_related("student")
        .annotate(**consent_annotations("student_id"))
        .order_by("student_number", "student__display_name", "id")
    )
    return [ConsentSheetRow(enrollment=e, status=consent_status_of(e, e.student, today)) for e in enrollments]


def withdrawal_deletes_results(student: User, guardian: User) -> bool:
    """Whether withdrawing this guardian's consent would delete the pupil's
    stored results: the pupil needs consent and no other consent (another
    guardian's, or a record at school) is on file."""
    if not consent_status(student).needed:
        return False
    return not (
        GuardianConsent.objects.filter(student=student, decision=GuardianConsent.Decision.GIVEN, ended_at__isnull=True)
        .exclude(guardian=guardian, method=GuardianConsent.Method.ONLINE)
        .exists()
    )
