"""Writes of the accounts app: invitations, guardian links, guardian consent,
parent settings and the weekly digest."""

from allauth.account.models import EmailAddress
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from schools.models import Membership

from .models import (
    Invitation,
    User,
)


class InvitationError(Exception):
    """An invitation that cannot be used; the message is for the person."""


@transaction.atomic
def invitation_create(*, school, email: str, role: str, invited_by, site_url: str) -> Invitation:
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        school=school,
        email=email.strip().lower(),
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
        expires_at=timezone.now() + Invitation.VALID_FOR,
    )
    link = site_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    context = {"invitation": invitation, "link": link, "school": school}
    with translation.override(school.default_language):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))
    return invitation


def invitation_for_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("school").for_token(token).first()
    if invitation is None:
        raise InvitationError("unknown")
    if invitation.status != "pending":
        raise InvitationError(invitation.status)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, display_name: str, password: str, user: User | None = None) -> User:
    """Use an invitation once: create the account (or take the signed-in one)
    and give it the role. The invitation row is locked so that two clicks on
    the same link cannot both succeed."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise InvitationError(invitation.status)
    if user is None:
        if EmailAddress.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError("account_exists")
        user = User.objects.create_user(
            username=_username_for(invitation.email),
            email=invitation.email,
            password=password,
            display_name=display_name,
            preferred_language=invitation.school.default_language,
        )
        # The link arrived at this address, so the address is verified.
        EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    Membership.objects.get_or_create(user=user, school=invitation.school, role=invitation.role)
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return user


def _username_for(email: str) -> str:
    base = "".join(ch for ch in email.split("@")[0].lower() if ch.isalnum())[:20] or "staff"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


# --- Guardian links ---------------------------------------------------------


# --- Guardian consent -------------------------------------------------------


# --- Parent settings and the weekly digest ----------------------------------
