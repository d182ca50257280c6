"""Who may run a live session and who is recognised in one. Built on
classroom.permissions (the classes a person teaches, at schools where they
still hold the teacher role)."""

from __future__ import annotations

from accounts.permissions import results_may_be_stored
from classroom.models import Enrollment
from classroom.permissions import taught_classrooms

from .protocol import Participant


def can_run(user, session) -> bool:
    """A teacher of the session's class (one query)."""
    if not user.is_authenticated:
        return False
    return taught_classrooms(user).filter(pk=session.classroom_id).exists()


def participant_for(user, session, anonymous_token: str) -> Participant:
    """A signed-in pupil of the class is counted by their id, and their quiz
    answers kept for their progress when their results may be stored;
    everyone else is anonymous (a random token kept in their own session)."""
    if not user.is_authenticated:
        return Participant(token=f"a:{anonymous_token}")
    in_class = Enrollment.objects.filter(classroom_id=session.classroom_id, student_id=user.pk).exists()
    if in_class and results_may_be_stored(user):
        return Participant(token=f"u:{user.pk}", user_id=user.pk)
    return Participant(token=f"u:{user.pk}")
