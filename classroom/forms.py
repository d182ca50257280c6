"""Forms of the classroom. They check what the person typed and say what is
wrong next to the field, in the page's language; the writes are services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from curriculum.models import ModulePage
from curriculum.models.pages import Audience
from curriculum.permissions import band_for_grade
from curriculum.progress import localized_titles
from schools.models import School

from . import roster as roster_module
from . import roster_xlsx
from .models import Classroom

GRADE_RANGE = {
    School.Level.ELEMENTARY: (1, 6),
    School.Level.MIDDLE: (1, 3),
    School.Level.HIGH: (1, 3),
}


class ClassroomForm(forms.Form):
    name = forms.CharField(
        label=_("Class name"),
        max_length=100,
        help_text=_("As the students know it, e.g. 1학년 3반. The number before 반 goes into their usernames."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    grade = forms.IntegerField(label=_("Grade"), min_value=1, max_value=6)
    school_year = forms.IntegerField(label=_("School year"), min_value=2020, max_value=2100)
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), empty_label=None)

    def __init__(self, *args, schools, teacher, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("school_year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.teacher = teacher
        self.fields["school"].queryset = schools
        only = list(schools[:2])
        if len(only) == 1:
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].initial = only[0].pk

    def clean(self):
        cleaned = super().clean()
        school, grade = cleaned.get("school"), cleaned.get("grade")
        if school and grade:
            low, high = GRADE_RANGE.get(school.level, (1, 6))
            if not low <= grade <= high:
                self.add_error(
                    "grade",
                    _("At a %(level)s the grade is from %(low)d to %(high)d.")
                    % {"level": school.get_level_display(), "low": low, "high": high},
                )
        name, year = cleaned.get("name"), cleaned.get("school_year")
        if school and name and year:
            exists = Classroom.objects.filter(
                school=school, school_year=year, name=name.strip(), teachers=self.teacher
            ).exists()
            if exists:
                self.add_error("name", _("You already have a class with this name in this school year."))
        return cleaned


class StudentAddForm(forms.Form):
    name = forms.CharField(
        label=_("Student's name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    number = forms.IntegerField(
        label=_("Number"),
        min_value=1,
        max_value=roster_module.MAX_NUMBER,
        required=False,
        help_text=_("Leave empty for the next free number."),
    )

    def __init__(self, *args, classroom, **kwargs):
        super().__init__(*args, **kwargs)
        self.classroom = classroom

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Type the student's name."))
        return name

    def clean_number(self):
        number = self.cleaned_data.get("number")
        if number and self.classroom.enrollments.filter(student_number=number).exists():
            raise forms.ValidationError(_("Number %(number)d is already used in this class.") % {"number": number})
        return number


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (Excel or CSV)"),
        help_text=_(
            "An Excel (.xlsx) or CSV file with a row naming the columns 번호 and 이름 or 성명 (or number and name); "
            "생년 (birth_year) and 학교 계정 ID (school account ID, for signing in with school accounts) are optional. "
            "The NEIS student list works as it is. At most 200 students, 1 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, classroom, taken_numbers: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.classroom = classroom
        self.taken_numbers = taken_numbers or {}
        self.roster = None
        self.too_large = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        parse = (
            roster_xlsx.parse_xlsx
            if roster_xlsx.is_xlsx_upload(upload.name or "", head)
            else roster_module.parse_roster
        )
        result = parse(upload, filename=upload.name or "", taken_numbers=self.taken_numbers)
        self.too_large = result.too_big
        if result.file_errors:
            raise forms.ValidationError([str(e) for e in result.file_errors])
        self.roster = result
        return upload


def assignable_modules():
    """Student modules in the source language, youngest band first."""
    return (
        ModulePage.objects.live()
        .filter(audience=Audience.STUDENT, locale__language_code="ko")
        .order_by("sort_order", "path")
    )


class ModuleChoiceField(forms.ModelChoiceField):
    titles: dict[int, str] = {}

    def label_from_instance(self, obj):
        return f"{obj.get_band_display()} · {self.titles.get(obj.pk, obj.title)}"


class AssignmentForm(forms.Form):
    module = ModuleChoiceField(label=_("Module"), queryset=ModulePage.objects.none())
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    requires_previous = forms.BooleanField(
        label=_("Opens only when the module before it is done"),
        required=False,
        help_text=_("Students see it as locked until they finish the module above it in the list."),
    )

    def __init__(self, *args, classroom, assignment=None, **kwargs):
        if assignment is None:
            start = timezone.localdate()
            kwargs.setdefault("initial", {}).update({"opens_on": start, "due_on": start + datetime.timedelta(days=14)})
        else:
            kwargs.setdefault("initial", {}).update(
                {
                    "opens_on": assignment.opens_on,
                    "due_on": assignment.due_on,
                    "requires_previous": assignment.requires_previous,
                }
            )
        super().__init__(*args, **kwargs)
        self.classroom = classroom
        self.assignment = assignment
        if assignment is None:
            modules = list(assignable_modules())
            self.fields["module"].queryset = assignable_modules()
            self.fields["module"].titles = localized_titles(modules)
            band = band_for_grade(classroom.school.level, classroom.grade)
            suggested = next((m for m in modules if m.band == band), None)
            if suggested and not self.is_bound:
                self.initial.setdefault("module", suggested.pk)
        else:
            del self.fields["module"]

    # The rules (the class's band, a module once per class, dates in order)
    # live in classroom.services; the view shows their errors beside the fields.


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        max_length=20,
        help_text=_("The 8 letters and numbers your teacher shows, e.g. AB3D-EF7H."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class EnrollmentForm(forms.Form):
    """A student's number, and the class they are in (to move them)."""

    classroom = forms.ModelChoiceField(label=_("Class"), queryset=Classroom.objects.none(), empty_label=None)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=roster_module.MAX_NUMBER, required=False)

    def __init__(self, *args, enrollment, classrooms, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {"classroom": enrollment.classroom_id, "number": enrollment.student_number}
        )
        super().__init__(*args, **kwargs)
        self.fields["classroom"].queryset = classrooms
        self.fields["classroom"].help_text = _("To move the student, choose another of your classes at this school.")
