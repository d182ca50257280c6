"""The live class's messages (docs/live.md): validation and what each one
does. Plain synchronous functions, shared by the socket consumers and the
polling fallback views, so both follow exactly the same rules.

A handler returns an ``Outcome``: the reply to the sender and the messages
to send to the session's groups. A malformed message raises ``BadMessage``
before anything is changed.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from . import services, state
from .models import LiveQuestion, LiveSession
from .slides import Activity, Slide, activities_of, deck

MAX_BYTES = 2048
MAX_PER_SECOND = 5
ID_MAX = 64
WORD_MAX = 120
QUESTION_MAX = 500

# Audiences a message goes to.
PUPILS, SCREENS, TEACHER = "pupils", "screens", "teacher"
EVERYONE = (PUPILS, SCREENS)


class BadMessage(Exception):
    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Participant:
    """Who sends from a pupil view: a token that counts them once (a
    signed-in pupil's id, or an anonymous visitor's random token) and, for a
    pupil of the class whose results may be stored, their id."""

    token: str
    user_id: int | None = None


@dataclass
class Outcome:
    reply: dict | None = None
    broadcasts: list[tuple[tuple[str, ...], dict]] = field(default_factory=list)
    # Work that can wait until the broadcasts are out (a slide change reaches
    # the class before its row is saved and the presenter's full state is
    # made); it returns the reply.
    then: Callable[[], dict] | None = None

    def send(self, audience, message: dict) -> None:
        self.broadcasts.append((audience if isinstance(audience, tuple) else (audience,), message))

    def finish(self) -> None:
        if self.then is not None:
            self.reply, self.then = self.then(), None


class RateLimiter:
    """At most MAX_PER_SECOND messages in any one second, per socket."""

    def __init__(self, limit: int = MAX_PER_SECOND, window: float = 1.0):
        self.limit, self.window, self.times = limit, window, deque()

    def allow(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        while self.times and now - self.times[0] >= self.window:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return False
        self.times.append(now)
        return True


def parse(text: str | None) -> dict:
    if text is None:
        raise BadMessage(4400, "bad-message")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise BadMessage(4413, "too-large")
    try:
        message = json.loads(text)
    except ValueError:
        raise BadMessage(4400, "bad-message") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadMessage(4400, "bad-message")
    return message


def _fields(message: dict, **spec) -> dict:
    """Check the fields of a message: spec names each allowed field with a
    checker; an unknown or wrongly typed field is a bad message."""
    extra = set(message) - {"type"} - set(spec)
    if extra:
        raise BadMessage(4400, "bad-message")
    values = {}
    for name, check in spec.items():
        value = message.get(name, _MISSING)
        if not check(value):
            raise BadMessage(4400, "bad-message")
        values[name] = None if value is _MISSING else value
    return values


_MISSING = object()


def _text(limit: int, optional=False):
    def check(value):
        if value is _MISSING:
            return optional
        return isinstance(value, str) and 0 < len(value.strip()) <= limit and "\x00" not in value

    return check


def _int(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10_000


def _ids(value):
    if value is _MISSING:
        return True
    return isinstance(value, list) and 0 < len(value) <= 6 and all(_text(ID_MAX)(v) for v in value)


# ---------------------------------------------------------------- views of the state


def _revealed(slides: list[Slide], ids) -> dict:
    activities = activities_of(slides)
    return {aid: activities[aid].revealed() for aid in ids if aid in activities}


def public_state(session: LiveSession, current: dict | None = None, slides: list[Slide] | None = None) -> dict:
    """The state every view may see (pupils, projector). ``slides``, when the
    caller has the deck already, saves reading it again (it is the costly part
    of a slide change with 40 classes at once: bench/live.py)."""
    current = current or state.read(session)
    slides = slides or deck(session)
    return {
        "type": "state",
        "slide": current["slide"],
        "locked": current["locked"],
        "revealed": _revealed(slides, current["revealed"]),
        "shown_question": current["shown_question"],
        "words": current["words"],
        "ended": current["ended"],
        "summary": reverse("live_summary", args=[session.pk]) if current["ended"] else None,
        "v": current.get("v", 0),
    }


def counts_message(session: LiveSession, activity: Activity, found: dict[str, int] | None = None) -> dict:
    counts, total = state.counts(session.pk, activity, [o.id for o in activity.options], found)
    return {"type": "counts", "activity": activity.id, "counts": counts, "total": total}


def screen_state(session: LiveSession, current: dict | None = None, slides: list[Slide] | None = None) -> dict:
    """The projector's state: the public one, the joined count and the
    counts of the current activity."""
    slides = slides or deck(session)
    message = public_state(session, current, slides)
    message["joined"] = state.joined(session.pk)
    slide = slides[min(message["slide"], len(slides) - 1)]
    message["counts"] = counts_message(session, slide.activity) if slide.activity else None
    return message


def teacher_state(session: LiveSession, current: dict | None = None, slides: list[Slide] | None = None) -> dict:
    """The presenter's state: the projector's, the word answers waiting to
    be screened and the anonymous questions."""
    slides = slides or deck(session)
    message = screen_state(session, current, slides)
    slide = slides[min(message["slide"], len(slides) - 1)]
    pending = []
    if slide.activity and slide.activity.takes_text:
        pending = [{"item": n, "text": t} for n, t in state.words_pending(session.pk, slide.activity.id)]
    message["pending"] = {"activity": slide.activity.id if slide.activity else None, "items": pending}
    message["questions"] = [
        {"id": q.pk, "text": q.text, "disclosure": q.disclosure} for q in session.questions.order_by("created_at")
    ]
    return message


# ---------------------------------------------------------------- pupils


def pupil_message(session: LiveSession, participant: Participant, message: dict) -> Outcome:
    kind = message["type"]
    if kind == "sync":
        _fields(message)
        return Outcome(reply=public_state(session))
    if kind == "answer":
        return _answer(session, participant, message)
    if kind == "ask":
        values = _fields(message, text=_text(QUESTION_MAX))
        current = state.read(session)
        if current["ended"]:
            return Outcome(reply={"type": "refused", "reason": "ended"})
        question = services.question_ask(session=session, text=values["text"].strip())
        outcome = Outcome(reply={"type": "asked"})
        outcome.send(TEACHER, _question(question))
        return outcome
    raise BadMessage(4400, "bad-message")


def cache_only(message: dict) -> bool:
    """A pupil's answer to a choice activity: handled with the cache and the
    deck in memory alone, never the database (live.consumers handles these
    on the event loop)."""
    return message.get("type") == "answer" and "text" not in message


def _question(question: LiveQuestion) -> dict:
    return {"type": "question", "id": question.pk, "text": question.text, "disclosure": question.disclosure}


@dataclass(frozen=True)
class Answer:
    activity: Activity
    chosen: list[str] | None = None  # a choice activity
    text: str | None = None  # a word answer


def refused(reason: str) -> Outcome:
    return Outcome(reply={"type": "refused", "reason": reason})


def check_answer(slides: list[Slide], current: dict, message: dict) -> Answer | None:
    """A well-formed answer to the activity on the current slide; None if
    that activity is not open (another slide, revealed, ended). ``current``
    holds the slide, the revealed activities and whether the session ended:
    the state in the cache, or what a socket last sent its pupil."""
    values = _fields(
        message,
        activity=_text(ID_MAX),
        choice=_text(ID_MAX, optional=True),
        choices=_ids,
        text=_text(WORD_MAX, optional=True),
    )
    given = [name for name in ("choice", "choices", "text") if values[name] is not None]
    if len(given) != 1:
        raise BadMessage(4400, "bad-message")
    activity = activities_of(slides).get(values["activity"])
    if activity is None:
        raise BadMessage(4400, "bad-message")
    # Well-formed checks first: a forged choice closes the socket even late.
    chosen = None
    if activity.takes_text:
        if values["text"] is None:
            raise BadMessage(4400, "bad-message")
    else:
        chosen = [values["choice"]] if values["choice"] is not None else values["choices"]
        if chosen is None or not set(chosen) <= activity.option_ids or len(set(chosen)) != len(chosen):
            raise BadMessage(4400, "bad-message")
        if activity.kind != "quiz_multiple" and len(chosen) != 1:
            raise BadMessage(4400, "bad-message")
    slide = slides[min(current["slide"], len(slides) - 1)]
    if (
        current["ended"]
        or slide.activity is None
        or slide.activity.id != activity.id
        or activity.id in current["revealed"]
    ):
        return None
    return Answer(activity, chosen, values["text"].strip() if values["text"] else None)


def stores_answer(participant: Participant, answer: Answer) -> bool:
    """A signed-in pupil whose quiz answers count towards their progress."""
    return participant.user_id is not None and answer.activity.kind.startswith("quiz")


def counted(session: LiveSession, answer: Answer, found: dict[str, int] | None) -> Outcome:
    """The reply to a counted choice answer and the projector's new counts."""
    outcome = Outcome(reply={"type": "answered", "activity": answer.activity.id})
    outcome.send(SCREENS, counts_message(session, answer.activity, found))
    return outcome


