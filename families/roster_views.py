"""The school admin's consent-roster import: upload the school's own list of
pupils it holds a guardian's consent for, check the preview, record all or
nothing; and the template to fill in."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import school_admin_required
from classroom.permissions import can_manage_school
from schools.models import School

from . import consent_roster, services
from .forms import ConsentRosterUploadForm
from .models import ConsentRosterImport


def _managed_school(request, code):
    school = get_object_or_404(School, code=code)
    if not can_manage_school(request.user, school):
        return school, render(request, "403.html", status=403)
    return school, None


@school_admin_required
@require_http_methods(["GET", "POST"])
def consent_roster_upload(request, code):
    school, refused = _managed_school(request, code)
    if refused:
        return refused
    form = ConsentRosterUploadForm(request.POST or None, request.FILES or None, school=school)
    if request.method == "POST" and form.is_valid():
        roster_import = services.consent_roster_import_create(
            school=school, created_by=request.user, filename=form.cleaned_data["file"].name, roster=form.roster
        )
        return redirect("consent_roster_preview", code=school.code, import_pk=roster_import.pk)
    status = 413 if form.too_large else 200
    return render(request, "families/consent_roster_upload.html", {"school": school, "form": form}, status=status)


@school_admin_required
@require_GET
def consent_roster_template(request, code):
    _school, refused = _managed_school(request, code)
    if refused:
        return refused
    response = HttpResponse(
        consent_roster.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="consent-roster-template.xlsx"'
    return response


@school_admin_required
@require_http_methods(["GET", "POST"])
def consent_roster_preview(request, code, import_pk):
    school, refused = _managed_school(request, code)
    if refused:
        return refused
    roster_import = get_object_or_404(ConsentRosterImport, pk=import_pk, school=school, created_by=request.user)
    if request.method == "POST":
        try:
            recorded = services.consent_roster_confirm(roster_import=roster_import)
        except services.ConsentRosterError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The school's consent is recorded for %(count)d pupils: their results are stored from now on.")
                % {"count": recorded},
            )
        return redirect("consent_roster_preview", code=school.code, import_pk=roster_import.pk)
    rows = [
        {**row, "messages": [consent_roster.row_error_message(e["code"], e["params"]) for e in row["errors"]]}
        for row in roster_import.rows
    ]
    return render(
        request,
        "families/consent_roster_preview.html",
        {
            "school": school,
            "roster_import": roster_import,
            "rows": rows,
            "ok_count": sum(1 for r in rows if not r["messages"]),
            "problem_count": sum(1 for r in rows if r["messages"]),
            "form": ConsentRosterUploadForm(school=school),
        },
    )
