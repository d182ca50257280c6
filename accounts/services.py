"""Writes of the accounts app: invitations, guardian links, guardian consent,
parent settings and the weekly digest."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schools.models import District, Membership, Role

from .models import (
    SAFETY_OFFICER,
    Invitation,
    InvitationEvent,
    User,
)


class InvitationError(Exception):
    """An invitation that cannot be used; the message is for the person."""


# Roles that let a person read reports: granting one needs a second person,
# and the people who already read those reports are told.
ROLES_NEEDING_APPROVAL = frozenset({Role.COUNSELOR, SAFETY_OFFICER})


def _own_addresses(user) -> set[str]:
    if user is None:
        return set()
    addresses = {address.lower() for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    if user.email:
        addresses.add(user.email.lower())
    return addresses


def _event(invitation: Invitation, actor, action: str) -> None:
    InvitationEvent.objects.create(invitation=invitation, actor=actor, action=action)


@transaction.atomic
def invitation_create(
    *, email: str, role: str, invited_by, site_url: str, school=None, district=None, approved_by=None
) -> Invitation:
    """Invite someone to a staff role at a school, or (``district``) to be a
    safety officer of an education office. Nobody invites themselves. A
    counselor or safety-officer invitation waits for a second person's
    approval (invitation_approve) and is sent only then, unless
    ``approved_by`` (a district officer importing the school file) is that
    second person already."""
    if (role == SAFETY_OFFICER) != (district is not None) or (school is None) == (district is None):
        raise ValueError("a school role names a school; the safety-officer role names a district")
    email = email.strip().lower()
    if email in _own_addresses(invited_by):
        raise InvitationError(_("You cannot invite yourself: another person must grant you a role."))
    waiting = role in ROLES_NEEDING_APPROVAL and approved_by is None
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        school=school,
        district=district,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
        expires_at=timezone.now() + Invitation.VALID_FOR,
        waiting_for_approval=waiting,
        approved_by=approved_by if role in ROLES_NEEDING_APPROVAL else None,
        approved_at=timezone.now() if role in ROLES_NEEDING_APPROVAL and not waiting else None,
    )
    _event(invitation, invited_by, InvitationEvent.Action.CREATED)
    if not waiting:
        _invitation_send(invitation, token, site_url)
        if role in ROLES_NEEDING_APPROVAL:
            _event(invitation, approved_by, InvitationEvent.Action.APPROVED)
            _tell_readers(invitation)
    return invitation


def invitations_create_approved(*, invites: list[tuple], invited_by, site_url: str) -> list[Invitation]:
    """Many invitations at once, already approved by ``invited_by`` (a district
    officer importing a file of schools is the second person), with the
    rules of invitation_create: nobody invites themselves (those rows are
    skipped), counselors of the school are told of a new counselor. A fixed
    number of queries however many schools and addresses: ``invites`` holds
    (school, email, role) with the school objects loaded."""
    own = _own_addresses(invited_by)
    now = timezone.now()
    rows, tokens = [], []
    for school, email, role in invites:
        email = email.strip().lower()
        if email in own:
            continue
        token, token_hash = Invitation.new_token()
        needs_approval = role in ROLES_NEEDING_APPROVAL
        rows.append(
            Invitation(
                school=school,
                email=email,
                role=role,
                token_hash=token_hash,
                invited_by=invited_by,
                expires_at=now + Invitation.VALID_FOR,
                waiting_for_approval=False,
                approved_by=invited_by if needs_approval else None,
                approved_at=now if needs_approval else None,
            )
        )
        tokens.append(token)
    Invitation.objects.bulk_create(rows)  # one INSERT, whatever the number (PostgreSQL binds client-side)
    for invitation, token in zip(rows, tokens, strict=True):
        _invitation_send(invitation, token, site_url)
    counselor_invitations = [i for i in rows if i.role in ROLES_NEEDING_APPROVAL]
    if counselor_invitations:
        school_ids = {i.school_id for i in counselor_invitations}
        counselors: dict[int, list[User]] = {}
        members = (
            Membership.objects.filter(school_id__in=school_ids, role=Role.COUNSELOR, user__is_active=True)
            .exclude(user__email="")
            .select_related("user")
            .order_by("user_id")
        )
        for membership in members:
            counselors.setdefault(membership.school_id, []).append(membership.user)
        for invitation in counselor_invitations:
            _tell(invitation, counselors.get(invitation.school_id, []))
    return rows


def _check_second_person(invitation: Invitation, user) -> None:
    if not invitation.waiting_for_approval or invitation.revoked_at or invitation.used_at or invitation.declined_at:
        raise InvitationError(_("This invitation is not waiting for approval."))
    if user.pk == invitation.invited_by_id or invitation.email in _own_addresses(user):
        raise InvitationError(_("Another person must approve this invitation: not the one who made it."))


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update(of=("self",)).select_related("school", "district").get(pk=invitation.pk)


@transaction.atomic
def invitation_approve(*, invitation: Invitation, approved_by, site_url: str) -> Invitation:
    """The second person approves a waiting invitation: it is sent (with a
    fresh link, valid seven days from now) and the people who already read
    those reports are told. The inviter, or the invited person, cannot
    approve it."""
    invitation = _locked(invitation)
    _check_second_person(invitation, approved_by)
    token, invitation.token_hash = Invitation.new_token()
    invitation.waiting_for_approval = False
    invitation.approved_by = approved_by
    invitation.approved_at = timezone.now()
    invitation.expires_at = invitation.approved_at + Invitation.VALID_FOR
    invitation.save(update_fields=["token_hash", "waiting_for_approval", "approved_by", "approved_at", "expires_at"])
    _event(invitation, approved_by, InvitationEvent.Action.APPROVED)
    _invitation_send(invitation, token, site_url)
    _tell_readers(invitation)
    return invitation


@transaction.atomic
def invitation_decline(*, invitation: Invitation, declined_by) -> Invitation:
    """The second person says no: nothing is sent, the role is not granted,
    and the trail keeps who declined."""
    invitation = _locked(invitation)
    _check_second_person(invitation, declined_by)
    invitation.waiting_for_approval = False
    invitation.declined_by = declined_by
    invitation.declined_at = invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["waiting_for_approval", "declined_by", "declined_at", "revoked_at"])
    _event(invitation, declined_by, InvitationEvent.Action.DECLINED)
    return invitation


def _language(invitation: Invitation) -> str:
    return invitation.school.default_language if invitation.school_id else settings.LANGUAGE_CODE


def _invitation_send(invitation: Invitation, token: str, site_url: str) -> None:
    link = site_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    context = {"invitation": invitation, "link": link, "school": invitation.place}
    with translation.override(_language(invitation)):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [invitation.email]))


def _readers(invitation: Invitation):
    """Who already reads the reports the new person will read: the school's
    counselors, or for a safety officer the district's safety officers."""
    if invitation.school_id:
        ids = Membership.objects.filter(school=invitation.school, role=Role.COUNSELOR).values("user_id")
    else:
        ids = District.safety_officers.through.objects.filter(district=invitation.district_id).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).exclude(email="").exclude(email__iexact=invitation.email)


