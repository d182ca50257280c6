"""The teacher's roster: students of a class, login cards, one student's page
(number, class, password, active) and the roster import with its preview."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import teacher_required

from .. import permissions, roster_xlsx, selectors, services, student_accounts
from ..forms import EnrollmentForm, RosterUploadForm, StudentAddForm
from ..models import RosterImport
from ..roster import row_error_message
from .common import (
    changes_the_class,
    class_enrollment,
    enrollments_of,
    once_token,
    render_cards,
    repeated_submission,
    taught_classroom,
)


@teacher_required
@require_http_methods(["GET", "POST"])
@changes_the_class
def classroom_students(request, pk):
    classroom = taught_classroom(request, pk)
    form = StudentAddForm(request.POST or None, classroom=classroom)
    if request.method == "POST":
        refused = repeated_submission(request, classroom)
        if refused:
            return refused
        if form.is_valid():
            try:
                card = student_accounts.student_add(
                    classroom=classroom, name=form.cleaned_data["name"], number=form.cleaned_data["number"]
                )
            except services.ClassroomError as error:
                form.add_error("number", str(error))
            else:
                return render_cards(request, classroom, [card])
    enrollments = enrollments_of(classroom)
    manageable = permissions.manageable_student_ids([e.student_id for e in enrollments])
    return render(
        request,
        "classroom/students.html",
        {
            "classroom": classroom,
            "form": form,
            "enrollments": enrollments,
            "manageable": manageable,
            "once": once_token(),
        },
    )


@teacher_required
@require_POST
@changes_the_class
def classroom_cards(request, pk):
    """New passwords (and cards) for the students ticked in the list."""
    classroom = taught_classroom(request, pk)
    refused = repeated_submission(request, classroom)
    if refused:
        return refused
    ids = [int(v) for v in request.POST.getlist("enrollment") if v.isdigit()]
    enrollments = [e for e in enrollments_of(classroom) if e.pk in ids and e.student.is_active]
    manageable = permissions.manageable_student_ids([e.student_id for e in enrollments])
    enrollments = [e for e in enrollments if e.student_id in manageable]
    if not enrollments:
        messages.error(request, _("Tick at least one active student whose card you want to renew."))
        return redirect("classroom_students", pk=classroom.pk)
    return render_cards(request, classroom, student_accounts.student_passwords_reset(enrollments=enrollments))


@teacher_required
@require_http_methods(["GET", "POST"])
@changes_the_class
def student_detail(request, pk, enrollment_pk):
    classroom, enrollment = class_enrollment(request, pk, enrollment_pk)
    targets = permissions.taught_classrooms(request.user).filter(school=classroom.school, archived_at__isnull=True)
    form = EnrollmentForm(request.POST or None, enrollment=enrollment, classrooms=targets)
    if request.method == "POST":
        if form.is_valid():
            to_classroom = form.cleaned_data["classroom"]
            try:
                services.enrollment_update(
                    enrollment=enrollment, to_classroom=to_classroom, number=form.cleaned_data["number"]
                )
            except services.ClassroomError as error:
                form.add_error("number" if to_classroom.pk == classroom.pk else "classroom", str(error))
            else:
                if to_classroom.pk != classroom.pk:
                    messages.success(
                        request,
                        _("%(name)s moved to %(classroom)s.") % {"name": enrollment.student, "classroom": to_classroom},
                    )
                else:
                    messages.success(request, _("Saved."))
                return redirect("classroom_students", pk=classroom.pk)
    return render(
        request,
        "classroom/student_detail.html",
        {
            "classroom": classroom,
            "enrollment": enrollment,
            "student": enrollment.student,
            "form": form,
            "manageable": permissions.can_manage_student_account(enrollment.student),
            "once": once_token(),
        },
    )


@teacher_required
@require_POST
@changes_the_class
def student_reset(request, pk, enrollment_pk):
    classroom, enrollment = class_enrollment(request, pk, enrollment_pk)
    refused = repeated_submission(request, classroom)
    if refused:
        return refused
    if not permissions.can_manage_student_account(enrollment.student) or not enrollment.student.is_active:
        raise Http404
    return render_cards(request, classroom, student_accounts.student_passwords_reset(enrollments=[enrollment]))


@teacher_required
@require_POST
@changes_the_class
def student_active(request, pk, enrollment_pk):
    classroom, enrollment = class_enrollment(request, pk, enrollment_pk)
    if not permissions.can_manage_student_account(enrollment.student):
        raise Http404
    active = request.POST.get("active") == "1"
    student_accounts.student_set_active(student=enrollment.student, active=active)
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": enrollment.student})
    else:
        messages.success(
            request, _("%(name)s can no longer sign in. Their results are kept.") % {"name": enrollment.student}
        )
    return redirect("student_detail", pk=classroom.pk, enrollment_pk=enrollment.pk)


@teacher_required
@require_http_methods(["GET", "POST"])
@changes_the_class(even_to_look=True)
def roster_upload(request, pk):
    classroom = taught_classroom(request, pk)
    form = RosterUploadForm(
        request.POST or None,
        request.FILES or None,
        classroom=classroom,
        taken_numbers=selectors.taken_numbers(classroom),
    )
    if request.method == "POST" and form.is_valid():
        roster_import = student_accounts.roster_import_create(
            classroom=classroom, created_by=request.user, filename=form.cleaned_data["file"].name, roster=form.roster
        )
        return redirect("roster_preview", pk=classroom.pk, import_pk=roster_import.pk)
    status = 413 if form.too_large else 200  # Request Entity Too Large, with the form and its message
    return render(request, "classroom/roster_upload.html", {"classroom": classroom, "form": form}, status=status)


@teacher_required
@require_GET
def roster_template(request, pk):
    """Our roster template as an Excel file: the header row and one example."""
    taught_classroom(request, pk)
    response = HttpResponse(
        roster_xlsx.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


@teacher_required
@require_http_methods(["GET", "POST"])
def roster_preview(request, pk, import_pk):
    classroom = taught_classroom(request, pk)
    roster_import = get_object_or_404(RosterImport, pk=import_pk, classroom=classroom, created_by=request.user)
    if request.method == "POST":
        try:
            result = student_accounts.roster_import_confirm(roster_import=roster_import)
        except services.ClassroomError as error:
            messages.error(request, str(error))
            return redirect("roster_preview", pk=classroom.pk, import_pk=roster_import.pk)
        if result.account_ids_saved:
            messages.success(
                request,
                ngettext(
                    "The school account ID of %(count)d student already in the class was saved.",
                    "The school account IDs of %(count)d students already in the class were saved.",
                    result.account_ids_saved,
                )
                % {"count": result.account_ids_saved},
            )
        if result.cards:
            return render_cards(request, classroom, result.cards)
        return redirect("classroom_students", pk=classroom.pk)
    rows = [
        {**row, "messages": [row_error_message(e["code"], e["params"]) for e in row["errors"]]}
        for row in roster_import.rows
    ]
    ok_rows = [r for r in rows if not r["messages"]]
    return render(
        request,
        "classroom/roster_preview.html",
        {
            "classroom": classroom,
            "roster_import": roster_import,
            "rows": rows,
            "ok_count": len(ok_rows),
            "new_count": sum(1 for r in ok_rows if r.get("change", "new") == "new"),
            "update_count": sum(1 for r in ok_rows if r.get("change") == "update"),
            "has_account_ids": any(r.get("account_id") for r in rows),
            "problem_count": len(rows) - len(ok_rows),
            "form": RosterUploadForm(classroom=classroom),
        },
    )
