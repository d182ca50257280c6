"""Forms of the report channel and of the counselors' case tools.

Each text field has a length limit with a message in the page's language.
A choice value that no form ever offered (a forged request) is reported by
``forged()`` so the view can answer 400 and store nothing, while ordinary
mistakes (a missing answer, a text too long) redisplay the form with what was
typed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import receipts
from .models import (
    Affected,
    Agency,
    CaseTag,
    Category,
    ClosingReason,
    Platform,
    ReplyTemplate,
    StaffInvolved,
    Status,
    Urgency,
    WhenHappened,
)

TOO_LONG = _("Please keep this to %(limit_value)d characters or fewer (it now has %(show_value)d).")
STARTED_SALT = "incidents.report-form-started"
DATE_FORMAT_MESSAGE = _("Please enter a date such as 2026-03-14.")
# The inbox's date filters: nothing was received before the platform existed.
EARLIEST_DATE = date(2020, 1, 1)
# A shown form may be sent for this long; its token is also single-use
# (incidents.ratelimit.first_use_of_form), so one token cannot stamp a flood.
STARTED_MAX_AGE = 2 * 60 * 60


class CheckedForm(forms.Form):
    """Django links each input to its help text and errors (aria-describedby,
    aria-invalid); radio groups get theirs on the fieldset (field.html)."""

    def forged(self) -> bool:
        """True when a choice value arrived that the form never offered."""
        return any(error.code == "invalid_choice" for errors in self.errors.as_data().values() for error in errors)

    def fields_with_errors(self) -> list:
        """For the error summary, which links each one (form_errors.html)."""
        return [field for field in self.visible_fields() if field.errors]


def text_field(label, max_length: int, *, required: bool = False, textarea: bool = False, **kwargs):
    widget = forms.Textarea(attrs={"rows": 6}) if textarea else forms.TextInput()
    error_messages = {"max_length": TOO_LONG}
    if "required_message" in kwargs:
        error_messages["required"] = kwargs.pop("required_message")
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        error_messages=error_messages,
        strip=True,
        **kwargs,
    )


def radio_field(label, choices, *, required_message, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={
            "required": required_message,
            "invalid_choice": _("Please choose one of the answers."),
        },
    )


def form_started_token(at: float | None = None) -> str:
    """The signed time a form was shown, to tell people from programs, with a
    random nonce that makes the token single-use."""
    started = timezone.now().timestamp() if at is None else at
    return signing.dumps({"t": started, "n": secrets.token_urlsafe(12)}, salt=STARTED_SALT)


@dataclass(frozen=True)
class StartedToken:
    at: float
    nonce: str

    def expired(self, now: float) -> bool:
        return now - self.at > STARTED_MAX_AGE


def form_started(token: str) -> StartedToken | None:
    """The time and nonce of a genuine token, or None (missing, forged, or
    signed more than two hours ago)."""
    try:
        payload = signing.loads(token, salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
        # Forms shown before nonces existed: the token itself stands for one.
        return StartedToken(at=float(payload["t"]), nonce=str(payload.get("n") or token))
    except signing.SignatureExpired:
        return StartedToken(at=0.0, nonce="")
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def form_started_at(token: str) -> float | None:
    started = form_started(token)
    return None if started is None else started.at


class ReportForm(CheckedForm):
    school = forms.CharField(widget=forms.HiddenInput, max_length=12)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    # The honeypot: hidden from people (and from screen readers), filled in by programs.
    website_url = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    category = radio_field(
        _("What happened?"),
        Category.choices,
        required_message=_("Please choose what happened. If nothing fits, choose “Something else”."),
    )
    platform = forms.ChoiceField(
        label=_("App or site"),
        choices=[("", _("Choose an app or site"))] + Platform.choices,
        required=False,
        error_messages={"invalid_choice": _("Please choose one of the answers.")},
    )
    platform_other = text_field(
        _("Name of the other app or site"), 100, help_text=_("Only if you chose “Another app or site”.")
    )
    room_link = text_field(
        _("Link or name of the chat room or channel"),
        500,
        help_text=_("For example t.me/… or the room's name. Copy the link as text; do not take a screenshot."),
    )
    account_handle = text_field(
        _("Account name or ID of the person who did it"),
        200,
        help_text=_("If you know it. A nickname or ID is enough."),
    )
    when = radio_field(
        _("Roughly when did it happen?"), WhenHappened.choices, required_message=_("Please choose when.")
    )
    affected = radio_field(
        _("Who is affected?"), Affected.choices, required_message=_("Please choose who is affected.")
    )
    staff_involved = radio_field(
        _("Is a teacher or other school staff member involved?"),
        StaffInvolved.choices,
        required_message=_("Please choose yes, no or I'm not sure."),
        help_text=_(
            "If you choose yes, your report goes to the safety officer of the education office, "
            "not to anyone at your school."
        ),
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=Urgency.choices,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_("If someone is threatening or blackmailing you, we always treat it as urgent."),
        error_messages={
            "required": _("Please choose how urgent it is."),
            "invalid_choice": _("Please choose one of the answers."),
        },
    )
    details = text_field(
        _("Tell us what happened"),
        4000,
        textarea=True,
        help_text=_("Write as much or as little as you like. Do not write your name unless you want to."),
    )
    contact = text_field(
        _("A way to reach you"),
        200,
        help_text=_(
            "Only if you want the counselor to contact you, for example an email address or phone number. "
            "It is stored encrypted and used only to reach you. Leave it empty to stay completely anonymous: "
            "you can still read replies with your code."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blackmail in progress is always urgent: the urgency question may be skipped.
        if self.data.get("category") == Category.THREAT:
            self.fields["urgency"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("category") == Category.OTHER and not cleaned.get("details") and "details" not in self.errors:
            self.add_error("details", _("Please tell us in a few words what happened."))
        return cleaned

    def report_data(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "platform": data.get("platform") or "",
            "platform_other": data.get("platform_other") or "",
            "room_link": data.get("room_link") or "",
            "account_handle": data.get("account_handle") or "",
            "when": data["when"],
            "affected": data["affected"],
            "staff_involved": data["staff_involved"],
            "urgency": data.get("urgency"),
            "details": data.get("details") or "",
            "contact": data.get("contact") or "",
        }


class ReceiptConfirmForm(CheckedForm):
    saved = forms.BooleanField(
        label=_("I have saved my code somewhere safe"),
        error_messages={"required": _("Please tick the box once you have saved the code.")},
    )


class FollowUpForm(CheckedForm):
    receipt = forms.CharField(
        label=_("Your 16-digit code"),
        max_length=40,
        help_text=_("The code you got after reporting. Spaces and dashes do not matter."),
        error_messages={
            "required": _("Please enter your code."),
            "max_length": _("The code has 16 digits."),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "receipt-input",
            }
        ),
    )

    def clean_receipt(self):
        receipt = receipts.normalize(self.cleaned_data["receipt"])
        if receipt is None:
            raise forms.ValidationError(_("The code has 16 digits. Please check it and try again."), code="format")
        return receipt


class ReporterReplyForm(CheckedForm):
    body = text_field(
        _("Your message to the counselor"),
        4000,
        required=True,
        textarea=True,
        required_message=_("Please write a message first."),
    )


class ReporterInfoForm(CheckedForm):
    link = text_field(_("Link or name of a chat room or channel"), 500)
    handle = text_field(_("Account name or ID"), 200)
    info = text_field(_("What else should the counselor know?"), 4000, textarea=True)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name) for name in ("link", "handle", "info")):
            raise forms.ValidationError(_("Please fill in at least one of the fields."), code="empty")
        return cleaned


class SchoolSearchForm(forms.Form):
    q = forms.CharField(
        label=_("School code or name"),
        max_length=100,
        required=False,
        error_messages={"max_length": TOO_LONG},
    )


# --- counselors --------------------------------------------------------------------

INBOX_OPEN = ""
INBOX_ALL = "all"


class InboxFilterForm(CheckedForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(INBOX_OPEN, _("All open cases")), (INBOX_ALL, _("All cases"))] + Status.choices,
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any urgency"))] + Urgency.choices,
    )
    category = forms.ChoiceField(label=_("What happened"), required=False, choices=[("", _("Any"))] + Category.choices)
    spam = forms.ChoiceField(
        label=_("Possible spam"),
        required=False,
        choices=[
            ("", _("Show, at the end")),
            ("hide", _("Hide")),
            ("only", _("Only possible spam")),
            ("flood", _("Only those held as a possible flood")),
        ],
    )
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None, choices=[])
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_FORMAT_MESSAGE},
    )
    received_to = forms.DateField(
        label=_("Received until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_FORMAT_MESSAGE},
    )
    # No upper bound: selectors.page_rows shows the last page past the end.
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("Any tag"))] + [(tag.pk, tag.name) for tag in tags]

    def _bounded(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not (EARLIEST_DATE <= value <= timezone.localdate()):
            raise forms.ValidationError(
                _("Please choose a date between %(first)s and today.") % {"first": EARLIEST_DATE.isoformat()},
                code="out_of_range",
            )
        return value

    def clean_received_from(self):
        return self._bounded("received_from")

    def clean_received_to(self):
        return self._bounded("received_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", forms.ValidationError(_("This date is before the first date."), code="order"))
        return data

    def forged(self) -> bool:
        return super().forged() or bool(self.errors.get("page"))

    def date_errors(self) -> bool:
        """Only the dates are wrong: show the inbox with the message."""
        return bool(self.errors) and set(self.errors) <= {"received_from", "received_to"}


class StatusForm(CheckedForm):
    """Moves along the allowed transitions, except closing: that has its own
    form, which asks why (CloseForm)."""

    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, Status(value).label) for value in report.allowed_next_statuses() if value != Status.CLOSED
        ]


class CloseForm(CheckedForm):
    closing_reason = radio_field(
        _("Why is the case closed?"),
        ClosingReason.choices,
        required_message=_("Please choose why the case is closed."),
        help_text=_("The reporter sees that the case is closed, never the reason."),
    )


class AssignForm(CheckedForm):
    assignee = forms.ChoiceField(label=_("Assigned counselor"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in staff}
        self.fields["assignee"].choices = [("", _("Nobody yet"))] + [(pk, str(user)) for pk, user in self.staff.items()]

    def chosen_assignee(self):
        return self.staff.get(self.cleaned_data.get("assignee") or "")


class StaffMessageForm(CheckedForm):
    body = text_field(
        _("Message to the reporter"),
        4000,
        required=True,
        textarea=True,
        required_message=_("Please write a message first."),
        help_text=_("The reporter reads this with their code. Do not ask for images."),
    )


class TemplateChoiceForm(CheckedForm):
    """Start a reply from one of the school's templates (the page inserts it
    at once with its script; without it, the "Insert" button does)."""

    template = forms.TypedChoiceField(label=_("Start from a template"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.templates = {template.pk: template for template in templates}
        self.fields["template"].choices = [("", _("Choose a template"))] + [
            (pk, template.title) for pk, template in self.templates.items()
        ]

    def chosen(self):
        return self.templates.get(self.cleaned_data.get("template"))


class TagsForm(CheckedForm):
    tags = forms.TypedMultipleChoiceField(
        label=_("Tags"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.available = {tag.pk: tag for tag in tags}
        self.fields["tags"].choices = [(pk, tag.name) for pk, tag in self.available.items()]

    def chosen_tags(self) -> list:
        return [self.available[pk] for pk in self.cleaned_data["tags"]]


class ReplyTemplateForm(forms.ModelForm):
    """A school's reply template; its title is unique within the school."""

    class Meta:
        model = ReplyTemplate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        error_messages = {
            "title": {"required": _("Please give the template a title."), "max_length": TOO_LONG},
            "body": {"required": _("Please write the template's text."), "max_length": TOO_LONG},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["body"].help_text = _("Counselors start a reply from it and change what the case needs.")

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        taken = ReplyTemplate.objects.filter(school=self.school, title=title).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("The school already has a template with this title."), code="taken")
        return title

    def fields_with_errors(self) -> list:
        return [field for field in self.visible_fields() if field.errors]


