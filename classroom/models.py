"""Classes, enrolments, assignments, reminders and roster imports. Schools
and memberships live one layer down, in ``schools``."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import School


def new_join_code() -> str:
    # No 0/O or 1/I: the code is read off a projector.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Classroom(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classrooms")
    name = models.CharField(_("class name"), max_length=100)
    grade = models.PositiveSmallIntegerField(_("grade"))
    school_year = models.PositiveSmallIntegerField(_("school year"))
    teachers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="classrooms_taught")
    join_code = models.CharField(max_length=8, unique=True, default=new_join_code)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-school_year", "grade", "name"]

    def __str__(self):
        return self.name


class Enrollment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    student_number = models.PositiveSmallIntegerField(_("student number"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["student_number", "id"]
        constraints = [models.UniqueConstraint(fields=["classroom", "student"], name="unique_enrollment")]

    def __str__(self):
        return f"{self.student} in {self.classroom}"


class Assignment(models.Model):
    """A module given to a class, open from one date and due on another.

    ``module`` is always the source-language (Korean) module page, which is
    what progress rows point at; students see it in their own language."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    module = models.ForeignKey("curriculum.ModulePage", on_delete=models.CASCADE, related_name="+")
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # When set, the module opens for a student only once they finished the
    # assignment before it (by position) in the same class.
    requires_previous = models.BooleanField(_("opens when the one before is done"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "module"], name="unique_assignment"),
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("opens_on")), name="due_after_opening"),
        ]

    def __str__(self):
        return f"{self.module_id} → {self.classroom}"


class Notice(models.Model):
    """An in-app reminder on a student's start page: "finish this module by
    its due date". One open notice per student and assignment; reminding
    again refreshes it instead of piling up."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classroom_notices")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notices")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "assignment"],
                condition=models.Q(dismissed_at__isnull=True),
                name="one_open_notice_per_assignment",
            )
        ]

    def __str__(self):
        return f"notice for {self.student_id} on {self.assignment_id}"


class RosterImport(models.Model):
    """A roster file read and checked, waiting for the teacher to confirm.

    Holds the parsed rows between the preview and the "create accounts"
    button. The rows (children's names) are cleared once the accounts exist,
    and unconfirmed imports are deleted after a day."""

    KEEP_FOR = timedelta(days=1)

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="roster_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    # [{"line": 2, "name": "...", "number": 7, "birth_year": null, "errors": ["..."]}]
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"roster for {self.classroom_id} ({len(self.rows)} rows)"

    @property
    def has_problems(self) -> bool:
        return any(row.get("errors") for row in self.rows)


class ClassAnswerCount(models.Model):
    """How many pupils of a class chose an answer in a lesson quiz, counted
        from each pupil's first try, with nothing that ties a count to a pupil:
        no pupil, no time. ``item`` is ``<question id>:<choice id>``, or
        ``<question id>:`` for the number of pupils who answered the question and
    ``<question id>:+`` for those who answered it exactly right.
        The dashboard shows the counts once at least five pupils answered
        (classroom.learning), so the class learns from period 1 even before
        any guardian's consent."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="answer_counts")
    page_id = models.PositiveIntegerField()  # the source-language lesson
    item = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classroom", "page_id", "item"], name="one_count_per_item")]

    def __str__(self):
        return f"{self.classroom_id} {self.page_id} {self.item}: {self.count}"