def _tell_readers(invitation: Invitation) -> None:
    """Every current reader hears that the role was granted, and by whom
    (never anything about a report)."""
    _tell(invitation, _readers(invitation).order_by("id"))


def _tell(invitation: Invitation, readers) -> None:
    kind = "counselor" if invitation.school_id else "officer"
    for reader in readers:
        context = {"invitation": invitation, "school": invitation.place, "name": reader.get_short_name()}
        with translation.override(reader.preferred_language or _language(invitation)):
            subject = render_to_string(f"accounts/email/{kind}_invited_subject.txt", context).strip()
            body = render_to_string(f"accounts/email/{kind}_invited_body.txt", context)
        address = reader.email
        transaction.on_commit(lambda s=subject, b=body, a=address: send_mail(s, b, None, [a]))


def invitation_for_token(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("school", "district").for_token(token).first()
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
    invitation = _locked(invitation)
    if invitation.status != "pending":
        raise InvitationError(invitation.status)
    if user is not None and user.pk in (invitation.invited_by_id, invitation.approved_by_id):
        raise InvitationError("self")
    if user is None:
        if EmailAddress.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError("account_exists")
        user = User.objects.create_user(
            username=_username_for(invitation.email),
            email=invitation.email,
            password=password,
            display_name=display_name,
            preferred_language=_language(invitation),
        )
        # The link arrived at this address, so the address is verified.
        EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    if invitation.role == SAFETY_OFFICER:
        invitation.district.safety_officers.add(user)
    else:
        Membership.objects.get_or_create(user=user, school=invitation.school, role=invitation.role)
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    _event(invitation, user, InvitationEvent.Action.ACCEPTED)
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
