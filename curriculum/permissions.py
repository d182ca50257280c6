"""Who may open which module, and who receives teacher-only notes."""

from accounts import permissions as roles
from accounts.permissions import results_may_be_stored
from schools.models import School

from .models.pages import STUDENT_BANDS, Band

_LEVEL_BANDS = {
    School.Level.MIDDLE: Band.MIDDLE,
    School.Level.HIGH: Band.HIGH,
}


def band_for_grade(level: str, grade: int) -> str:
    if level == School.Level.ELEMENTARY:
        return Band.E12 if grade <= 2 else Band.E34 if grade <= 4 else Band.E56
    return _LEVEL_BANDS.get(level, Band.MIDDLE)


def student_band(user) -> str:
    """The oldest band among the student's current classes; a student in no
    class yet gets the youngest band, the safest default. The classes are
    read with the student's roles."""
    bands = {band_for_grade(level, grade) for level, grade in roles.roles_of(user).class_grades}
    return max(bands, key=STUDENT_BANDS.index) if bands else Band.E12


def is_only_student(user) -> bool:
    """Students who hold no adult role: the band rule applies to them."""
    r = roles.roles_of(user)
    return roles.is_student(user) and not (
        r.has("teacher") or r.has("counselor") or r.has("school_admin") or r.is_editor
    )


def can_open_module(user, module) -> bool:
    """Students see their own band and younger ones; everyone else sees all."""
    if not is_only_student(user):
        return True
    if module.band not in STUDENT_BANDS:
        return False
    return STUDENT_BANDS.index(module.band) <= STUDENT_BANDS.index(student_band(user))


def sees_teacher_notes(user) -> bool:
    return roles.is_teacher(user) or roles.is_editor(user)


def records_progress(user) -> bool:
    """Whose quiz attempts and lesson progress are stored: a student whose
    results may be stored (old enough, or a guardian's consent on file: see
    accounts.consent), and a parent taking their own course."""
    if roles.is_student(user):
        return results_may_be_stored(user)
    return roles.is_parent(user)
