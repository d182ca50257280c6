"""The counselors' inbox and case tools, and the school admins' and safety
officers' overview pages (statistics, poster, audit trail).

Every view requires its role (``<role>_required``: anonymous → login, other
roles → 403) and then checks the object: a report outside the person's
schools is 404, whatever id is tried. Every read of report content and every
change is written to the audit trail by the services.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import counselor_required, roles_of, safety_officer_required, school_admin_required
from edu_platform.urls_public import public_url
from schools.models import District, School

from . import cases, keyring, permissions, selectors, services
from .forms import (
    AssignForm,
    InboxFilterForm,
    NoteForm,
    ReferralForm,
    StaffMessageForm,
    StatusForm,
)
from .models import AuditEvent, Routing

AUDIT_PAGE_SIZE = 50


def _bad_request(request):
    return render(request, "incidents/staff_bad_request.html", status=400)


# --- inbox -----------------------------------------------------------------------------


@counselor_required
@require_GET
def counsel_home(request):
    """The inbox: the counselor's start page."""
    form = InboxFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(request)
    filters = form.cleaned_data
    reports = selectors.inbox(
        user=request.user,
        status=filters["status"],
        urgency=filters["urgency"],
        category=filters["category"],
        spam=filters["spam"],
    )
    page = selectors.inbox_page(reports, filters["page"] or 1)
    query = request.GET.copy()
    query.pop("page", None)
    district_ids = roles_of(request.user).district_ids
    districts = list(District.objects.filter(pk__in=district_ids).order_by("name")) if district_ids else []
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "districts": districts,
        "held_as_flood": selectors.held_as_flood(user=request.user),
    }
    return render(request, "incidents/counsel_home.html", context)


# --- a case ------------------------------------------------------------------------------


def _case(request, pk: int):
    reports = permissions.visible_reports(request.user).select_related("school", "district", "assigned_to")
    return get_object_or_404(reports, pk=pk)


def _render_case(request, report, status=200, **forms):
    staff = list(permissions.assignable_staff(report))
    context = {
        **selectors.case_detail(report, keyring.keyring_for(request)),
        "status_form": forms.get("status_form") or StatusForm(report=report),
        "assign_form": forms.get("assign_form")
        or AssignForm(staff=staff, initial={"assignee": str(report.assigned_to_id or "")}),
        "message_form": forms.get("message_form") or StaffMessageForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "referral_form": forms.get("referral_form") or ReferralForm(),
        "district_case": report.routed_to == Routing.DISTRICT,
    }
    cases.report_opened(report=report, actor=request.user)
    return render(request, "incidents/case_detail.html", context, status=status)


def _back_to_case(request, report, done: str, anchor: str = ""):
    """After a change: say what was done and show the case again."""
    messages.success(request, done)
    return redirect(reverse("counsel_case", kwargs={"pk": report.pk}) + anchor)


@counselor_required
@require_GET
def case_detail(request, pk):
    return _render_case(request, _case(request, pk))


@counselor_required
@require_GET
def case_print(request, pk):
    report = _case(request, pk)
    context = {**selectors.case_detail(report, keyring.keyring_for(request)), "history": selectors.case_history(report)}
    cases.report_opened(report=report, actor=request.user, printed=True)
    return render(request, "incidents/case_print.html", context)


@counselor_required
@require_POST
def case_status(request, pk):
    report = _case(request, pk)
    form = StatusForm(request.POST, report=report)
    if not form.is_valid():
        return _bad_request(request)
    try:
        cases.report_change_status(report=report, to_status=form.cleaned_data["status"], actor=request.user)
    except services.CaseError:
        return _bad_request(request)
    return _back_to_case(request, report, _("The status was changed."))


@counselor_required
@require_POST
def case_assign(request, pk):
    report = _case(request, pk)
    form = AssignForm(request.POST, staff=permissions.assignable_staff(report))
    if not form.is_valid():
        return _bad_request(request)
    try:
        cases.report_assign(report=report, assignee=form.chosen_assignee(), actor=request.user)
    except services.CaseError:
        return _bad_request(request)
    return _back_to_case(request, report, _("The case was assigned."))


@counselor_required
@require_POST
def case_message(request, pk):
    report = _case(request, pk)
    form = StaffMessageForm(request.POST)
    if not form.is_valid():
        return _render_case(request, report, message_form=form)
    cases.report_send_message(report=report, body=form.cleaned_data["body"], actor=request.user)
    return _back_to_case(
        request, report, _("Your message was sent. The reporter reads it with their code."), "#messages"
    )


@counselor_required
@require_POST
def case_note(request, pk):
    report = _case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, report, note_form=form)
    cases.report_add_note(report=report, body=form.cleaned_data["note"], actor=request.user)
    return _back_to_case(request, report, _("The note was saved."), "#notes")


@counselor_required
@require_POST
def case_referral(request, pk):
    report = _case(request, pk)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        if form.forged():
            return _bad_request(request)
        return _render_case(request, report, referral_form=form)
    cases.report_add_referral(
        report=report,
        agency=form.cleaned_data["agency"],
        referred_on=form.cleaned_data["referred_on"],
        note=form.cleaned_data["referral_note"],
        actor=request.user,
    )
    return _back_to_case(request, report, _("The referral was recorded."), "#referrals")


# --- school admins and safety officers ----------------------------------------------------


def _managed_school(request, code) -> School:
    school = get_object_or_404(School, code=code)
    if not permissions.can_see_school_overview(request.user, school):
        raise PermissionDenied
    return school


def _overseen_district(request, code) -> District:
    district = get_object_or_404(District, code=code)
    if not permissions.can_see_district_overview(request.user, district):
        raise PermissionDenied
    return district


@school_admin_required
@require_GET
def school_report_stats(request, code):
    school = _managed_school(request, code)
    stats = selectors.report_statistics(selectors.school_statistics_reports(school))
    return render(request, "incidents/stats.html", {"place": school, "stats": stats, "district": False})


@safety_officer_required
@require_GET
def district_report_stats(request, code):
    district = _overseen_district(request, code)
    stats = selectors.report_statistics(selectors.district_statistics_reports(district))
    return render(request, "incidents/stats.html", {"place": district, "stats": stats, "district": True})


def channel_url(school: School, request=None) -> str:
    return public_url(reverse("report_start", kwargs={"code": school.code}), request)


def qr_svg(data: str) -> str:
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    return image.to_string(encoding="unicode")


@school_admin_required
@require_GET
def school_report_poster(request, code):
    school = _managed_school(request, code)
    url = channel_url(school, request)
    # The SVG is made here from our own URL, never from user input.
    context = {"school": school, "url": url, "qr": mark_safe(qr_svg(url))}  # noqa: S308
    return render(request, "incidents/poster.html", context)


def _audit_page(request, events, place, district: bool):
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return _bad_request(request)
    rows, number, has_next = selectors.page_rows(events, number, AUDIT_PAGE_SIZE)
    context = {
        "place": place,
        "district": district,
        "events": rows,
        "number": number,
        "has_next": has_next,
        "actions": AuditEvent.Action,
    }
    return render(request, "incidents/audit.html", context)


@school_admin_required
@require_GET
def school_report_audit(request, code):
    school = _managed_school(request, code)
    return _audit_page(request, selectors.audit_events(school=school), school, district=False)


@safety_officer_required
@require_GET
def district_report_audit(request, code):
    district = _overseen_district(request, code)
    return _audit_page(request, selectors.audit_events(district=district), district, district=True)