class TagForm(forms.ModelForm):
    class Meta:
        model = CaseTag
        fields = ["name"]
        labels = {"name": _("New tag")}
        error_messages = {"name": {"required": _("Please write the tag first."), "max_length": TOO_LONG}}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if CaseTag.objects.filter(school=self.school, name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The school already has this tag."), code="taken")
        return name

    def fields_with_errors(self) -> list:
        return [field for field in self.visible_fields() if field.errors]


class PushSubscriptionForm(forms.Form):
    """What the browser's PushManager gives (sent by the page's script)."""

    endpoint = forms.URLField(max_length=1000, assume_scheme="https")
    p256dh = forms.RegexField(regex=r"^[A-Za-z0-9_-]{20,200}={0,2}$", max_length=200)
    auth = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,100}={0,2}$", max_length=100)

    def clean_endpoint(self):
        endpoint = self.cleaned_data["endpoint"]
        if not endpoint.startswith("https://"):
            raise forms.ValidationError("https only", code="insecure")
        return endpoint


class NoteForm(CheckedForm):
    note = text_field(
        _("Internal note"),
        4000,
        required=True,
        textarea=True,
        required_message=_("Please write the note first."),
        help_text=_("Only counselors of this case read notes; the reporter never does."),
    )


class ReferralForm(CheckedForm):
    agency = forms.ChoiceField(label=_("Referred to"), choices=Agency.choices, widget=forms.RadioSelect)
    referred_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Please enter a date such as 2026-03-14.")},
    )
    referral_note = text_field(_("Note"), 1000, textarea=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("referred_on", timezone.localdate())

    def clean_referred_on(self):
        value = self.cleaned_data["referred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return value
