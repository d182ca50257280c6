"""Forms of the families app: the guardian code, consent, paper consent,
a student's birth year and the parent's email updates."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import GuardianConsent


class GuardianCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Guardian code"),
        max_length=40,
        help_text=_("12 letters and digits from your child's login card, for example ABCD-EFGH-JKLM."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "code-input"}
        ),
        error_messages={"required": _("Enter the guardian code from your child's card.")},
    )


class ConsentForm(forms.Form):
    """A guardian's decision. The two buttons (agree, do not agree) send
    ``decision``; nothing is pre-ticked, and only agreeing needs the
    guardian to confirm who they are."""

    is_guardian = forms.BooleanField(label=_("I am this child's parent or legal guardian."), required=False)
    decision = forms.ChoiceField(choices=GuardianConsent.Decision.choices, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == GuardianConsent.Decision.GIVEN and not cleaned.get("is_guardian"):
            self.add_error("is_guardian", _("To agree, confirm that you are this child's parent or legal guardian."))
        return cleaned


class PaperConsentForm(forms.Form):
    ACTIONS = [("record", "record"), ("remove", "remove")]

    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    form_seen = forms.BooleanField(
        label=_("I have seen the consent form signed by this student's parent or legal guardian."), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "record" and not cleaned.get("form_seen"):
            self.add_error("form_seen", _("Confirm that you have seen the signed form."))
        return cleaned


class BirthYearForm(forms.Form):
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        help_text=_("Four digits, for example 2013. Leave empty if you do not know it."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and not (this_year - 25 <= year <= this_year - 4):
            raise forms.ValidationError(
                _("Enter a year between %(first)s and %(last)s."),
                params={"first": this_year - 25, "last": this_year - 4},
            )
        return year


class EmailUpdatesForm(forms.Form):
    email_updates = forms.BooleanField(
        label=_("Email me a short weekly summary and my children's due-date reminders"), required=False
    )
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)


class ConsentRosterUploadForm(forms.Form):
    """The school's own consent roster (families.consent_roster)."""

    file = forms.FileField(
        label=_("Consent roster (Excel or CSV)"),
        help_text=_(
            "One pupil per row: 아이디 (username), or 학년, 반 and 번호 (grade, class, number), or 이름 (name); "
            "and 동의 방법 (how consent was collected) and 동의일 (its date). At most 1 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.roster = None
        self.too_large = False

    def clean_file(self):
        from .consent_roster import parse_consent_roster

        upload = self.cleaned_data["file"]
        self.roster = parse_consent_roster(upload, school=self.school, filename=upload.name)
        if self.roster.file_errors:
            self.too_large = self.roster.too_big
            raise forms.ValidationError(self.roster.file_errors)
        return upload
