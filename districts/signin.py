"""Signing in with a district's school accounts (OpenID Connect through
allauth's "openid_connect" provider).

The provider only vouches for who is at the keyboard; whether that person
may come in is decided here, before allauth logs anyone in:

* the provider must be one a district configured, and switched on;
* the person is found among the people the platform already knows, by the
  address the provider says it verified (matched against an address verified
  here too) or by the school account ID of the roster (ExternalId);
* that person must hold a role at a school of *that* district (or be its
  officer): one office's provider never opens another office's schools;
* nobody unknown is signed up (is_open_for_signup is False) and nothing is
  written for a refused sign-in.

The login then continues through allauth's own stages, so staff with a
second factor still give their code, and RequireMFAMiddleware still sends
staff without one to set it up. Counselors and safety officers then land on
the page that unlocks their reading key (no password was typed, so sealed
reports stay sealed until they type their reading passphrase there)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import ExternalId
from incidents import keys
from schools.models import District, Membership

from . import client_secrets
from .models import IdentityProvider


def _refuse(request, message):
    """Answer with the refusal, in the person's language. The sign-in
    always runs on the unprefixed (Korean) addresses, so that the provider
    knows one redirect address; the language comes from the person's
    language choice (cookie) or browser instead."""
    with translation.override(translation.get_language_from_request(request, check_path=False)):
        response = render(request, "districts/signin_refused.html", {"message": str(message)}, status=403)
    raise ImmediateHttpResponse(response)


def callback_url(request, provider_id: str) -> str:
    """The one redirect address the district registers at its provider."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("openid_connect_callback", kwargs={"provider_id": provider_id}))


def login_url(provider_id: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("openid_connect_login", kwargs={"provider_id": provider_id})


def district_provider(provider_id: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("district", "app")
        .filter(app__provider="openid_connect", app__provider_id=provider_id)
        .first()
    )


def belongs_to(user, district: District) -> bool:
    return (
        Membership.objects.filter(user=user, school__district=district).exists()
        or district.safety_officers.filter(pk=user.pk).exists()
    )


def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    claims = dict(data.get("id_token") or {})
    claims.update(data.get("userinfo") or {})
    return claims


def match_person(provider: IdentityProvider, sociallogin):
    """The known person this sign-in is, or None."""
    from django.contrib.auth import get_user_model

    if provider.match_by == IdentityProvider.Match.EXTERNAL_ID:
        value = str(_claims(sociallogin).get(provider.id_claim) or "").strip()
        if not value:
            return None
        row = ExternalId.objects.select_related("user").filter(district=provider.district, value=value).first()
        return row.user if row else None
    verified = [address.email for address in sociallogin.email_addresses if address.verified and address.email]
    if not verified:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=verified[0], verified=True)
        .select_related("user")
        .order_by("-primary")
        .first()
    )
    return get_user_model().objects.filter(pk=address.user_id).first() if address else None


class SchoolAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """The apps allauth signs in with: a district's secret is decrypted
        here, in memory only (the column holds it encrypted)."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        for app in apps:
            if client_secrets.is_sealed(app.secret):
                app.secret = client_secrets.unseal(app.secret)
        return apps

    def is_open_for_signup(self, request, sociallogin):
        return False  # school accounts sign in known people only

    def is_auto_signup_allowed(self, request, sociallogin):
        return False

    def pre_social_login(self, request, sociallogin):
        provider = district_provider(sociallogin.account.provider)
        if provider is None or not provider.enabled:
            _refuse(request, _("Sign-in with school accounts is not switched on for this education office."))
        if sociallogin.is_existing:
            user = sociallogin.user
        else:
            user = match_person(provider, sociallogin)
        if user is None or not user.is_active:
            _refuse(
                request,
                _(
                    "We could not find your account on Safe Together. No account was created. "
                    "Ask your school to add you (staff: an invitation; pupils: the class roster), then try again."
                ),
            )
        if not belongs_to(user, provider.district):
            _refuse(
                request,
                _(
                    "This school account belongs to another education office. "
                    "Sign in with your own school's account, or with your email address and password."
                ),
            )
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)
        if sociallogin.state.get("process", "login") == "login" and keys.may_read_reports(user):
            # No password was typed, so no reading key was unlocked: the unlock
            # page comes first (after the second factor), then where they were going.
            after = sociallogin.state.get("next") or ""
            unlock = reverse("counsel_keys_unlock")
            sociallogin.state["next"] = f"{unlock}?{urlencode({'next': after})}" if after else unlock
