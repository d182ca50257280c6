"""What learners did: every quiz attempt, each lesson's state, certificates.

Rows point at the source-language (Korean) pages, so a student who switches
to English keeps their progress, and dashboards join on one id per lesson."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QuizAttempt(models.Model):
    class Kind(models.TextChoices):
        QUIZ = "quiz", _("Lesson quiz")
        PRECHECK = "pre", _("Pre-check")
        POSTCHECK = "post", _("Post-check")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.QUIZ)
    # {question block id: [choice block ids]}
    answers = models.JSONField()
    correct_count = models.PositiveSmallIntegerField()
    question_count = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(help_text=_("percent"))
    passed = models.BooleanField()
    # The form's one-time token: a double submit stores one attempt.
    form_token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["student", "form_token"], name="unique_attempt_token")]
        indexes = [models.Index(fields=["page", "kind", "student"])]

    def __str__(self):
        return f"{self.student} {self.kind} {self.page_id}: {self.score}%"


class LessonProgress(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        PASSED = "passed", _("Passed")
        READ = "read", _("Read")

    DONE = (Status.PASSED, Status.READ)

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey("curriculum.LessonPage", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("curriculum.ModulePage", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    attempts = models.PositiveSmallIntegerField(default=0)
    best_score = models.PositiveSmallIntegerField(null=True, blank=True)
    last_score = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "lesson"], name="unique_lesson_progress")]
        indexes = [models.Index(fields=["module", "student"])]

    def __str__(self):
        return f"{self.student} — {self.lesson_id}: {self.status}"

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE


def new_certificate_code() -> str:
    # 12 characters without look-alikes, grouped for reading aloud: ABCD-EFGH-JKLM
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Certificate(models.Model):
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    module = models.ForeignKey("curriculum.ModulePage", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=14, unique=True, default=new_certificate_code)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "module"], name="unique_certificate")]

    def __str__(self):
        return self.code
