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
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import counselor_required, roles_of, safety_officer_required, school_admin_required
from edu_platform.urls_public import public_url
from schools.models import District, Role, School

from . import cases, keyring, permissions, push, selectors, services
from .forms import (
    AssignForm,
    CloseForm,
    InboxFilterForm,
    NoteForm,
    PushSubscriptionForm,
    ReferralForm,
    ReplyTemplateForm,
    StaffMessageForm,
    StatusForm,
    TagForm,
    TagsForm,
    TemplateChoiceForm,
)
from .models import AuditEvent, CaseTag, PushSubscription, ReplyTemplate, Routing, Status

AUDIT_PAGE_SIZE = 50


def _bad_request(request):
    return render(request, "incidents/staff_bad_request.html", status=400)


# --- inbox -----------------------------------------------------------------------------


@counselor_required
@require_GET
def counsel_home(request):
    """The inbox: the counselor's start page."""
    tags = selectors.inbox_tags(user=request.user)
    form = InboxFilterForm(request.GET, tags=tags)
    if not form.is_valid():
        if not form.date_errors():
            return _bad_request(request)
        # A wrong date: the inbox says which and why, and lists nothing.
        page = selectors.InboxPage(reports=[], number=1, has_previous=False, has_next=False)
        status = 400
    else:
        filters = form.cleaned_data
        reports = selectors.inbox(
            user=request.user,
            status=filters["status"],
            urgency=filters["urgency"],
            category=filters["category"],
            spam=filters["spam"],
            tag=filters["tag"],
            received_from=filters["received_from"],
            received_to=filters["received_to"],
        )
        page = selectors.inbox_page(reports, filters["page"] or 1)
        status = 200
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
        "tags": tags,
        "counseled_schools": selectors.counseled_schools(request.user),
        "key_locked": keyring.needs_unlock(request),
    }
    return render(request, "incidents/counsel_home.html", context, status=status)


# --- a case: one page, every action a POST that comes back to its section -----------------

# The panel's sections (their ids are the anchors the actions return to).
REPLY, STATUS, ASSIGN, REFERRAL, NOTE, TAGS, CLOSE = (
    "act-reply",
    "act-status",
    "act-assign",
    "act-referral",
    "act-note",
    "act-tags",
    "act-close",
)


def _case(request, pk: int):
    reports = permissions.visible_reports(request.user).select_related("school", "district", "assigned_to")
    return get_object_or_404(reports, pk=pk)


def _school_case(report) -> bool:
    # Templates and tags are the school's own; staff-involved cases are the
    # district's and never carry the school's labels.
    return report.routed_to == Routing.SCHOOL


def _render_case(request, report, status=200, open_section: str = "", **forms):
    staff = list(permissions.assignable_staff(report))
    school_case = _school_case(report)
    templates = selectors.school_templates(report.school_id) if school_case else []
    tags = selectors.school_tags(report.school_id) if school_case else []
    detail = selectors.case_detail(report, keyring.keyring_for(request))
    # The page says what was just done inside the section it was done in (the
    # page opens at that section), not at the top, out of sight.
    done = list(messages.get_messages(request))
    section = open_section or next((m.extra_tags for m in done if m.extra_tags), "")
    context = {
        "report": report,
        **detail,  # the opened report (its texts unsealed in this session) replaces it
        "messages": [],
        "done": done,
        "open_section": section,
        "status_form": forms.get("status_form") or StatusForm(report=report),
        "close_form": forms.get("close_form") or CloseForm(),
        "assign_form": forms.get("assign_form")
        or AssignForm(staff=staff, initial={"assignee": str(report.assigned_to_id or "")}),
        "can_take": any(user.pk == request.user.pk for user in staff) and report.assigned_to_id != request.user.pk,
        "message_form": forms.get("message_form") or StaffMessageForm(),
        "template_form": TemplateChoiceForm(templates=templates),
        "templates": [{"id": t.pk, "body": t.body} for t in templates],
        "note_form": forms.get("note_form") or NoteForm(),
        "referral_form": forms.get("referral_form") or ReferralForm(),
        "tags_form": forms.get("tags_form")
        or TagsForm(tags=tags, initial={"tags": [tag.pk for tag in detail["case_tags"]]}),
        "school_case": school_case,
        "district_case": not school_case,
        "can_acknowledge": Status.ACKNOWLEDGED in report.allowed_next_statuses(),
        "can_close": Status.CLOSED in report.allowed_next_statuses(),
        "key_locked": detail["sealed_out"] and keyring.needs_unlock(request),
    }
    cases.report_opened(report=report, actor=request.user)
    return render(request, "incidents/case_detail.html", context, status=status)


