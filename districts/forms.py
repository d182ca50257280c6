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
