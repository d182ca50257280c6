"""A lesson as slides: one block per slide, long rich text split where its
paragraphs and lists end, the quiz's questions and a few class activities
(a dilemma becomes a poll, a key point an agree/disagree line, a reflection
a word answer, plus "how sure are you?" before the quiz).

Each slide carries the HTML every view may see, and the teacher's notes
apart: the presenter view alone ever renders ``notes``. An activity's
correct choices and feedback stay on the server until the teacher reveals
them. Slides are kept in the cache per lesson revision and language.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from curriculum import quiz
from curriculum.page_cache import generation

# Visible characters per text slide: about eight lines of Korean at 32 px on
# a 1280x720 projector.
CHARS_PER_SLIDE = 280
_TOP_LEVEL = re.compile(r"<(p|ul|ol|h[2-6]|blockquote)\b[^>]*>.*?</\1>", re.S)
SLIDES_TIMEOUT = 6 * 60 * 60


@dataclass(frozen=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True)
class Activity:
    id: str
    kind: str  # quiz_single, quiz_multiple, poll, agree, words
    prompt: str
    options: tuple[Option, ...] = ()
    correct: frozenset[str] = frozenset()
    feedback: dict[str, str] = field(default_factory=dict)
    explanation: str = ""

    @property
    def takes_text(self) -> bool:
        return self.kind == "words"

    @property
    def option_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options)

    @property
    def has_answer(self) -> bool:
        return bool(self.correct)

    def public(self) -> dict:
        """What pupils and the projector may know before the reveal."""
        return {"id": self.id, "kind": self.kind, "prompt": self.prompt, "options": [o.__dict__ for o in self.options]}

    def revealed(self) -> dict:
        return {
            "activity": self.id,
            "correct": sorted(self.correct),
            "feedback": self.feedback,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Slide:
    index: int
    kind: str
    html: str  # safe for every view
    notes: str = ""  # the presenter view only
    activity: Activity | None = None
    warning: bool = False


def _split_rich_text(html: str) -> list[str]:
    """Top-level paragraphs and lists grouped into chunks of at most
    CHARS_PER_SLIDE visible characters; a single long paragraph stays whole."""
    parts = [m.group(0) for m in _TOP_LEVEL.finditer(html)]
    if not parts or len("".join(parts)) < len(html.strip()) * 0.9:
        return [html]
    chunks: list[list[str]] = [[]]
    size = 0
    for part in parts:
        length = len(strip_tags(part))
        if chunks[-1] and size + length > CHARS_PER_SLIDE:
            chunks.append([])
            size = 0
        chunks[-1].append(part)
        size += length
    return ["".join(chunk) for chunk in chunks]


def _hint(kind: str) -> str:
    hints = {
        "title": _("Read the essential question aloud. Ask what pupils already know; no names needed."),
        "text": _("Read it together. Ask one pupil to say it in their own words."),
        "scenario": _("Read the chat with two voices. Ask: what could each person do now?"),
        "key_point": _("Ask the class to agree or disagree, then talk about why."),
        "idea": _("Ask the class to agree or disagree, then talk about why."),
        "vocabulary": _("Ask for an example of each word before showing the definition."),
        "legal_fact": _("Stress that the law protects victims; the date shows the text is current."),
        "help_resource": _("Say the number aloud and where it is written on every page."),
        "video": _("Tell pupils they may look away; the transcript says the same."),
        "reflection": _(
            "Give a minute of quiet thinking before answers are collected. Screen answers before showing them."
        ),
        "content_warning": _("Pause. Remind the class that anyone may step out or use the help lines at any time."),
        "illustration": _("Ask what the picture shows and what the people in it might feel."),
        "dilemma": _("Let pupils choose first, then open each choice together: every choice has something to learn."),
        "poll": _("There is no wrong answer: it tells you where the class stands."),
        "quiz": _("Wait until most have answered, then reveal and read the feedback."),
    }
    # A block kind without its own hint still gives the teacher something to say.
    return escape(hints.get(kind, hints["text"]))


def _render(child, context: dict) -> str:
    return str(child.block.render(child.value, context=context))


def _activity_for(child) -> Activity | None:
    kind, value = child.block_type, child.value
    if kind == "dilemma":
        return Activity(
            id=str(child.id),
            kind="poll",
            prompt=value["question"],
            options=tuple(Option(f"c{n}", item["choice"]) for n, item in enumerate(value["choices"])),
        )
    if kind in ("key_point", "idea"):  # an idea is a key point with its icon
        return Activity(
            id=str(child.id),
            kind="agree",
            prompt=_("Do you agree?"),
            options=(
                Option("agree", _("I agree")),
                Option("unsure", _("Not sure")),
                Option("disagree", _("I disagree")),
            ),
        )
    if kind == "reflection":
        return Activity(id=str(child.id), kind="words", prompt=str(value))
    return None


def _sure_poll() -> Activity:
    return Activity(
        id="sure",
        kind="poll",
        prompt=_("How sure are you that you know what to do if this happens to you or a friend?"),
        options=(
            Option("very", _("Very sure")),
            Option("quite", _("Quite sure")),
            Option("little", _("A little sure")),
            Option("not", _("Not sure at all")),
        ),
    )


def _question_activity(question: quiz.Question) -> Activity:
    return Activity(
        id=question.id,
        kind="quiz_multiple" if question.kind == "multiple" else "quiz_single",
        prompt=question.prompt,
        options=tuple(Option(c.id, c.text) for c in question.choices),
        correct=question.correct_ids,
        feedback={c.id: str(c.feedback) for c in question.choices},
        explanation=str(question.explanation),
    )


def build_slides(lesson) -> list[Slide]:
    """The lesson's slides in the lesson's own language (not cached)."""
    with translation.override(lesson.locale.language_code):
        context = {"page": lesson, "show_teacher_notes": False}
        slides: list[dict] = [
            {
                "kind": "title",
                "html": render_to_string("live/slide_title.html", {"lesson": lesson}),
                "notes": [_hint("title")],
            }
        ]
        for child in lesson.body:
            kind = child.block_type
            if kind == "teacher_note":
                # The teacher's own note belongs to the slide before it.
                slides[-1]["notes"].insert(0, str(child.value.__html__()))
                slides[-1]["own_note"] = True
                continue
            if kind == "text":
                for chunk in _split_rich_text(child.value.__html__()):
                    slides.append({"kind": kind, "html": f'<div class="block-text">{chunk}</div>', "notes": []})
            else:
                slides.append(
                    {"kind": kind, "html": _render(child, context), "notes": [], "activity": _activity_for(child)}
                )
        questions = quiz.questions_from_stream(lesson.quiz)
        if questions:
            slides.append({"kind": "poll", "html": "", "notes": [], "activity": _sure_poll()})
            for question in questions:
                slides.append({"kind": "quiz", "html": "", "notes": [], "activity": _question_activity(question)})
        built = []
        for index, slide in enumerate(slides):
            notes = slide["notes"] if slide.get("own_note") else [*slide["notes"], _hint(slide["kind"])]
            built.append(
                Slide(
                    index=index,
                    kind=slide["kind"],
                    html=mark_safe(slide["html"]),  # noqa: S308 - our block templates, escaped content
                    notes=mark_safe("".join(f"<p>{n}</p>" if not n.startswith("<") else n for n in notes if n)),  # noqa: S308
                    activity=slide.get("activity"),
                    warning=slide["kind"] == "content_warning",
                )
            )
        return built


def slides_for(lesson) -> list[Slide]:
    key = f"live:slides:{lesson.pk}:{lesson.latest_revision_id}:{generation()}"
    found = cache.get(key)
    if found is None:
        found = build_slides(lesson)
        cache.set(key, found, SLIDES_TIMEOUT)
    return found


# Decks of the sessions this process serves, newest use last.
_DECKS: OrderedDict[tuple, list[Slide]] = OrderedDict()
_DECKS_LOCK = threading.Lock()
DECKS_KEPT = 256


def deck(session) -> list[Slide]:
    """The slides a live session presents, kept in this process: every socket
    message of a class needs them (bench/live.py: reading them from the cache
    for each of 40 classes' messages was the costliest part of a slide
    change). The key holds the session's code and start, so a session
    number used again (a test database) never finds another session's deck,
    and the lesson's revision, so a socket opened after a publish sees the
    new lesson."""
    lesson = session.lesson
    key = (session.pk, session.code, session.started_at, lesson.pk, lesson.latest_revision_id)
    with _DECKS_LOCK:
        found = _DECKS.get(key)
        if found is not None:
            _DECKS.move_to_end(key)
            return found
    found = slides_for(lesson)
    with _DECKS_LOCK:
        _DECKS[key] = found
        while len(_DECKS) > DECKS_KEPT:
            _DECKS.popitem(last=False)
    return found


def activities_of(slides: list[Slide]) -> dict[str, Activity]:
    return {s.activity.id: s.activity for s in slides if s.activity}
