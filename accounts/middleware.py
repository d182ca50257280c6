"""Counselors, school admins, safety officers and CMS staff reach their tools
only after setting up a second factor."""

import re

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

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
        return self.get_response(request)
