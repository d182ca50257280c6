"""Forms of the accounts app."""

from allauth.account.forms import SignupForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import User


class ParentSignupForm(SignupForm):
    """Open signup is for parents only; the name is what their child's
    teacher will recognise."""

    display_name = forms.CharField(label=_("Your name"), max_length=100)

    def save(self, request):
        user = super().save(request)
        user.display_name = self.cleaned_data["display_name"]
        # Emails (the weekly summary) go out in the language the parent signed up in.
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        user.save(update_fields=["display_name", "preferred_language"])
        return user


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        if p1:
            try:
                password_validation.validate_password(p1, User(email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, role_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices


class OfficerInvitationForm(forms.Form):
    """A safety officer proposes another safety officer of the office."""

    email = forms.EmailField(label=_("Email address of the new safety officer"))


# --- Parents ----------------------------------------------------------------
