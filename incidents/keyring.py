"""A reader's private key during their signed-in session, and the sign-in
and password hooks that unlock, make or re-wrap it.

Where the key lives while signed in: the session (database and Redis) holds
the private key encrypted with a random 32-byte key; that key is only in a
separate cookie (``st_keyring``: HttpOnly, Secure in production,
SameSite=Lax) in the person's browser. A copy of the database, Redis and the
environment therefore opens nothing without a live browser.

Where the password is seen (it is never stored):

* Sign-in: allauth's login form (``KeyUnlockingLoginForm``, ACCOUNT_FORMS)
  has the verified password in ``clean()``, before the second factor. The key
  is unwrapped there (made the first time) and kept in the session; Django's
  ``login()`` keeps the session's data when the second factor completes, and
  every read checks the session's user is the key's owner.
* Signed in without a password (a school account): nothing is unlocked at
  sign-in; the unlock page (``unlock_views``) asks for the secret that wraps
  the key (``PersonKey.wrapped_with``: a reading passphrase, or the account
  password) and keeps the key as the login form does (``keep_unlocked``).
  A key wrapped with a reading passphrase is never re-wrapped or replaced
  by the password hooks below.
* A password set on a user object: Django's ``set_password`` keeps the raw
  password on the instance until ``save()`` (``_password``, which feeds
  ``password_validation.password_changed``); a ``post_save`` receiver copies
  it to ``_sealing_new_password`` on that same in-memory object. allauth's
  ``password_changed``/``password_set``/``password_reset`` signals and
  Django's ``user_logged_in`` (after accepting an invitation) receive that
  same object and use it: a change re-wraps the session's key, a reset
  replaces the key pair (the old one cannot be opened any more).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.account import signals as allauth_signals
from allauth.account.forms import LoginForm
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from nacl.public import PrivateKey

from schools.models import Membership, Role

from . import keys, sealing
from .models import PersonKey, Routing

logger = logging.getLogger(__name__)

SESSION_KEY = "incidents_keyring"
COOKIE = "st_keyring"


@dataclass(frozen=True)
class Keyring:
    user_id: int
    private: PrivateKey

    @property
    def public(self) -> str:
        return sealing.public_text(self.private)


def keyring_for(request) -> Keyring | None:
    """This session's unlocked key, or None (not signed in with the
    password since sealing, another person's session, no cookie)."""
    if hasattr(request, "_keyring"):
        return request._keyring
    keyring = None
    user = getattr(request, "user", None)
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    cookie = getattr(request, "_keyring_cookie", None) or request.COOKIES.get(COOKIE)
    if data and cookie and user is not None and user.is_authenticated and data.get("uid") == user.pk:
        try:
            raw = sealing.unwrap(sealing.b64decode(cookie), data["box"])
            keyring = Keyring(user_id=user.pk, private=sealing.private_key(raw))
        except (sealing.SealingError, KeyError, ValueError):
            keyring = None
    request._keyring = keyring
    return keyring


def session_entry(user, key: PrivateKey) -> tuple[dict, str]:
    """What the session keeps (the key in a box) and what the cookie keeps
    (the box's key): neither opens anything alone."""
    cookie_key = sealing.secrets.token_bytes(sealing.KEY_BYTES)
    return {"uid": user.pk, "box": sealing.wrap(cookie_key, bytes(key))}, sealing.b64encode(cookie_key)


def remember(request, user, key: PrivateKey) -> None:
    request.session[SESSION_KEY], request._keyring_cookie = session_entry(user, key)
    request.__dict__.pop("_keyring", None)  # read again, once the session is the person's


def forget(request) -> None:
    if hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)
    request._keyring_cookie = None
    request._keyring_delete = True
    request._keyring = None


class KeyringCookieMiddleware:
    """Sets or deletes the keyring cookie decided during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        value = getattr(request, "_keyring_cookie", None)
        if value:
            session = request.session
            max_age = None if session.get_expire_at_browser_close() else session.get_expiry_age()
            response.set_cookie(
                COOKIE,
                value,
                max_age=max_age,
                path="/",
                secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        elif getattr(request, "_keyring_delete", False) and COOKIE in request.COOKIES:
            response.delete_cookie(COOKIE, path="/", samesite="Lax")
        return response


def keep_unlocked(request, user, key: PrivateKey) -> None:
    """The key, just opened, kept for this session; reports it opens that
    are not yet sealed to their place's current recovery key are added."""
    remember(request, user, key)
    try:
        keys.add_missing_recovery_copies(keyring=Keyring(user_id=user.pk, private=key))
    except Exception:  # noqa: BLE001 - unlocking must never fail because of the recovery copies
        logger.exception("Recovery copies for user %s were not added.", user.pk)


