"""Profile one page in process with pyinstrument, to see what dominates its
time: `python bench/profile_page.py lesson_page 200` against the database
named by DATABASE_URL (a bench dataset). Prints pyinstrument's text report.

pyinstrument is not a project dependency: `pip install pyinstrument` first.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edu_platform.settings.production")

import django  # noqa: E402

django.setup()

import measure  # noqa: E402  (bench/measure.py: the same people as the bench)
from pyinstrument import Profiler  # noqa: E402

from curriculum.models import LessonPage  # noqa: E402


def lesson_page():
    classroom = measure.pick_class()
    student = classroom.enrollments.order_by("id").first().student
    assignment = classroom.assignments.order_by("position", "id").first()
    lesson = LessonPage.objects.child_of(assignment.module).live().order_by("path").first()
    client = measure.logged_in(student)
    client.get(lesson.url)
    return lambda: client.get(lesson.url)


PAGES = {"lesson_page": lesson_page}

if __name__ == "__main__":
    name, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
    fn = PAGES[name]()
    for _ in range(20):
        fn()
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(runs):
        fn()
    profiler.stop()
    print(f"{name}: {(time.perf_counter() - started) * 1000 / runs:.1f} ms per request", file=sys.stderr)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
