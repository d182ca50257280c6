"""A reader's key pair (counselors, district safety officers): made,
unwrapped, re-wrapped or replaced with the secret that wraps it (their
password, or a reading passphrase for people who sign in with a school
account), and the audit trail of key changes. ``incidents.keyring`` calls
these at sign-in, on password changes and from the unlock page."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey

from accounts import permissions as account_permissions
from schools.models import Membership, Role

from .. import sealing
from ..models import AuditEvent, PersonKey, Routing, SealedReportKey
from .seals import release_escrow

logger = logging.getLogger(__name__)


def password_kdf() -> sealing.KdfParams:
    time_cost, memory_cost = settings.INCIDENT_KEY_KDF
    return sealing.KdfParams(time_cost=time_cost, memory_cost=memory_cost)


def may_read_reports(user) -> bool:
    roles = account_permissions.roles_of(user)
    return bool(roles.school_ids(Role.COUNSELOR) or roles.district_ids)


def _now(now: datetime | None) -> datetime:
    return (now or timezone.now()).replace(second=0, microsecond=0)


# --- the audit trail of key changes ------------------------------------------------------


def _audit_places(user) -> list[tuple[int, int, str]]:
    """(school, district, routing) for each place where this person reads reports."""
    places = [
        (school_id, district_id, Routing.SCHOOL)
        for school_id, district_id in Membership.objects.filter(user=user, role=Role.COUNSELOR).values_list(
            "school_id", "school__district_id"
        )
    ]
    from schools.models import School

    for district_id in user.districts_as_safety_officer.values_list("pk", flat=True):
        school_id = School.objects.filter(district_id=district_id).order_by("pk").values_list("pk", flat=True).first()
        if school_id is not None:
            places.append((school_id, district_id, Routing.DISTRICT))
    return places


def audit_key(*, actor, places, action: str, detail: str = "", now: datetime | None = None) -> None:
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                school_id=school_id,
                district_id=district_id,
                routed_to=routed_to,
                report_id=None,
                action=action,
                detail=detail[:40],
                at=_now(now),
            )
            for school_id, district_id, routed_to in places
        ]
    )


# --- a person's key pair ---------------------------------------------------------------------


PASSWORD, PASSPHRASE = PersonKey.Secret.PASSWORD, PersonKey.Secret.PASSPHRASE


def _wrap_for(row: PersonKey, key: PrivateKey, password: str, kind: str) -> None:
    row.wrapped_with = kind
    params = password_kdf()
    salt = sealing.new_salt()
    row.kdf_salt = sealing.b64encode(salt)
    row.kdf_time_cost, row.kdf_memory_cost = params.time_cost, params.memory_cost
    row.wrapped_private_key = sealing.wrap(sealing.derive_key(password, salt, params), bytes(key))
    row.public_key = sealing.public_text(key)


def person_key_unwrap(row: PersonKey, password: str) -> PrivateKey:
    """The private key, or SealingError for a wrong secret or a changed row."""
    params = sealing.KdfParams(row.kdf_time_cost, row.kdf_memory_cost)
    raw = sealing.unwrap(sealing.derive_key(password, sealing.b64decode(row.kdf_salt), params), row.wrapped_private_key)
    key = sealing.private_key(raw)
    if sealing.public_text(key) != row.public_key:
        raise sealing.SealingError("the key does not match its public half")
    return key


@transaction.atomic
def person_key_create(*, user, password: str, now: datetime | None = None, kind: str = PASSWORD) -> PrivateKey:
    """A new key pair for a reader, wrapped with their password (at sign-in)
    or a reading passphrase they chose (``kind``, the unlock page);
    escrowed reports they may read are sealed to them."""
    now = timezone.now() if now is None else now
    key = sealing.new_key_pair()
    row = PersonKey(user=user, created_at=now, updated_at=now)
    _wrap_for(row, key, password, kind)
    row.save()
    if kind == PASSPHRASE:  # chosen on a page, not made by a sign-in: worth a line in the trail
        audit_key(actor=user, places=_audit_places(user), action=AuditEvent.Action.KEY_MADE, now=now)
    release_escrow(account_permissions.roles_of(user), now=now)
    return key


@transaction.atomic
def person_key_rewrap(*, user, key: PrivateKey, password: str, now: datetime | None = None) -> None:
    """Same key pair, wrapped with a new secret of the same kind (a new
    password, a new reading passphrase): nothing else changes."""
    row = PersonKey.objects.select_for_update().get(user=user)
    if sealing.public_text(key) != row.public_key:
        raise sealing.SealingError("this is not the person's key")
    _wrap_for(row, key, password, row.wrapped_with)
    row.updated_at = timezone.now() if now is None else now
    row.save(
        update_fields=[
            "public_key",
            "wrapped_private_key",
            "kdf_salt",
            "kdf_time_cost",
            "kdf_memory_cost",
            "updated_at",
        ]
    )


@transaction.atomic
def person_key_replace(*, user, password: str, now: datetime | None = None, kind: str = PASSWORD) -> PrivateKey:
    """The old key cannot be opened any more (a reset password): a new key
    pair, and the copies sealed to the old one are deleted. A colleague or
    the recovery sheet gives access again."""
    now = timezone.now() if now is None else now
    dropped, _ = SealedReportKey.objects.filter(holder=user).delete()
    row = PersonKey.objects.select_for_update().filter(user=user).first() or PersonKey(user=user, created_at=now)
    key = sealing.new_key_pair()
    _wrap_for(row, key, password, kind)
    row.updated_at = now
    row.save()
    audit_key(
        actor=user, places=_audit_places(user), action=AuditEvent.Action.KEY_REPLACED, detail=f"-{dropped}", now=now
    )
    release_escrow(account_permissions.roles_of(user), now=now)
    return key


def person_key_unlock(*, user, password: str, now: datetime | None = None, replace: bool = True) -> PrivateKey | None:
    """At sign-in with a verified password: the reader's private key, made
    the first time, replaced if it was wrapped with a password that is no
    longer theirs (set by an operator; only with ``replace``, i.e. when the
    password was just verified). None for people who read no reports, and
    for a key wrapped with a reading passphrase: the password does not open
    it and must never replace it (the unlock page asks for the passphrase)."""
    row = PersonKey.objects.filter(user=user).first()
    if row is None:
        return person_key_create(user=user, password=password, now=now) if may_read_reports(user) else None
    if row.wrapped_with != PASSWORD:
        return None
    try:
        return person_key_unwrap(row, password)
    except sealing.SealingError:
        if not replace:
            return None
        logger.warning("The reading key of user %s was wrapped with an old password; replaced.", user.pk)
        return person_key_replace(user=user, password=password, now=now)


# --- the unlock page: signed in without the secret that wraps the key -------------------------


def person_key_open(*, user, secret: str, now: datetime | None = None) -> PrivateKey:
    """The key opened with the secret that wraps it (``wrapped_with``: the
    account password or the reading passphrase). A wrong secret raises
    SealingError and is written to the audit trail; nothing else changes."""
    row = PersonKey.objects.get(user=user)
    try:
        return person_key_unwrap(row, secret)
    except sealing.SealingError:
        audit_key(actor=user, places=_audit_places(user), action=AuditEvent.Action.UNLOCK_FAILED, now=now)
        raise


def person_key_change_passphrase(*, user, current: str, new: str, now: datetime | None = None) -> PrivateKey:
    """Same key pair, wrapped with a new reading passphrase; SealingError
    (audited, nothing changed) when ``current`` does not open it."""
    key = person_key_open(user=user, secret=current, now=now)
    person_key_rewrap(user=user, key=key, password=new, now=now)
    audit_key(actor=user, places=_audit_places(user), action=AuditEvent.Action.PASSPHRASE, now=now)
    return key
