"""The education office's pages (district safety officers, who also see the
reports that involve school staff): how far the lessons reached in its
schools, a school's grades, the reporting spreadsheet, and onboarding schools
from a file. Never a pupil's name or result."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.forms import OfficerInvitationForm
from accounts.models import SAFETY_OFFICER, Invitation
from accounts.permissions import can_approve_invitation, roles_of, safety_officer_required
from accounts.services import InvitationError, invitation_approve, invitation_create, invitation_decline
from curriculum.models.pages import Band
from edu_platform.charts import bar_chart
from edu_platform.spreadsheets import write_xlsx
from edu_platform.urls_public import public_base_url
from schools.models import District, Role, School

from . import exports, selectors, services, signin
from .forms import IdentityProviderForm, SchoolFileForm, ThresholdForm
from .models import IdentityProvider, SchoolImport
from .school_file import parse_school_file, row_message


def _district(request, code) -> District:
    """The officer's own office; another office is refused (403), as the
    district's report statistics are."""
    district = get_object_or_404(District, code=code)
    if district.pk not in roles_of(request.user).district_ids:
        raise PermissionDenied
    return district


@safety_officer_required
@require_GET
def office_home(request):
    districts = list(District.objects.filter(pk__in=roles_of(request.user).district_ids).order_by("name"))
    if len(districts) == 1:
        return redirect("office_district", code=districts[0].code)
    return render(request, "districts/office_home.html", {"districts": districts})


def _threshold(request) -> int:
    form = ThresholdForm(request.GET)
    if form.is_valid() and form.cleaned_data["threshold"] is not None:
        return form.cleaned_data["threshold"]
    return selectors.DEFAULT_THRESHOLD


@safety_officer_required
@require_GET
def office_district(request, code):
    district = _district(request, code)
    threshold = _threshold(request)
    overview = selectors.office_overview(district, threshold=threshold)
    chart = bar_chart(
        [(row.school.name, row.reach.percent if row.reach.lessons else None) for row in overview["schools"]],
        guide=threshold,
        highlight_below=threshold,
    )
    return render(
        request,
        "districts/office_district.html",
        {
            "district": district,
            "overview": overview,
            "chart": chart,
            "threshold_form": ThresholdForm(initial={"threshold": threshold}),
        },
    )


@safety_officer_required
@require_GET
def office_school(request, code, school_code):
    district = _district(request, code)
    school = get_object_or_404(School, code=school_code, district=district)
    detail = selectors.school_by_grade(school)
    bands = dict(Band.choices)
    chart = bar_chart(
        [
            (_("Grade %(grade)d") % {"grade": row["grade"]}, row["reach"].percent if row["reach"].lessons else None)
            for row in detail["grades"]
        ]
    )
    for row in detail["grades"]:
        row["band_label"] = bands.get(row["band"], row["band"])
    return render(
        request,
        "districts/office_school.html",
        {"district": district, "school": school, "detail": detail, "chart": chart},
    )


@safety_officer_required
@require_GET
def office_export(request, code):
    district = _district(request, code)
    overview = selectors.office_overview(district, threshold=_threshold(request))
    response = HttpResponse(
        exports.completion_workbook(overview),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{district.code}-{overview["school_year"]}-completion.xlsx"'
    )
    return response


TEMPLATE_ROWS = [
    ["학교명", "학교급", "학교코드", "상담교사", "관리자"],
    ["예시초등학교", "초", "7010057", "counselor@example.org", "admin@example.org; vice@example.org"],
]


