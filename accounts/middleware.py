"""Counselors, school admins, safety officers and CMS staff reach their tools
only after setting up a second factor, and go on to where they were going
once it is set up."""

import re

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from . import permissions

_LANGUAGE_PREFIX = re.compile("^/({})/".format("|".join(code for code, _ in settings.LANGUAGES)))


def strip_language(path: str) -> str:
    return _LANGUAGE_PREFIX.sub("/", path, count=1)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and strip_language(request.path).startswith(settings.MFA_REQUIRED_PATH_PREFIXES)
            and permissions.needs_mfa(user)
            and not has_totp(user)
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        response = self.get_response(request)
        if request.method == "POST" and response.status_code == 302:
            keep_next_after_enrolment(request, response)
        return response


def keep_next_after_enrolment(request, response) -> None:
    """allauth sends a person who has just turned on the authenticator app to
    the recovery codes and forgets where they were going (``next``): carry it
    on, so that the codes page's "continue" leads there (a counselor to the
    inbox), and not to a page of settings."""
    next_url = request.GET.get("next", "")
    if not next_url or request.path != reverse("mfa_activate_totp"):
        return
    if response.get("Location") != reverse("mfa_view_recovery_codes"):
        return
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        response["Location"] += "?" + urlencode({"next": next_url})