def unlock_at_sign_in(request, user, password: str, *, replace: bool = True) -> None:
    try:
        key = keys.person_key_unlock(user=user, password=password, replace=replace)
    except Exception:  # noqa: BLE001 - signing in must never fail because of the keys
        logger.exception("The reading key of user %s could not be unlocked.", user.pk)
        return
    if key is not None:
        keep_unlocked(request, user, key)


def needs_unlock(request) -> bool:
    """A reader whose session holds no key (signed in with a school account,
    or before sealing): the pages offer the unlock page (``unlock_views``)."""
    return keyring_for(request) is None and keys.may_read_reports(request.user)


class KeyUnlockingLoginForm(LoginForm):
    """allauth's login form; once the password is verified, the reader's key
    is unlocked into the session (before the second factor)."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        password = cleaned.get("password")
        if user is not None and password and not self.errors and self.request is not None:
            unlock_at_sign_in(self.request, user, password)
        return cleaned


# --- signals ------------------------------------------------------------------------------------


def _take_new_password(user) -> str | None:
    """The password just set on this in-memory user (see the module's
    docstring), used once and then forgotten. Works through request.user's
    lazy wrapper."""
    password = getattr(user, "_sealing_new_password", None)
    if password:
        delattr(user, "_sealing_new_password")
    return password


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _remember_new_password(sender, instance, **kwargs):
    raw = getattr(instance, "_password", None)
    if raw:
        instance._sealing_new_password = raw
    if kwargs.get("update_fields") is None or "is_active" in (kwargs.get("update_fields") or ()):
        if not instance.is_active and not kwargs.get("created"):
            keys.revoke_access(user=instance)


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    """After accepting an invitation the person is signed in with the
    password they just chose (no login form): unlock with it."""
    password = _take_new_password(user)
    if request is None or not password or not hasattr(request, "session"):
        return
    if (request.session.get(SESSION_KEY) or {}).get("uid") != user.pk:
        # Never replaces a key: this password was set, not checked, here.
        unlock_at_sign_in(request, user, password, replace=False)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if request is not None:
        forget(request)


@receiver(allauth_signals.password_changed)
@receiver(allauth_signals.password_set)
def _password_changed(sender, request, user, **kwargs):
    """Same key pair, wrapped with the new password: from the session's key,
    or (signed in before sealing) from the old password the form checked."""
    password = _take_new_password(user)
    row = PersonKey.objects.filter(user=user).first()
    if not password or (row is not None and row.wrapped_with != PersonKey.Secret.PASSWORD):
        return  # a reading passphrase wraps the key: a new password changes nothing about it
    if row is None:
        if keys.may_read_reports(user):
            remember(request, user, keys.person_key_create(user=user, password=password))
        return
    keyring = keyring_for(request)
    key = keyring.private if keyring is not None and keyring.public == row.public_key else None
    old = request.POST.get("oldpassword") if request is not None else None
    if key is None and old:
        try:
            key = keys.person_key_unwrap(row, old)
        except sealing.SealingError:
            key = None
    if key is None:
        key = keys.person_key_replace(user=user, password=password)
    else:
        keys.person_key_rewrap(user=user, key=key, password=password)
    remember(request, user, key)


@receiver(allauth_signals.password_reset)
def _password_reset(sender, request, user, **kwargs):
    """A forgotten password: the old key cannot be opened. A new key pair;
    a colleague or the recovery sheet gives access again."""
    password = _take_new_password(user)
    row = PersonKey.objects.filter(user=user).first()
    if row is not None and row.wrapped_with != PersonKey.Secret.PASSWORD:
        return  # wrapped with the reading passphrase, which still opens it
    if password and (row is not None or keys.may_read_reports(user)):
        keys.person_key_replace(user=user, password=password)


@receiver(post_delete, sender=Membership)
def _membership_ended(sender, instance, **kwargs):
    """A counselor who leaves a school loses its reports at once."""
    if instance.role == Role.COUNSELOR:
        user = get_user_model().objects.filter(pk=instance.user_id).first()
        if user is not None:
            keys.revoke_access(user=user, reports_q=Q(routed_to=Routing.SCHOOL, school_id=instance.school_id))


@receiver(m2m_changed, sender="schools.District_safety_officers")
def _officer_removed(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_remove":
        return

    User = get_user_model()
    pairs = (
        [(instance, district_id) for district_id in pk_set]
        if reverse
        else [(user, instance.pk) for user in User.objects.filter(pk__in=pk_set)]
    )
    for user, district_id in pairs:
        keys.revoke_access(user=user, reports_q=Q(routed_to=Routing.DISTRICT, district_id=district_id))