def _back_to_case(request, report, done: str, section: str):
    """After a change: show the case again at the section acted in, saying what was done."""
    messages.success(request, done, extra_tags=section)
    return redirect(reverse("counsel_case", kwargs={"pk": report.pk}) + "#" + section)


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
    to_status = form.cleaned_data["status"]
    try:
        cases.report_change_status(report=report, to_status=to_status, actor=request.user)
    except services.CaseError:
        return _bad_request(request)
    if to_status == Status.ACKNOWLEDGED:
        return _back_to_case(request, report, _("The report is acknowledged."), STATUS)
    return _back_to_case(request, report, _("The status was changed."), STATUS)


@counselor_required
@require_POST
def case_close(request, pk):
    report = _case(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        if form.forged():
            return _bad_request(request)
        return _render_case(request, report, open_section=CLOSE, close_form=form)
    try:
        cases.report_change_status(
            report=report,
            to_status=Status.CLOSED,
            closing_reason=form.cleaned_data["closing_reason"],
            actor=request.user,
        )
    except services.CaseError:
        return _bad_request(request)
    return _back_to_case(request, report, _("The case is closed."), CLOSE)


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
    return _back_to_case(request, report, _("The case was assigned."), ASSIGN)


@counselor_required
@require_POST
def case_message(request, pk):
    report = _case(request, pk)
    if "insert" in request.POST:
        # Without the page's script: put the chosen template into the reply
        # box (after what was already written) and send nothing yet.
        templates = selectors.school_templates(report.school_id) if _school_case(report) else []
        choice = TemplateChoiceForm(request.POST, templates=templates)
        if not choice.is_valid():
            return _bad_request(request)
        written = request.POST.get("body", "")[: StaffMessageForm.base_fields["body"].max_length]
        chosen = choice.chosen()
        body = "\n\n".join(part for part in (written.strip(), chosen.body if chosen else "") if part)
        return _render_case(request, report, open_section=REPLY, message_form=StaffMessageForm(initial={"body": body}))
    form = StaffMessageForm(request.POST)
    if not form.is_valid():
        return _render_case(request, report, open_section=REPLY, message_form=form)
    cases.report_send_message(report=report, body=form.cleaned_data["body"], actor=request.user)
    return _back_to_case(request, report, _("Your message was sent. The reporter reads it with their code."), REPLY)


@counselor_required
@require_POST
def case_note(request, pk):
    report = _case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, report, open_section=NOTE, note_form=form)
    cases.report_add_note(report=report, body=form.cleaned_data["note"], actor=request.user)
    return _back_to_case(request, report, _("The note was saved."), NOTE)


@counselor_required
@require_POST
def case_referral(request, pk):
    report = _case(request, pk)
    form = ReferralForm(request.POST)
    if not form.is_valid():
        if form.forged():
            return _bad_request(request)
        return _render_case(request, report, open_section=REFERRAL, referral_form=form)
    before = report.status
    cases.report_add_referral(
        report=report,
        agency=form.cleaned_data["agency"],
        referred_on=form.cleaned_data["referred_on"],
        note=form.cleaned_data["referral_note"],
        actor=request.user,
    )
    report.refresh_from_db(fields=["status"])
    if report.status != before:
        done = _("The referral was recorded and the case is now marked referred.")
    else:
        done = _("The referral was recorded.")
    return _back_to_case(request, report, done, REFERRAL)


