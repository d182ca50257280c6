"""django-allauth adjustments: students (no email) skip email verification,
everyone lands on their role's start page, pupils wait a little after
wrong passwords instead of being locked out (accounts.ratelimit), and the
password (and code) just entered at login counts as a recent confirmation,
so that nobody is asked for the password again within
ACCOUNT_REAUTHENTICATION_TIMEOUT of logging in."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY, record_authentication
from allauth.account.stages import EmailVerificationStage
from allauth.core.internal.ratelimit import truncate_ip
from django import forms
from django.urls import reverse
from django.utils.translation import ngettext

from edu_platform.ratelimit import client_address, keyed_hash

from . import permissions
from . import ratelimit as login_limits
from .models import User


class StudentAwareEmailVerificationStage(EmailVerificationStage):
    """Adults must verify their email; students were given an account by their
    teacher and have no email to verify."""

    def handle(self):
        if not self.login.user.email:
            return None, True
        return super().handle()


# The steps of a login that prove it is the person: allauth records each in
# the session with its time. allauth 65 accepts only records marked
# "reauthenticated" as a recent confirmation (its reauthenticate pages mark
# theirs), so without this a counselor who had just typed the password was
# asked for it again before setting up the authenticator app.
LOGIN_STEPS = frozenset({"password", "mfa"})


def count_login_as_recent_authentication(request) -> None:
    """Mark the login steps of this session as confirmations. Each keeps the
    time it was made, so it counts for ACCOUNT_REAUTHENTICATION_TIMEOUT from
    the moment the password (or code) was entered, no longer."""
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if not isinstance(records, list):
        return
    marked = [
        {**record, "reauthenticated": True} if record.get("method") in LOGIN_STEPS else record for record in records
    ]
    if marked != records:
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = marked


def record_password_entered(request, user) -> None:
    """A password typed on one of our own pages (accepting an invitation)
    is a login step like allauth's password form."""
    record_authentication(request, user, method="password")


def user_display(user) -> str:
    """How allauth names a person (ACCOUNT_USER_DISPLAY): the display name."""
    return user.get_short_name()


class AccountAdapter(DefaultAccountAdapter):
    def login(self, request, user):
        super().login(request, user)
        count_login_as_recent_authentication(request)

    def get_login_stages(self):
        stages = super().get_login_stages()
        return [
            "accounts.adapter.StudentAwareEmailVerificationStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in stages
        ]

    def get_login_redirect_url(self, request):
        return reverse(permissions.home_url_name(request.user))

    def get_client_ip(self, request):
        """The client as the rest of the platform sees it (one proxy setting,
        edu_platform.ratelimit.client_address), as a keyed hash: allauth puts
        this value into its rate-limit cache keys, and no raw address may be
        kept there. IPv6 addresses are cut to allauth's prefix (/64) first,
        so one household's many addresses still share one bucket."""
        return "h-" + keyed_hash("allauth-client", truncate_ip(client_address(request)))

    def save_user(self, request, user, form, commit=True):
        # Open signup exists only for parents; staff join by invitation.
        user.is_parent = True
        return super().save_user(request, user, form, commit=commit)

    # Wrong passwords. allauth locks an account for 15 minutes after 5
    # failures (ACCOUNT_RATE_LIMITS["login_failed"]); adults keep that. A
    # pupil, and a username that names no account at all (so that the answer
    # does not tell which pupil accounts exist), waits a few seconds instead.

    def _pupil_account(self, credentials) -> str | None:
        username = credentials.get("username")
        if not username or "@" in username:
            return None
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            return f"login:{username.lower()}"
        return login_limits.pupil_account(user) if permissions.is_student(user) else None

    def pre_authenticate(self, request, **credentials):
        self._pupil = self._pupil_account(credentials)
        if self._pupil is None:
            return super().pre_authenticate(request, **credentials)
        self._login_failed_rl_usage = None  # allauth's lockout does not count pupils
        seconds = login_limits.pupil_login_wait(request, self._pupil)
        if seconds:
            # Refused before the password is checked, so the early try does not count.
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong passwords. Wait %(seconds)d second, then try again.",
                    "Too many wrong passwords. Wait %(seconds)d seconds, then try again.",
                    seconds,
                )
                % {"seconds": seconds},
                code="pupil_login_wait",
            )
        return None

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and getattr(self, "_pupil", None):
            login_limits.pupil_login_succeeded(request, self._pupil)
        return user

    def authentication_failed(self, request, **credentials):
        if getattr(self, "_pupil", None):
            login_limits.pupil_login_failed(request, self._pupil)
        return super().authentication_failed(request, **credentials)
