"""django-allauth adjustments: students (no email) skip email verification,
and everyone lands on their role's start page."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.stages import EmailVerificationStage
from allauth.core.internal.ratelimit import truncate_ip
from django.urls import reverse

from edu_platform.ratelimit import client_address, keyed_hash

from . import permissions


class StudentAwareEmailVerificationStage(EmailVerificationStage):
    """Adults must verify their email; students were given an account by their
    teacher and have no email to verify."""

    def handle(self):
        if not self.login.user.email:
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
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
