"""The teacher's assignments: give modules to a class, change dates and order."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import teacher_required
from curriculum.progress import localized_titles

from .. import selectors, services
from ..forms import AssignmentForm
from .common import (
    changes_the_class,
    class_assignment,
    taught_classroom,
)


@teacher_required
@require_http_methods(["GET", "POST"])
@changes_the_class
def classroom_assignments(request, pk):
    classroom = taught_classroom(request, pk)
    form = AssignmentForm(request.POST or None, classroom=classroom)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.assignment_create(
                    classroom=classroom,
                    module=form.cleaned_data["module"],
                    opens_on=form.cleaned_data["opens_on"],
                    due_on=form.cleaned_data["due_on"],
                    requires_previous=form.cleaned_data["requires_previous"],
                    created_by=request.user,
                )
            except services.ClassroomError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("The module was assigned."))
                return redirect("classroom_assignments", pk=classroom.pk)
    assignments = list(classroom.assignments.select_related("module").order_by("position", "due_on", "id"))
    titles = localized_titles([a.module for a in assignments])
    return render(
        request,
        "classroom/assignments.html",
        {
            "classroom": classroom,
            "form": form,
            "assignments": [{"assignment": a, "title": titles[a.module_id]} for a in assignments],
            "today": selectors.today(),
        },
    )


@teacher_required
@require_http_methods(["GET", "POST"])
@changes_the_class
def assignment_edit(request, pk, assignment_pk):
    classroom, assignment = class_assignment(request, pk, assignment_pk)
    form = AssignmentForm(request.POST or None, classroom=classroom, assignment=assignment)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.assignment_delete(assignment=assignment)
            messages.success(request, _("The assignment was removed. What students did is kept."))
            return redirect("classroom_assignments", pk=classroom.pk)
        if form.is_valid():
            try:
                services.assignment_update(
                    assignment=assignment,
                    opens_on=form.cleaned_data["opens_on"],
                    due_on=form.cleaned_data["due_on"],
                    requires_previous=form.cleaned_data["requires_previous"],
                )
            except services.ClassroomError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("classroom_assignments", pk=classroom.pk)
    title = localized_titles([assignment.module])[assignment.module_id]
    return render(
        request,
        "classroom/assignment_edit.html",
        {"classroom": classroom, "assignment": assignment, "title": title, "form": form},
    )


@teacher_required
@require_POST
@changes_the_class
def assignment_move(request, pk, assignment_pk):
    classroom, assignment = class_assignment(request, pk, assignment_pk)
    services.assignment_move(assignment=assignment, up=request.POST.get("direction") == "up")
    return redirect("classroom_assignments", pk=classroom.pk)
