"""`make run`: the demo class has the demo module assigned and the demo
student some progress, and seeding twice adds nothing."""

from django.apps import apps
from django.core.management import call_command

from classroom.models import Assignment, Classroom
from classroom.selectors import class_dashboard
from curriculum.models import LessonProgress, QuizAttempt


def test_seed_demo_assigns_the_module_and_records_progress_once(db):
    call_command("seed_demo", "--password", "demo-test-pass")
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("seed_demo", "--password", "demo-test-pass")
    assert counts == {m._meta.label: m.objects.count() for m in apps.get_models()}
    classroom = Classroom.objects.get(join_code="DEMO3BAN")
    assignment = Assignment.objects.get(classroom=classroom)
    assert assignment.module.slug == "middle-harm-law-response"
    assert assignment.opens_on <= assignment.due_on
    assert LessonProgress.objects.filter(student__username="demo-student").count() == 2
    assert QuizAttempt.objects.filter(student__username="demo-student", kind="pre").count() == 1
    dashboard = class_dashboard(classroom, language="ko")
    assert dashboard.done == 1 and dashboard.rows[0].cells[0].status == "passed"
