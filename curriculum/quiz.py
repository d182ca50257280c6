"""Quiz grading: plain functions, no requests, no database.

A question is answered correctly when the chosen choices are exactly the
correct ones (for multiple choice: all the right ones and none of the wrong).
Answers arrive as form data ``q-<question id>`` → choice ids; anything that
does not belong to this quiz is a forgery and is refused as a whole.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SINGLE_ANSWER_KINDS = frozenset({"single", "true_false"})
# Every question has a first form and (from the content files) a second,
# equivalent one: try 1 shows form A, try 2 form B, try 3 form A, ...
FORM_A, FORM_B = "a", "b"
FORMS = (FORM_A, FORM_B)
FORM_FIELD = "quiz_form"
FIELD_PREFIX = "q-"
# "True" before "False" reads best; shuffling them teaches nothing.
UNSHUFFLED_KINDS = frozenset({"true_false"})
# After this many tries the correct answers are shown even without a pass.
TRIES_BEFORE_KEY = 3


@dataclass(frozen=True)
class Choice:
    id: str
    correct: bool
    text: str = ""
    feedback: object = ""  # shown only after submission


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    choices: tuple[Choice, ...]
    prompt: str = ""
    explanation: object = ""  # shown only after submission

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices if c.correct)

    @property
    def choice_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices)


@dataclass(frozen=True)
class Result:
    correct_count: int
    question_count: int
    score: int
    passed: bool
    correct_by_question: dict[str, bool] = field(default_factory=dict)


class ForgedAnswers(ValueError):
    """The submission names questions or choices that are not in this quiz."""


class Unanswered(ValueError):
    def __init__(self, question_ids: list[str]):
        super().__init__(f"{len(question_ids)} question(s) unanswered")
        self.question_ids = question_ids


def _second_form(value):
    """A question's second form (its ``alt_`` fields), or None when it has
    none (a question made in the CMS without one): such a question is asked
    the same way each time."""
    prompt, choices = value.get("alt_prompt"), value.get("alt_choices")
    if not str(prompt or "").strip() or not len(choices or ()):
        return None
    return {"prompt": prompt, "explanation": value.get("alt_explanation"), "choices": choices}


def questions_from_stream(stream, form: str = FORM_A) -> list[Question]:
    """Questions from a QuestionStreamBlock value, in form A (the question as
    written) or form B (its second form): the one place that walks a quiz's
    blocks, for grading, showing and counting. A question keeps its id (the
    block id) in both forms; the choices of each form have their own ids, so
    answers to one form are refused as foreign by the other."""
    if form not in FORMS:
        raise ValueError(form)
    questions = []
    for block in stream:
        value = block.value
        shown = (_second_form(value) if form == FORM_B else None) or value
        choices = tuple(
            Choice(
                id=str(item.id),
                correct=bool(item.value["correct"]),
                text=item.value["text"],
                feedback=item.value.get("feedback", ""),
            )
            for item in shown["choices"].bound_blocks
        )
        questions.append(
            Question(
                id=str(block.id),
                kind=value["kind"],
                choices=choices,
                prompt=shown["prompt"],
                explanation=shown.get("explanation") or value.get("explanation", ""),
            )
        )
    return questions


def form_for_try(earlier_tries: int) -> str:
    """The form of the next try, after ``earlier_tries`` sent ones: A first,
    then B, then A again."""
    return FORM_B if earlier_tries % 2 else FORM_A


def parse_answers(questions: Iterable[Question], data: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Read ``q-<id>`` fields. Raises ForgedAnswers for anything foreign and
    Unanswered (listing every unanswered question) when some are missing."""
    by_id = {q.id: q for q in questions}
    answers: dict[str, frozenset[str]] = {}
    for key, values in data.items():
        if not key.startswith(FIELD_PREFIX):
            continue
        question = by_id.get(key[len(FIELD_PREFIX) :])
        if question is None:
            raise ForgedAnswers(f"unknown question {key!r}")
        chosen = [v for v in values if v != ""]
        if len(chosen) != len(set(chosen)):
            raise ForgedAnswers(f"repeated choice in {key!r}")
        chosen_set = frozenset(chosen)
        if not chosen_set <= question.choice_ids:
            raise ForgedAnswers(f"choice not in question {key!r}")
        if question.kind in SINGLE_ANSWER_KINDS and len(chosen_set) > 1:
            raise ForgedAnswers(f"several choices for single-answer question {key!r}")
        if chosen_set:
            answers[question.id] = chosen_set
    missing = [q.id for q in by_id.values() if q.id not in answers]
    if missing:
        raise Unanswered(missing)
    return answers


def grade(questions: Iterable[Question], answers: Mapping[str, Iterable[str]], pass_mark: int) -> Result:
    questions = list(questions)
    correct_by_question = {q.id: frozenset(answers.get(q.id, ())) == q.correct_ids for q in questions}
    correct = sum(correct_by_question.values())
    total = len(questions)
    score = (correct * 100) // total if total else 100
    # Compare in whole numbers so that rounding never lets a fail pass.
    passed = correct * 100 >= pass_mark * total
    return Result(
        correct_count=correct, question_count=total, score=score, passed=passed, correct_by_question=correct_by_question
    )


def choice_order(question: Question, *, secret: str, attempt: str) -> list[Choice]:
    """The question's choices in the order one attempt shows them: shuffled,
    but the same for every page of that attempt (the form, a reload, the
    result), because the order comes from the attempt's form token and the
    question. The secret keeps the order from being worked out from the
    token. Grading reads choice ids, so the order never changes a grade."""
    choices = list(question.choices)
    if question.kind in UNSHUFFLED_KINDS:
        return choices
    seed = hmac.new(secret.encode(), f"{attempt}:{question.id}".encode(), hashlib.sha256).digest()
    random.Random(seed).shuffle(choices)  # noqa: S311 - an order on screen, not a secret
    return choices


def reveals_key(result: Result, tries: int, *, graded: bool = True) -> bool:
    """Whether the correct choices and explanations may be shown: once the
    quiz is passed (for an ungraded module check, whose pass mark is 0: all
    right), or from the third try on. Before that, each question says only whether it was right, with the
    feedback of what was chosen, so the next try is not a copy of the key."""
    all_right = result.correct_count == result.question_count
    return (graded and result.passed) or all_right or tries >= TRIES_BEFORE_KEY
