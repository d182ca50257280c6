"""The school admin's pages: the overview of classes and the staff page
(invitations, ending a role)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import InvitationForm
from accounts.models import Invitation
from accounts.permissions import (
    can_approve_invitation,
    school_admin_or_safety_officer_required,
    school_admin_required,
)
from accounts.services import InvitationError, invitation_approve, invitation_create
from edu_platform.urls_public import public_base_url
from schools.models import STAFF_ROLES, EndedMembership, Membership, School

from .. import permissions, selectors, services


@school_admin_required
def school_home(request):
    overview = selectors.school_overview(permissions.managed_school_ids(request.user))
    return render(request, "classroom/school_home.html", {"schools": overview})


@school_admin_required
@require_http_methods(["GET", "POST"])
def school_staff(request, code):
    school = get_object_or_404(School, code=code)
    if not permissions.can_manage_school(request.user, school):
        return render(request, "403.html", status=403)
    role_choices = [(role.value, role.label) for role in STAFF_ROLES]
    form = InvitationForm(request.POST or None, role_choices=role_choices)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                school=school,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                site_url=public_base_url(request),
            )
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            if invitation.waiting_for_approval:
                messages.success(
                    request,
                    _(
                        "The invitation waits for approval: another school admin or the education office's "
                        "safety officer must approve it before it is sent."
                    ),
                )
            else:
                messages.success(request, _("The invitation was sent. The link works once, for seven days."))
            return redirect("school_staff", code=school.code)
    staff = list(
        Membership.objects.filter(school=school, role__in=[r.value for r in STAFF_ROLES])
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    # Former teachers who have not come back, each once (most recent end first).
    current = {(m.user_id, m.role) for m in staff}
    former = {}
    for ended in EndedMembership.objects.filter(school=school).select_related("user").order_by("-ended_at")[:100]:
        former.setdefault((ended.user_id, ended.role), ended)
    former = [ended for key, ended in former.items() if key not in current]
    invitations = [
        {"invitation": inv, "can_approve": inv.waiting_for_approval and can_approve_invitation(request.user, inv)}
        for inv in Invitation.objects.filter(school=school).select_related("school").order_by("-created_at")[:50]
    ]
    return render(
        request,
        "classroom/school_staff.html",
        {
            "school": school,
            "form": form,
            "staff": [{"membership": m, "can_end": permissions.can_end_membership(request.user, m)} for m in staff],
            "former": former,
            "invitations": invitations,
        },
    )


@school_admin_required
@require_POST
def staff_end(request, code, membership_pk):
    school = get_object_or_404(School, code=code)
    if not permissions.can_manage_school(request.user, school):
        return render(request, "403.html", status=403)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, school=school)
    if not permissions.can_end_membership(request.user, membership):
        return render(request, "403.html", status=403)
    services.teacher_membership_end(membership=membership, ended_by=request.user)
    messages.success(
        request,
        _("%(name)s is no longer a teacher here. Their classes stay; re-invite them to give them back.")
        % {"name": membership.user},
    )
    return redirect("school_staff", code=school.code)


@school_admin_or_safety_officer_required
@require_POST
def invitation_approve_view(request, code, invitation_pk):
    """The second person approves a counselor invitation (not the inviter)."""
    invitation = get_object_or_404(Invitation.objects.select_related("school"), pk=invitation_pk, school__code=code)
    if not can_approve_invitation(request.user, invitation):
        return render(request, "403.html", status=403)
    try:
        invitation_approve(invitation=invitation, approved_by=request.user, site_url=public_base_url(request))
    except InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation was approved and sent. The school's counselors were told."))
    if permissions.can_manage_school(request.user, invitation.school):
        return redirect("school_staff", code=code)
    return redirect("role_home")
