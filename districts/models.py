"""A file of schools read and checked, waiting for the officer to confirm.

Holds the parsed rows between the preview and the "create and update schools"
button, like a class roster import. Unconfirmed imports are deleted after a
day; staff addresses are cleared once the invitations are sent."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schools.models import District


class SchoolImport(models.Model):
    KEEP_FOR = timedelta(days=1)

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="school_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    # [{"line": 2, "name": "...", "code": "...", "level": "middle", "counselors": [...], "admins": [...],
    #   "errors": ["..."], "change": "new" | "update" | "same"}]
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"schools for {self.district_id} ({len(self.rows)} rows)"

    @property
    def has_problems(self) -> bool:
        return any(row.get("errors") for row in self.rows)


class IdentityProvider(models.Model):
    """A district's school accounts (Google Workspace for Education,
    Microsoft Entra, or any OpenID Connect issuer). Its staff and pupils
    sign in with it; each is matched to a person the platform already knows
    (districts.signin), and nobody unknown gets an account. The issuer,
    client id and secret live in allauth's SocialApp (provider
    "openid_connect", provider id "district-<code>")."""

    class Match(models.TextChoices):
        EMAIL = "email", _("Verified email address")
        EXTERNAL_ID = "external_id", _("School account ID (a column of the roster)")

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="identity_provider")
    app = models.OneToOneField("socialaccount.SocialApp", on_delete=models.CASCADE, related_name="district_provider")
    match_by = models.CharField(_("match people by"), max_length=20, choices=Match.choices, default=Match.EMAIL)
    id_claim = models.CharField(
        _("claim that carries the school account ID"),
        max_length=100,
        default="sub",
        help_text=_("For example sub, preferred_username or employee_id."),
    )
    enabled = models.BooleanField(_("sign-in with school accounts is on"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"sign-in for {self.district_id}"

    @staticmethod
    def provider_id_for(district: District) -> str:
        return f"district-{district.code.lower()}"
