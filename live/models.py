"""A live class: one teacher presents one lesson to one class. What happens
during the session (current slide, answers) lives in the cache
(live.state); the row keeps what must survive a cache that forgets, and the
summary once the session ends. Nothing here names a pupil."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

CODE_LENGTH = 6


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


class LiveSession(models.Model):
    classroom = models.ForeignKey("classroom.Classroom", on_delete=models.CASCADE, related_name="live_sessions")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    lesson = models.ForeignKey("curriculum.LessonPage", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=CODE_LENGTH)
    current_slide = models.PositiveSmallIntegerField(default=0)
    locked = models.BooleanField(default=True)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # At the end: {"joined": n, "activities": {id: {"counts": {...}, "words": [...]}}}
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(ended_at__isnull=True), name="one_open_session_per_code"
            )
        ]
        indexes = [models.Index(fields=["classroom", "ended_at"])]

    def __str__(self):
        return f"{self.code} ({self.classroom_id})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class LiveQuestion(models.Model):
    """An anonymous question from the question box: never linked to anyone.
    Deleted 30 days after it was asked (live.tasks.delete_old_questions)."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=500)
    disclosure = models.BooleanField(default=False)
    shown = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"question {self.pk} of session {self.session_id}"