@safety_officer_required
@require_GET
def school_import_template(request, code):
    _district(request, code)
    response = HttpResponse(
        write_xlsx([(_("Schools"), TEMPLATE_ROWS)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="schools-template.xlsx"'
    return response


@safety_officer_required
@require_http_methods(["GET", "POST"])
def school_import_upload(request, code):
    district = _district(request, code)
    form = SchoolFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(1024 * 1024 + 1)
        parsed = parse_school_file(data, upload.name, district=district)
        if parsed.file_errors:
            for error in parsed.file_errors:
                form.add_error("file", error)
        else:
            school_import = services.school_import_create(
                district=district, created_by=request.user, filename=upload.name, parsed=parsed
            )
            return redirect("school_import_preview", code=district.code, import_pk=school_import.pk)
    return render(request, "districts/school_import_upload.html", {"district": district, "form": form})


@safety_officer_required
@require_http_methods(["GET", "POST"])
def school_import_preview(request, code, import_pk):
    district = _district(request, code)
    school_import = get_object_or_404(SchoolImport, pk=import_pk, district=district)
    if request.method == "POST":
        try:
            result = services.school_import_confirm(
                school_import=school_import, invited_by=request.user, site_url=public_base_url(request)
            )
        except services.SchoolImportError as error:
            messages.error(request, str(error))
            return redirect("school_import_preview", code=district.code, import_pk=school_import.pk)
        messages.success(
            request,
            _(
                "Done: %(created)d schools created, %(updated)d updated, %(unchanged)d unchanged; "
                "%(invited)d staff invited."
            )
            % vars(result),
        )
        return redirect("office_district", code=district.code)
    rows = [
        {**row, "messages": [row_message(e["code"], e["params"]) for e in row["errors"]]} for row in school_import.rows
    ]
    return render(
        request,
        "districts/school_import_preview.html",
        {
            "district": district,
            "school_import": school_import,
            "rows": rows,
            "problem_count": sum(1 for row in rows if row["messages"]),
            "counts": {
                change: sum(1 for row in rows if row["change"] == change) for change in ("new", "update", "same")
            },
            "form": SchoolFileForm(),
        },
    )


@safety_officer_required
@require_http_methods(["GET", "POST"])
def office_signin_settings(request, code):
    """The district's school accounts: which OpenID Connect provider its
    staff and pupils sign in with, and how they are matched to people here."""
    district = _district(request, code)
    provider = IdentityProvider.objects.select_related("app").filter(district=district).first()
    initial = {"match_by": IdentityProvider.Match.EMAIL, "id_claim": "sub", "enabled": True}
    if provider:
        initial = {
            "issuer": provider.app.settings.get("server_url", ""),
            "client_id": provider.app.client_id,
            "match_by": provider.match_by,
            "id_claim": provider.id_claim,
            "enabled": provider.enabled,
        }
    has_secret = bool(provider and provider.app.secret)
    if request.method == "POST":
        form = IdentityProviderForm(request.POST, has_secret=has_secret)
        if form.is_valid():
            services.save_identity_provider(district=district, data=form.cleaned_data)
            messages.success(request, _("Sign-in with school accounts saved."))
            return redirect("office_signin_settings", code=district.code)
    else:
        form = IdentityProviderForm(initial=initial, has_secret=has_secret)
    callback = signin.callback_url(request, IdentityProvider.provider_id_for(district))
    return render(
        request,
        "districts/office_signin_settings.html",
        {"district": district, "form": form, "provider": provider, "callback_url": callback},
    )


# --- Invitations waiting for a second person ----------------------------------------------


def _role_label(role: str) -> str:
    return _("Safety officer of the education office") if role == SAFETY_OFFICER else Role(role).label


@safety_officer_required
@require_http_methods(["GET", "POST"])
def office_invitations(request, code):
    """Invitations to roles that read reports, waiting for a second person:
    counselors of the district's schools and safety officers of the office.
    The officer approves or declines those they did not make; the latest
    decisions are listed with who made them. An officer proposes another
    safety officer here too (another officer of the office approves)."""
    district = _district(request, code)
    form = OfficerInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                district=district,
                email=form.cleaned_data["email"],
                role=SAFETY_OFFICER,
                invited_by=request.user,
                site_url=public_base_url(request),
            )
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                _("The invitation waits for approval: another safety officer of the office must approve it."),
            )
            return redirect("office_invitations", code=district.code)
    waiting = [
        {"invitation": inv, "role": _role_label(inv.role), "can_decide": can_approve_invitation(request.user, inv)}
        for inv in account_selectors.invitations_waiting_in_district(district.pk)
    ]
    decisions = [
        {"event": event, "role": _role_label(event.invitation.role)}
        for event in account_selectors.invitation_decisions_in_district(district.pk)
    ]
    return render(
        request,
        "districts/office_invitations.html",
        {"district": district, "waiting": waiting, "decisions": decisions, "form": form},
        status=200 if request.method == "GET" or not form.errors else 400,
    )


@safety_officer_required
@require_POST
def office_invitation_decide(request, code, invitation_pk, decision):
    district = _district(request, code)
    invitation = get_object_or_404(
        Invitation.objects.select_related("school", "district"),
        Q(school__district=district) | Q(district=district),
        pk=invitation_pk,
    )
    if not can_approve_invitation(request.user, invitation):
        raise PermissionDenied
    try:
        if decision == "approve":
            invitation_approve(invitation=invitation, approved_by=request.user, site_url=public_base_url(request))
            messages.success(
                request, _("Approved: the invitation was sent, and the people who read these reports were told.")
            )
        else:
            invitation_decline(invitation=invitation, declined_by=request.user)
            messages.success(request, _("Declined: the invitation will not be sent."))
    except InvitationError as error:
        messages.error(request, str(error))
    return redirect("office_invitations", code=district.code)
