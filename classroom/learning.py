"""What a class understood, without names: the answers of each pupil's first
try at a lesson quiz, counted per class and question with nothing that ties
a count to a pupil (ClassAnswerCount). Pupils whose own results wait for a
guardian's consent count too; their answers are never stored as theirs.

The counts are shown only once at least MIN_ANSWERED pupils of the class
answered the question, so that no one pupil's answer can be read off them.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F
from django.dispatch import receiver

from curriculum.signals import first_quiz_answers

from .models import ClassAnswerCount, Enrollment

MIN_ANSWERED = 5


@receiver(first_quiz_answers)
def count_first_answers(sender, *, student, page_id: int, answers, correct, **kwargs) -> None:
    """Add one pupil's first answers to each of their current classes (three
    queries whatever the number of classes and questions)."""
    class_ids = list(
        Enrollment.objects.filter(student=student, classroom__archived_at__isnull=True).values_list(
            "classroom_id", flat=True
        )
    )
    if not class_ids:
        return
    items = set()
    for question_id, choice_ids in answers.items():
        items.add(f"{question_id}:")
        if correct.get(question_id):
            items.add(f"{question_id}:+")  # answered exactly right
        items.update(f"{question_id}:{choice_id}" for choice_id in choice_ids)
    ClassAnswerCount.objects.bulk_create(
        [ClassAnswerCount(classroom_id=c, page_id=page_id, item=item) for c in class_ids for item in items],
        ignore_conflicts=True,
    )
    ClassAnswerCount.objects.filter(classroom_id__in=class_ids, page_id=page_id, item__in=items).update(
        count=F("count") + 1
    )


def class_answer_counts(classroom, page_ids) -> dict[int, dict[str, dict[str, int]]]:
    """{lesson id: {question id: {choice id or "": count}}} for the class
    (one query)."""
    counts: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for page_id, item, count in ClassAnswerCount.objects.filter(
        classroom=classroom, page_id__in=list(page_ids)
    ).values_list("page_id", "item", "count"):
        question_id, _, choice_id = item.partition(":")
        counts[page_id][question_id][choice_id] = count
    return counts
