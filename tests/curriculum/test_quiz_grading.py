"""The grading module, exhaustively: property-based over random quizzes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curriculum import quiz


@st.composite
def quizzes(draw):
    questions = []
    for qi in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["single", "multiple", "true_false"]))
        n = 2 if kind == "true_false" else draw(st.integers(3, 5))
        if kind == "multiple":
            flags = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda f: any(f) and not all(f)))
        else:
            right = draw(st.integers(0, n - 1))
            flags = [i == right for i in range(n)]
        choices = tuple(quiz.Choice(id=f"q{qi}c{ci}", correct=flag) for ci, flag in enumerate(flags))
        questions.append(quiz.Question(id=f"q{qi}", kind=kind, choices=choices))
    return questions


def perfect(questions):
    return {q.id: q.correct_ids for q in questions}


@given(quizzes(), st.integers(1, 100))
def test_all_right_scores_100_and_passes(questions, pass_mark):
    result = quiz.grade(questions, perfect(questions), pass_mark)
    assert result.score == 100
    assert result.passed
    assert result.correct_count == result.question_count == len(questions)


@given(quizzes(), st.data())
def test_score_counts_exactly_the_right_answers(questions, data):
    answers, expected = {}, 0
    for q in questions:
        chosen = frozenset(
            data.draw(
                st.sets(
                    st.sampled_from(sorted(q.choice_ids)),
                    min_size=1,
                    max_size=1 if q.kind != "multiple" else len(q.choices),
                )
            )
        )
        answers[q.id] = chosen
        expected += chosen == q.correct_ids
    pass_mark = data.draw(st.integers(1, 100))
    result = quiz.grade(questions, answers, pass_mark)
    assert result.correct_count == expected
    assert result.score == expected * 100 // len(questions)
    assert result.passed == (expected * 100 >= pass_mark * len(questions))


@given(quizzes())
def test_partly_right_multiple_choice_is_wrong(questions):
    multiple = [q for q in questions if q.kind == "multiple" and len(q.correct_ids) > 1]
    answers = perfect(questions)
    for q in multiple:
        answers[q.id] = frozenset(sorted(q.correct_ids)[:1])
    result = quiz.grade(questions, answers, 100)
    assert result.correct_count == len(questions) - len(multiple)


def test_rounding_never_lets_a_fail_pass():
    questions = [
        quiz.Question(id=f"q{i}", kind="single", choices=(quiz.Choice("a", True), quiz.Choice("b", False)))
        for i in range(3)
    ]
    answers = {"q0": {"a"}, "q1": {"a"}, "q2": {"b"}}
    result = quiz.grade(questions, answers, 67)
    assert result.score == 66
    assert not result.passed


@given(quizzes(), st.data())
def test_parse_round_trips_valid_form_data(questions, data):
    form = {}
    for q in questions:
        size = 1 if q.kind != "multiple" else data.draw(st.integers(1, len(q.choices)))
        form[f"q-{q.id}"] = sorted(q.choice_ids)[:size]
    form["csrfmiddlewaretoken"] = ["x"]
    answers = quiz.parse_answers(questions, form)
    assert set(answers) == {q.id for q in questions}


@given(quizzes(), st.text(min_size=1, max_size=20))
def test_foreign_ids_are_forgeries(questions, junk):
    form = {f"q-{q.id}": [sorted(q.choice_ids)[0]] for q in questions}
    form[f"q-{questions[0].id}"] = [f"zz{junk}"]
    with pytest.raises(quiz.ForgedAnswers):
        quiz.parse_answers(questions, form)
    form = {f"q-{q.id}": [sorted(q.choice_ids)[0]] for q in questions}
    form[f"q-not-a-question-{junk}"] = ["a"]
    with pytest.raises(quiz.ForgedAnswers):
        quiz.parse_answers(questions, form)


def test_two_answers_to_a_single_choice_question_are_a_forgery():
    q = quiz.Question(
        id="q", kind="single", choices=(quiz.Choice("a", True), quiz.Choice("b", False), quiz.Choice("c", False))
    )
    with pytest.raises(quiz.ForgedAnswers):
        quiz.parse_answers([q], {"q-q": ["a", "b"]})


@given(quizzes())
def test_missing_answers_are_listed(questions):
    with pytest.raises(quiz.Unanswered) as caught:
        quiz.parse_answers(questions, {})
    assert caught.value.question_ids == [q.id for q in questions]
