"""Forms of the live class: the code a visitor types, the class a teacher
opens a session for."""

from django import forms
from django.utils.translation import gettext_lazy as _

from curriculum.models import LessonPage


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code on the board"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("The code has 6 digits, like 123456.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class LessonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.locale.language_code})"


class SessionForm(forms.Form):
    lesson = LessonChoiceField(label=_("Lesson"), queryset=LessonPage.objects.none())
    classroom = forms.ModelChoiceField(label=_("Class"), queryset=None, empty_label=None)

    def __init__(self, *args, classrooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = classrooms
        self.fields["lesson"].queryset = (
            LessonPage.objects.live().select_related("locale").order_by("locale__language_code", "path")
        )
