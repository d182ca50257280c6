"""The role start page redirect and invitation acceptance. The parents'
pages live in the families app."""

from allauth.account.utils import perform_login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import permissions
from .forms import (
    AcceptInvitationForm,
)
from .services import InvitationError, invitation_accept, invitation_for_token


@login_required
def role_home(request):
    return redirect(permissions.home_url_name(request.user))


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    try:
        invitation = invitation_for_token(token)
    except InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410)
    signed_in_as_invitee = request.user.is_authenticated and request.user.email.lower() == invitation.email
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if signed_in_as_invitee:
                invitation_accept(token=token, display_name="", password="", user=request.user)
                return redirect("role_home")
            if form.is_valid():
                user = invitation_accept(
                    token=token,
                    display_name=form.cleaned_data["display_name"],
                    password=form.cleaned_data["password1"],
                )
                return perform_login(request, user, redirect_url="/start/")
        except InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410)
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "signed_in_as_invitee": signed_in_as_invitee},
    )


# --- Parents ------------------------------------------------------------------


# --- Students -------------------------------------------------------------------


# --- Teachers -------------------------------------------------------------------
