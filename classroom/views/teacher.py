"""The teacher's classes: start page, new class, dashboard, CSV export,
reminders, archiving and the join code."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import teacher_required
from accounts.selectors import students_waiting_for_consent
from schools.models import School

from .. import cards as login_cards
from .. import exports, permissions, selectors, services
from ..forms import ClassroomForm
from ..learning import MIN_ANSWERED
from .common import (
    changes_the_class,
    taught_classroom,
)


@teacher_required
def teacher_home(request):
    context = selectors.teacher_classrooms(permissions.taught_classrooms(request.user))
    context["can_create"] = permissions.can_create_classroom(request.user)
    return render(request, "classroom/teacher_home.html", context)


@teacher_required
@require_http_methods(["GET", "POST"])
def classroom_create(request):
    schools = School.objects.filter(pk__in=permissions.teacher_school_ids(request.user)).order_by("name")
    form = ClassroomForm(request.POST or None, schools=schools, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        classroom = services.classroom_create(
            school=form.cleaned_data["school"],
            name=form.cleaned_data["name"],
            grade=form.cleaned_data["grade"],
            school_year=form.cleaned_data["school_year"],
            teacher=request.user,
        )
        messages.success(request, _("The class was created. Next: add students."))
        return redirect("classroom_students", pk=classroom.pk)
    return render(request, "classroom/classroom_form.html", {"form": form})


@teacher_required
def classroom_dashboard(request, pk):
    classroom = taught_classroom(request, pk)
    dashboard = selectors.class_dashboard(classroom)
    waiting = students_waiting_for_consent(row.enrollment.student_id for row in dashboard.rows)
    return render(
        request,
        "classroom/dashboard.html",
        {
            "classroom": classroom,
            "dashboard": dashboard,
            "waiting_for_consent": waiting,
            "min_answered": MIN_ANSWERED,
        },
    )


@teacher_required
def classroom_export(request, pk):
    classroom = taught_classroom(request, pk)
    dashboard = selectors.class_dashboard(classroom)
    response = HttpResponse(exports.progress_csv(dashboard), content_type="text/csv; charset=utf-8")
    filename = f"{classroom.school.code}-{classroom.school_year}-{classroom.pk}-progress.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@teacher_required
@require_POST
@changes_the_class
def classroom_remind(request, pk):
    classroom = taught_classroom(request, pk)
    services.reminders_queue(classroom=classroom, sent_by=request.user)
    messages.success(
        request,
        _("Reminders are on their way: students who have not finished an open module see a notice on their page."),
    )
    return redirect("classroom_dashboard", pk=classroom.pk)


@teacher_required
@require_POST
def classroom_archive(request, pk):
    classroom = taught_classroom(request, pk)
    if request.POST.get("action") == "restore":
        services.classroom_restore(classroom=classroom)
        messages.success(request, _("The class is back among your current classes."))
        return redirect("classroom_dashboard", pk=classroom.pk)
    services.classroom_archive(classroom=classroom)
    messages.success(request, _("The class was archived. Its results are kept; you can restore it."))
    return redirect("teacher_home")


@teacher_required
@require_http_methods(["GET", "POST"])
@changes_the_class
def classroom_join_code(request, pk):
    classroom = taught_classroom(request, pk)
    if request.method == "POST":
        services.classroom_join_code_renew(classroom=classroom)
        messages.success(request, _("The class has a new code. The old one no longer works."))
        return redirect("classroom_join_code", pk=classroom.pk)
    code = classroom.join_code
    return render(
        request,
        "classroom/join_code.html",
        {
            "classroom": classroom,
            "code_groups": [code[:4], code[4:]],
            "join_address": login_cards.join_address(request),
        },
    )
