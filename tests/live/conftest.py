"""Fixtures of the live class: a lesson with a quiz, a session of the cast's
class, and sockets driven in the test's own thread (so they see the test's
database transaction)."""

import channels.db
import pytest

from curriculum.models import LessonPage
from live.services import session_open


@pytest.fixture
def lesson(cast):
    """A Korean middle-school lesson that has a quiz."""
    for page in LessonPage.objects.live().filter(locale__language_code="ko").order_by("path"):
        if len(page.quiz) >= 2 and page.module.band == "middle":
            return page
    raise AssertionError("no lesson with a quiz")


@pytest.fixture
def live_session(cast, lesson):
    return session_open(teacher=cast.teacher, classroom=cast.classroom, lesson=lesson)


@pytest.fixture(autouse=True)
def _sockets_share_the_test_transaction(monkeypatch):
    # database_sync_to_async closes "old" connections around each call; in a
    # test that would close the connection holding the test's transaction.
    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
