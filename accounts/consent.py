"""Whether a student's results may be stored: the consent-age rule.

Below the consent age (setting ``GUARDIAN_CONSENT_AGE``, 14 in Korea under
the Personal Information Protection Act) a student's quiz answers and
progress are stored only once a guardian's consent is on file. Until then
the student can still take every lesson and quiz; nothing is kept.

How old is a student? We know as little as we can:

* If the student's ``birth_year`` is recorded, they count as the age they
  had on 1 January of this year (``this year - birth year - 1``). With only
  the year we cannot know whether the birthday has passed, so we take the
  younger possibility: a student may wait for consent a few months longer
  than needed, never the other way round.
* Without a birth year, the student's classes decide. In Korean schools the
  youngest pupil of a class is ``5 + grade`` in elementary school,
  ``11 + grade`` in middle school and ``14 + grade`` in high school at the
  start of the school year. With the consent age of 14 that means: students
  in high school, or in middle school grade 3, are old enough; everyone else
  is treated as under the consent age.

The same rule is written once here as Python (for one student) and once as
a query filter (for a whole class), and the tests check they agree.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from schools.models import School

from .models import GuardianConsent

# The version of the consent text parents read (accounts/templates/accounts/consent/).
# A new text gets a new version and a new template; old decisions keep theirs.
CONSENT_TEXT_VERSION = "2026-2"
CONSENT_TEXT_TEMPLATE = f"accounts/consent/text_{CONSENT_TEXT_VERSION}.html"

# Age of the youngest pupil of grade 1 at the start of the Korean school year.
YOUNGEST_AGE_IN_GRADE_ONE = {
    School.Level.ELEMENTARY: 6,
    School.Level.MIDDLE: 12,
    School.Level.HIGH: 15,
}


def consent_age() -> int:
    return settings.GUARDIAN_CONSENT_AGE


def youngest_age_in_class(level: str, grade: int) -> int:
    return YOUNGEST_AGE_IN_GRADE_ONE.get(level, YOUNGEST_AGE_IN_GRADE_ONE[School.Level.ELEMENTARY]) + grade - 1


def youngest_age_for_birth_year(birth_year: int, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year - birth_year - 1


def class_is_old_enough(level: str, grade: int) -> bool:
    """Whether even the youngest pupil of such a class is the consent age."""
    return youngest_age_in_class(level, grade) >= consent_age()


def old_enough(*, birth_year: int | None, in_old_enough_class: bool, today: date | None = None) -> bool:
    """Whether a student is at least the consent age: by birth year when it
    is known, else by their classes (see the module docstring)."""
    if birth_year is not None:
        return youngest_age_for_birth_year(birth_year, today) >= consent_age()
    return in_old_enough_class


def _in_old_enough_class_q() -> Q:
    """Users enrolled in a current class whose youngest pupil is at least the
    consent age. Each term names one enrolment (the conditions of one Q on a
    multi-valued relation apply to the same row). Written over the user's
    own ``enrollments`` relation: accounts sits below the classroom app."""
    q = Q()
    for level, youngest in YOUNGEST_AGE_IN_GRADE_ONE.items():
        q |= Q(
            enrollments__classroom__archived_at__isnull=True,
            enrollments__classroom__school__level=level,
            enrollments__classroom__grade__gte=consent_age() - youngest + 1,
        )
    return q


def in_old_enough_class(student_ref="pk") -> Exists:
    """EXISTS: the student is in a current class whose pupils are all old enough."""
    return Exists(get_user_model().objects.filter(_in_old_enough_class_q(), pk=OuterRef(student_ref)))


def consent_on_file(student_ref="pk") -> Exists:
    """EXISTS: a current "given" decision for the student."""
    return Exists(
        GuardianConsent.objects.filter(
            student=OuterRef(student_ref), decision=GuardianConsent.Decision.GIVEN, ended_at__isnull=True
        )
    )


def old_enough_q(today: date | None = None) -> Q:
    """Filter on users who are at least the consent age; the queryset must
    carry the annotation ``in_old_enough_class=in_old_enough_class()``."""
    today = today or timezone.localdate()
    latest_birth_year = today.year - 1 - consent_age()
    return Q(birth_year__lte=latest_birth_year) | Q(birth_year__isnull=True, in_old_enough_class=True)


GRADES_PER_LEVEL = {School.Level.ELEMENTARY: 6, School.Level.MIDDLE: 3, School.Level.HIGH: 3}


def class_rule() -> list[dict]:
    """The class rule in words for the teacher's page: per school level, the
    first grade whose students count as old enough (None: no grade)."""
    rule = []
    for level, label in School.Level.choices:
        first = max(1, consent_age() - YOUNGEST_AGE_IN_GRADE_ONE[level] + 1)
        rule.append({"level": label, "from_grade": first if first <= GRADES_PER_LEVEL[level] else None})
    return rule
