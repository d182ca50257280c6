"""The role start page redirect and invitation acceptance. The parents'
pages live in the families app."""

from allauth.account.utils import perform_login
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from edu_platform.ratelimit import client_address

from . import card_signin, permissions
from .adapter import record_password_entered
from .forms import (
    AcceptInvitationForm,
)
from .services import InvitationError, invitation_accept, invitation_for_token


@login_required
def role_home(request):
    """A person's own start page, or the page they were on their way to
    (``next``, e.g. the counselor's inbox after setting up the authenticator
    app), if that is a page of this site."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
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
                # The new password was just typed: setting up the authenticator
                # app next does not ask for it again.
                record_password_entered(request, user)
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


@require_http_methods(["GET", "POST"])
def card_sign_in(request, token):
    """The QR code of a login card: "Hello, <name>!" and one big button that
    signs the pupil in (a POST, so that link previews sign nobody in)."""
    address = client_address(request)
    pupil = card_signin.pupil_for_token(token)
    # A right card always works: only cards that do not are counted and limited.
    if pupil is None and card_signin.WRONG_TOKENS.reached(address):
        response = render(request, "accounts/card_sign_in.html", {"state": "too_many"}, status=429)
    elif pupil is None:
        card_signin.WRONG_TOKENS.hit(address)
        response = render(request, "accounts/card_sign_in.html", {"state": "invalid"}, status=410)
    elif request.method == "POST":
        # A shared tablet: whoever was signed in before leaves first.
        logout(request)
        login(request, pupil, backend="django.contrib.auth.backends.ModelBackend")
        response = redirect("student_home")
    else:
        response = render(request, "accounts/card_sign_in.html", {"state": "hello", "pupil": pupil})
    # The token is in this page's address: links and the form send at most
    # the origin. Not "no-referrer": under it browsers post the form with
    # "Origin: null", which Django's CSRF check refuses (the browser journey
    # found every QR sign-in answered 403).
    response["Referrer-Policy"] = "strict-origin"
    response["Cache-Control"] = "no-store"
    return response