@counselor_required
@require_POST
def case_tags(request, pk):
    report = _case(request, pk)
    if not _school_case(report):
        return _bad_request(request)
    form = TagsForm(request.POST, tags=selectors.school_tags(report.school_id))
    if not form.is_valid():
        return _bad_request(request)
    cases.report_set_tags(report=report, tags=form.chosen_tags(), actor=request.user)
    return _back_to_case(request, report, _("The tags were saved."), TAGS)


# --- the school's reply templates and tags (its counselors keep them) ----------------------


def _counseled_school(request, code) -> School:
    school = get_object_or_404(School, code=code)
    if school.pk not in roles_of(request.user).school_ids(Role.COUNSELOR):
        raise PermissionDenied
    return school


def _render_tools(request, school, status=200, tag_form=None):
    context = {
        "school": school,
        "templates": selectors.school_templates(school.pk),
        "tags": selectors.school_tags(school.pk),
        "tag_form": tag_form or TagForm(school=school),
    }
    return render(request, "incidents/counsel_tools.html", context, status=status)


@counselor_required
@require_GET
def counsel_tools(request, code):
    return _render_tools(request, _counseled_school(request, code))


def _template_page(request, school, template=None):
    form = ReplyTemplateForm(request.POST or None, instance=template, school=school)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save(commit=False)
            saved.school = school
            saved.updated_by = request.user
            saved.updated_at = services.to_minute(timezone.now())
            saved.save()
            messages.success(request, _("The template was saved."))
            return redirect("counsel_tools", code=school.code)
    return render(request, "incidents/counsel_template.html", {"school": school, "form": form, "template": template})


@counselor_required
@require_http_methods(["GET", "POST"])
def counsel_template_new(request, code):
    return _template_page(request, _counseled_school(request, code))


@counselor_required
@require_http_methods(["GET", "POST"])
def counsel_template_edit(request, code, template_pk):
    school = _counseled_school(request, code)
    return _template_page(request, school, get_object_or_404(ReplyTemplate, pk=template_pk, school=school))


@counselor_required
@require_POST
def counsel_template_delete(request, code, template_pk):
    school = _counseled_school(request, code)
    get_object_or_404(ReplyTemplate, pk=template_pk, school=school).delete()
    messages.success(request, _("The template was deleted."))
    return redirect("counsel_tools", code=school.code)


@counselor_required
@require_POST
def counsel_tag_new(request, code):
    school = _counseled_school(request, code)
    form = TagForm(request.POST, school=school)
    if not form.is_valid():
        return _render_tools(request, school, status=400, tag_form=form)
    tag = form.save(commit=False)
    tag.school = school
    tag.save()
    messages.success(request, _("The tag was added."))
    return redirect("counsel_tools", code=school.code)


@counselor_required
@require_POST
def counsel_tag_delete(request, code, tag_pk):
    school = _counseled_school(request, code)
    get_object_or_404(CaseTag, pk=tag_pk, school=school).delete()
    messages.success(request, _("The tag was deleted. Cases keep everything else."))
    return redirect("counsel_tools", code=school.code)


# --- browser notifications (Web Push), for those who opt in ------------------------------


@counselor_required
@require_GET
def counsel_push(request):
    scope = push.scope_for(request.user)
    context = {
        "push_enabled": push.enabled() and bool(scope),
        "public_key": push.public_key(scope) if push.enabled() and scope else "",
        "devices": PushSubscription.objects.filter(user=request.user).count(),
    }
    return render(request, "incidents/counsel_push.html", context)


@counselor_required
@require_POST
def counsel_push_subscribe(request):
    form = PushSubscriptionForm(request.POST)
    if not push.enabled() or not push.scope_for(request.user) or not form.is_valid():
        return _bad_request(request)
    push.subscribe(user=request.user, subscription=push.Subscription(**form.cleaned_data))
    return HttpResponse(status=204)


@counselor_required
@require_POST
def counsel_push_unsubscribe(request):
    endpoint = request.POST.get("endpoint", "")[:1000]
    push.unsubscribe(user=request.user, endpoint=endpoint)
    if endpoint:
        return HttpResponse(status=204)
    messages.success(request, _("Browser notifications are off on all your devices."))
    return redirect("counsel_push")


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