def _answer(session: LiveSession, participant: Participant, message: dict) -> Outcome:
    answer = check_answer(deck(session), state.read(session), message)
    if answer is None:
        return refused("not-open")
    activity = answer.activity
    if activity.takes_text:
        item = state.word_add(session.pk, activity.id, participant.token, answer.text)
        if item is None:
            return refused("already-answered")
        outcome = Outcome(reply={"type": "answered", "activity": activity.id})
        outcome.send(TEACHER, {"type": "pending", "activity": activity.id, "item": item, "text": answer.text})
        outcome.send(SCREENS, counts_message(session, activity))
        return outcome
    ok, found = state.answer(session.pk, activity.id, participant.token, answer.chosen)
    if not ok:
        return refused("already-answered")
    if stores_answer(participant, answer):
        state.remember_pupil_answer(session.pk, participant.user_id, activity.id, answer.chosen)
    return counted(session, answer, found)


# ---------------------------------------------------------------- the teacher


def _slide(current: dict) -> dict:
    return {"type": "slide", "slide": current["slide"], "locked": current["locked"], "v": current["v"]}


def teacher_message(session: LiveSession, message: dict) -> Outcome:
    kind = message["type"]
    slides = deck(session)
    if kind == "sync":
        _fields(message)
        return Outcome(reply=teacher_state(session, slides=slides))
    current = state.read(session)  # once: every branch below works on it
    if not session.is_open or current["ended"]:
        return Outcome(reply={"type": "refused", "reason": "ended"})
    outcome = Outcome()
    if kind == "goto":
        values = _fields(message, slide=_int)
        if values["slide"] >= len(slides):
            raise BadMessage(4400, "bad-message")
        current = services.session_move(session=session, slide=values["slide"], current=current, save=False)
        outcome.send(EVERYONE, _slide(current))
        slide = slides[current["slide"]]
        if slide.activity:
            outcome.send(SCREENS, counts_message(session, slide.activity))

        def then():
            services.session_save(session)
            return teacher_state(session, current, slides)

        outcome.then = then
        return outcome
    if kind == "lock":
        values = _fields(message, locked=lambda v: isinstance(v, bool))
        current = services.session_move(session=session, locked=values["locked"], current=current, save=False)
        outcome.send(EVERYONE, _slide(current))
        outcome.then = lambda: services.session_save(session) or None
        return outcome
    if kind == "reveal":
        values = _fields(message, activity=_text(ID_MAX))
        activity = activities_of(slides).get(values["activity"])
        if activity is None:
            raise BadMessage(4400, "bad-message")
        if activity.id not in current["revealed"]:
            current["revealed"].append(activity.id)
            state.write(session.pk, current)
        outcome.send(EVERYONE, {"type": "reveal", **activity.revealed(), "v": current["v"]})
        return outcome
    if kind == "screen":
        values = _fields(message, activity=_text(ID_MAX), item=_int)
        activity = activities_of(slides).get(values["activity"])
        text = state.word(session.pk, values["activity"], values["item"]) if activity else None
        if activity is None or not activity.takes_text or text is None:
            raise BadMessage(4400, "bad-message")
        shown = current["words"].setdefault(activity.id, [])
        if text not in shown:
            shown.append(text)
            state.write(session.pk, current)
        outcome.send(EVERYONE, {"type": "words", "activity": activity.id, "shown": shown, "v": current["v"]})
        return outcome
    if kind == "show_question":
        values = _fields(message, question=lambda v: v is None or _int(v))
        text = None
        if values["question"] is not None:
            question = session.questions.filter(pk=values["question"]).first()
            if question is None:
                raise BadMessage(4400, "bad-message")
            LiveQuestion.objects.filter(pk=question.pk).update(shown=True)
            text = question.text
        current["shown_question"] = text
        state.write(session.pk, current)
        outcome.send(EVERYONE, {"type": "show_question", "text": text, "v": current["v"]})
        return outcome
    if kind == "end":
        _fields(message)
        services.session_end(session=session)
        summary = reverse("live_summary", args=[session.pk])
        outcome.send(EVERYONE, {"type": "ended", "summary": None})
        outcome.reply = {"type": "ended", "summary": summary}
        return outcome
    raise BadMessage(4400, "bad-message")
