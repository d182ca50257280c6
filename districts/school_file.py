"""Reading an education office's list of schools (CSV or .xlsx): plain
functions, no requests; the only database read is which codes exist.

One row per school: its name, level, NEIS school code, and the email
addresses of its counselors and school admins (several per cell, separated
by commas, semicolons or spaces). The first row names the columns, in
Korean or English. Every problem is a message for the officer, per file or
per row; nothing here raises for bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from edu_platform.spreadsheets import TableProblem, read_table
from schools.models import School

MAX_SCHOOLS = 1000

COLUMN_ALIASES = {
    "name": {"학교명", "학교이름", "이름", "name", "schoolname", "school"},
    "level": {"학교급", "급", "level", "schoollevel"},
    "code": {"학교코드", "neis코드", "neis학교코드", "표준학교코드", "코드", "code", "schoolcode", "neiscode"},
    "counselors": {"상담교사", "상담교사이메일", "전문상담교사", "counselor", "counselors", "counseloremails"},
    "admins": {"관리자", "관리자이메일", "학교관리자", "admin", "admins", "schooladmin", "adminemails"},
}
REQUIRED = ("name", "level", "code")
COLUMN_LABELS = {"name": "학교명 / name", "level": "학교급 / level", "code": "학교코드 / code"}

LEVELS = {
    School.Level.ELEMENTARY: {"초", "초등", "초등학교", "elementary", "primary", "e"},
    School.Level.MIDDLE: {"중", "중학교", "middle", "m"},
    School.Level.HIGH: {"고", "고등", "고등학교", "high", "h"},
}
CODE = re.compile(r"^[A-Z0-9]{4,12}$")

ROW_MESSAGES = {
    "name_missing": _("The school's name is missing."),
    "name_too_long": _("The school's name is longer than 200 characters."),
    "level_invalid": _("The level must be 초, 중 or 고 (elementary, middle or high)."),
    "code_invalid": _("The school code must be 4 to 12 letters and digits (the NEIS code, e.g. 7010057)."),
    "code_repeated": _("The code %(code)s is also on line %(lines)s."),
    "code_elsewhere": _("The code %(code)s belongs to a school of another education office."),
    "email_invalid": _("%(email)s is not an email address."),
}
FILE_MESSAGES = {
    "missing_columns": _("The first row must name the columns. Missing: %(columns)s."),
    "no_schools": _("The file has column names but no schools."),
    "too_many": _("The file has more than 1,000 schools. Upload at most 1,000 at a time."),
}


def row_message(code: str, params: dict | None = None) -> str:
    message = ROW_MESSAGES[code]
    return message % params if params else str(message)


@dataclass
class SchoolRow:
    line: int
    name: str = ""
    level: str = ""
    code: str = ""
    counselors: list[str] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    errors: list[tuple[str, dict]] = field(default_factory=list)
    change: str = ""  # new | update | same, once compared with the database

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "level": self.level,
            "code": self.code,
            "counselors": self.counselors,
            "admins": self.admins,
            "errors": [{"code": code, "params": params} for code, params in self.errors],
            "change": self.change,
        }


@dataclass
class SchoolFile:
    rows: list[SchoolRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)


def _key(header: str) -> str:
    return re.sub(r"[\s_\-/()]", "", header).lower()


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        for column, aliases in COLUMN_ALIASES.items():
            if _key(cell) in aliases and column not in found:
                found[column] = index
    return found


def _level(raw: str) -> str:
    key = _key(raw)
    return next((level for level, names in LEVELS.items() if key in names), "")


def _emails(raw: str, row: SchoolRow) -> list[str]:
    emails = []
    for part in re.split(r"[,;\s]+", raw):
        if not part:
            continue
        try:
            validate_email(part)
        except ValidationError:
            row.errors.append(("email_invalid", {"email": part[:80]}))
            continue
        if part.lower() not in emails:
            emails.append(part.lower())
    return emails


def parse_school_file(data: bytes, filename: str, *, district) -> SchoolFile:
    """Read the file and compare each row with the schools that exist."""
    result = SchoolFile()
    try:
        table = read_table(data, filename)
    except TableProblem as problem:
        result.file_errors.append(problem.message)
        return result
    if not table:
        result.file_errors.append(str(FILE_MESSAGES["no_schools"]))
        return result
    columns = _columns(table[0])
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        result.file_errors.append(
            str(FILE_MESSAGES["missing_columns"] % {"columns": ", ".join(COLUMN_LABELS[c] for c in missing)})
        )
        return result
    body = table[1:]
    if not body:
        result.file_errors.append(str(FILE_MESSAGES["no_schools"]))
        return result
    if len(body) > MAX_SCHOOLS:
        result.file_errors.append(str(FILE_MESSAGES["too_many"]))
        return result

    def cell(values: list[str], column: str) -> str:
        index = columns.get(column)
        return values[index].strip() if index is not None and index < len(values) else ""

    for offset, values in enumerate(body, start=2):
        row = SchoolRow(line=offset)
        row.name = cell(values, "name")
        if not row.name:
            row.errors.append(("name_missing", {}))
        elif len(row.name) > 200:
            row.errors.append(("name_too_long", {}))
        row.level = _level(cell(values, "level"))
        if not row.level:
            row.errors.append(("level_invalid", {}))
        row.code = cell(values, "code").upper().replace(" ", "")
        if not CODE.match(row.code):
            row.errors.append(("code_invalid", {}))
        row.counselors = _emails(cell(values, "counselors"), row)
        row.admins = _emails(cell(values, "admins"), row)
        result.rows.append(row)
    _check_codes(result.rows, district)
    return result


def _check_codes(rows: list[SchoolRow], district) -> None:
    lines: dict[str, list[int]] = {}
    for row in rows:
        if CODE.match(row.code):
            lines.setdefault(row.code, []).append(row.line)
    for row in rows:
        others = [str(n) for n in lines.get(row.code, []) if n != row.line]
        if others:
            row.errors.append(("code_repeated", {"code": row.code, "lines": ", ".join(others)}))
    existing = {
        school.code: school
        for school in School.objects.filter(code__in=list(lines)).only("code", "name", "level", "district_id")
    }
    for row in rows:
        school = existing.get(row.code)
        if school is None:
            row.change = "new"
        elif school.district_id != district.pk:
            row.errors.append(("code_elsewhere", {"code": row.code}))
        elif school.name == row.name and school.level == row.level:
            row.change = "same"
        else:
            row.change = "update"
