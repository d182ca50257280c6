"""Reads of the classroom, one module per page or audience, written with
query counts in mind: each page asks for what it shows in a fixed number of
queries, whatever the number of students, lessons or attempts.

* ``completion``: whole classes (teacher start page, school admin, digests)
  and who has not finished what (reminders);
* ``dashboard``: the class dashboard;
* ``student``: the student start page.
"""

from .completion import (
    Completion,
    class_completion,
    locked_assignments,
    overdue_by_teacher,
    school_overview,
    taken_numbers,
    teacher_classrooms,
    today,
    unfinished_students,
)
from .dashboard import NOT_STARTED, Cell, ClassModule, Dashboard, LessonColumn, StudentRow, class_dashboard
from .student import StudentModule, student_start

__all__ = [
    "NOT_STARTED",
    "Cell",
    "ClassModule",
    "Completion",
    "Dashboard",
    "LessonColumn",
    "StudentModule",
    "StudentRow",
    "class_completion",
    "class_dashboard",
    "locked_assignments",
    "overdue_by_teacher",
    "school_overview",
    "student_start",
    "taken_numbers",
    "teacher_classrooms",
    "today",
    "unfinished_students",
]
