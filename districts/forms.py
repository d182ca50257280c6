from django import forms
from django.utils.translation import gettext_lazy as _


class SchoolFileForm(forms.Form):
    file = forms.FileField(
        label=_("File of schools (.xlsx or .csv)"),
        help_text=_(
            "One school per row: 학교명, 학교급, 학교코드, 상담교사, 관리자 (name, level, code, counselors, admins)."
        ),
    )


class ThresholdForm(forms.Form):
    threshold = forms.IntegerField(label=_("Threshold (percent)"), min_value=0, max_value=100, required=False)


_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class IdentityProviderForm(forms.Form):
    """The district's OpenID Connect provider, as its administrator gives it:
    the issuer, and the client registered there for this platform."""

    issuer = forms.URLField(
        label=_("Issuer URL"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "For example https://accounts.google.com or https://login.microsoftonline.com/<tenant>/v2.0. "
            "The address must use https."
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=191)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the secret saved before."),
    )
    match_by = forms.ChoiceField(label=_("Match people by"), choices=())
    id_claim = forms.RegexField(
        label=_("Claim that carries the school account ID"),
        regex=r"^[A-Za-z0-9_.:-]{1,100}$",
        initial="sub",
        help_text=_("Used only when people are matched by school account ID. For example sub or employee_id."),
        error_messages={"invalid": _("Use letters, digits and _ . : - only.")},
    )
    enabled = forms.BooleanField(label=_("Staff and pupils may sign in with school accounts"), required=False)

    def __init__(self, *args, has_secret: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import IdentityProvider

        self.fields["match_by"].choices = IdentityProvider.Match.choices
        self.has_secret = has_secret

    def clean_issuer(self):
        from urllib.parse import urlsplit

        issuer = self.cleaned_data["issuer"].rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme != "https" and parts.hostname not in _LOOPBACK_HOSTS:
            raise forms.ValidationError(_("The issuer address must start with https://."))
        if parts.query or parts.fragment:
            raise forms.ValidationError(_("Give the issuer address without ? or #."))
        return issuer

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and not self.has_secret:
            raise forms.ValidationError(_("Enter the client secret."))
        return secret
