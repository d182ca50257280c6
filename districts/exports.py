"""The office's reporting spreadsheet (.xlsx): one sheet of schools, one of
schools by grade, in the reader's language. Counts and shares only."""

from django.utils.translation import gettext as _

from curriculum.models.pages import Band
from edu_platform.spreadsheets import write_xlsx
from schools.models import School


def completion_workbook(overview: dict) -> bytes:
    level = dict(School.Level.choices)
    schools = [
        [
            _("School"),
            _("School code"),
            _("Level"),
            _("Classes"),
            _("Students"),
            _("Lessons assigned (per student)"),
            _("Lessons done"),
            _("Completion (percent)"),
            _("Learning gain (points)"),
            _("Below the threshold"),
        ]
    ]
    for row in overview["schools"]:
        reach = row.reach
        schools.append(
            [
                row.school.name,
                row.school.code,
                str(level.get(row.school.level, row.school.level)),
                reach.classes,
                reach.students,
                reach.lessons,
                reach.done,
                reach.percent,
                "" if reach.gain is None else reach.gain,
                _("yes") if row.below else _("no"),
            ]
        )
    grades = [[_("School"), _("School code"), _("Grade"), _("Band"), _("Students"), _("Completion (percent)")]]
    for row in overview["schools"]:
        for item in overview["by_grade"].get(row.school.pk, []):
            grades.append(
                [
                    row.school.name,
                    row.school.code,
                    item["grade"],
                    str(Band(item["band"]).label),
                    item["reach"].students,
                    item["reach"].percent,
                ]
            )
    return write_xlsx([(_("Schools"), schools), (_("By grade"), grades)])
