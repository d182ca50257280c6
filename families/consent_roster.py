"""Reading a school's own consent roster: which pupils the school holds a
guardian's consent for, how it was collected and when.

The file is CSV or Excel (.xlsx), read by edu_platform.spreadsheets (which
refuses zip bombs, password-protected and macro workbooks). The first row
names the columns, in Korean or English. A pupil is found by their username
(아이디), or by class and number (반 and 번호, with 학년 when the class is
given as a number), or by name alone when no other pupil of the school has
that name; a name given beside the username or the class and number must
match. Every row needs the consent method (동의 방법) and date (동의일).

Each problem is a code on its row; nothing is recorded unless every row is
right (families.services.consent_roster_confirm).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from classroom.models import Enrollment
from edu_platform.spreadsheets import MAX_UPLOAD_BYTES, TableProblem, read_table, write_xlsx

MAX_ROWS = 2000
MAX_METHOD_LENGTH = 100

COLUMN_ALIASES = {
    "grade": {"학년", "grade", "year"},
    "class": {"반", "학급", "학반", "class", "classname", "homeroom"},
    "number": {"번호", "출석번호", "학생번호", "number", "no", "studentnumber"},
    "name": {"이름", "성명", "학생이름", "name", "studentname"},
    "username": {"아이디", "사용자이름", "로그인아이디", "username", "login", "userid"},
    "method": {"동의방법", "동의방식", "수집방법", "방법", "method", "consentmethod"},
    "date": {"동의일", "동의날짜", "동의일자", "날짜", "일자", "date", "consentdate"},
}
# The header spellings to suggest: they go in the file, so they are not translated.
COLUMN_LABELS = {"method": "동의 방법 / method", "date": "동의일 / date"}

MESSAGES = {
    "no_header": _(
        "The first row must name the columns: who the pupil is (아이디, or 반 and 번호, or 이름) "
        "and the consent (동의 방법, 동의일). Download the template to see an example."
    ),
    "missing_columns": _("The first row must name the columns. Missing: %(columns)s."),
    "no_identity_columns": _(
        "The file needs a column that says who each pupil is: 아이디 (username), 반 and 번호 (class and number), "
        "or 이름 (name)."
    ),
    "no_pupils": _("The file has column names but no pupils."),
    "too_many_rows": _("The file has more than 2,000 pupils. Upload the roster in parts."),
}

ROW_MESSAGES = {
    "no_identity": _("This row does not say who the pupil is: give the username, the class and number, or the name."),
    "unknown_username": _("No pupil of this school has the username %(value)s."),
    "unknown_class": _("No current class of this school matches “%(value)s”."),
    "ambiguous_class": _("“%(value)s” matches more than one class: give the grade too, or the class's full name."),
    "unknown_number": _("Class %(class)s has no pupil with number %(number)s."),
    "unknown_name": _("No pupil of this school is called %(value)s."),
    "ambiguous_name": _(
        "%(count)s pupils of this school are called %(value)s: give the class and number or the username."
    ),
    "name_mismatch": _("The name %(value)s does not match this pupil (%(name)s)."),
    "number_invalid": _("The number must be a whole number."),
    "repeated": _("This pupil is also on line %(line)s."),
    "method_missing": _("The consent method is missing (for example 가정통신문 or 온라인 설문)."),
    "method_too_long": _("The consent method is longer than 100 characters."),
    "date_missing": _("The consent date is missing."),
    "date_invalid": _("The consent date must be a date like 2026-03-02."),
    "date_future": _("The consent date is in the future."),
}


def row_error_message(code: str, params: dict | None = None) -> str:
    message = ROW_MESSAGES[code]
    return message % params if params else str(message)


@dataclass
class ConsentRoster:
    rows: list[dict] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    too_big: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r["errors"] for r in self.rows)


def _normalise(text: str) -> str:
    return "".join(ch for ch in str(text).strip().lower() if ch not in " _-.·/()")


def _name(text: str) -> str:
    return " ".join(str(text).split())


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    found = re.fullmatch(r"(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*일?\.?(?:\s+00:00:00)?", text)
    if not found:
        return None
    try:
        return datetime.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


class _SchoolPupils:
    """The school's current pupils, read in one query, looked up in memory."""

    CLASS_NUMBER = re.compile(r"(\d+)\s*반")

    def __init__(self, school):
        enrollments = (
            Enrollment.objects.filter(
                classroom__school=school, classroom__archived_at__isnull=True, student__is_active=True
            )
            .select_related("student", "classroom")
            .order_by("classroom_id", "student_number", "id")
        )
        self.by_username: dict[str, Enrollment] = {}
        self.by_name: dict[str, dict[int, Enrollment]] = {}
        self.by_class_number: dict[tuple[int, int], Enrollment] = {}
        self.class_keys: dict[str, set[int]] = {}
        self.class_names: dict[int, str] = {}
        for enrollment in enrollments:
            student, classroom = enrollment.student, enrollment.classroom
            self.by_username.setdefault(student.username.lower(), enrollment)
            self.by_name.setdefault(_name(student.get_short_name()), {}).setdefault(student.pk, enrollment)
            if enrollment.student_number is not None:
                self.by_class_number[(classroom.pk, enrollment.student_number)] = enrollment
            self.class_names[classroom.pk] = classroom.name
            keys = {_normalise(classroom.name)}
            number = self.CLASS_NUMBER.search(classroom.name)
            if number:
                keys.add(f"{classroom.grade}-{int(number.group(1))}")
            for key in keys:
                self.class_keys.setdefault(key, set()).add(classroom.pk)

    def classes(self, value: str, grade: str) -> set[int]:
        keys = {_normalise(value)}
        digits = value.strip().removesuffix("반").strip()
        grade_digits = grade.strip().removesuffix("학년").strip()
        if digits.isdigit() and grade_digits.isdigit():
            keys.add(f"{int(grade_digits)}-{int(digits)}")
        found = set()
        for key in keys:
            found |= self.class_keys.get(key, set())
        return found


def parse_consent_roster(upload, *, school, filename: str = "", today: datetime.date | None = None) -> ConsentRoster:
    """Read and check a consent roster upload against the school's pupils."""
    roster = ConsentRoster()
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        roster.file_errors.append(_("The file is larger than 1 MB."))
        roster.too_big = True
        return roster
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        table = read_table(data, filename)
    except TableProblem as problem:
        roster.file_errors.append(problem.message)
        roster.too_big = problem.code == "too_big"
        return roster
    if not table:
        roster.file_errors.append(_("The file is empty."))
        return roster
    header, *lines = table
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _normalise(cell)
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in columns:
                columns[column] = index
                break
    if not columns:
        roster.file_errors.append(MESSAGES["no_header"])
        return roster
    missing = [c for c in ("method", "date") if c not in columns]
    if missing:
        roster.file_errors.append(
            MESSAGES["missing_columns"] % {"columns": ", ".join(COLUMN_LABELS[c] for c in missing)}
        )
        return roster
    if not ({"username", "name"} & columns.keys() or {"class", "number"} <= columns.keys()):
        roster.file_errors.append(MESSAGES["no_identity_columns"])
        return roster
    if not lines:
        roster.file_errors.append(MESSAGES["no_pupils"])
        return roster
    if len(lines) > MAX_ROWS:
        roster.file_errors.append(MESSAGES["too_many_rows"])
        return roster
    pupils = _SchoolPupils(school)
    today = today or timezone.localdate()
    seen: dict[int, int] = {}
    for line, cells in enumerate(lines, start=2):
        row = _row(line, cells, columns, pupils, today)
        student_id = row.get("student_id")
        if student_id is not None:
            if student_id in seen:
                row["errors"].append({"code": "repeated", "params": {"line": seen[student_id]}})
            else:
                seen[student_id] = line
        roster.rows.append(row)
    return roster


def _row(line: int, cells: list[str], columns: dict[str, int], pupils: _SchoolPupils, today) -> dict:
    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    username, grade, class_value = cell("username"), cell("grade"), cell("class")
    number, name = cell("number").removesuffix("번").strip(), _name(cell("name"))
    method, raw_date = " ".join(cell("method").split()), cell("date")
    row = {
        "line": line,
        "username": username,
        "class": " ".join(filter(None, [grade, class_value])),
        "number": number,
        "name": name,
        "method": method,
        "date": raw_date,
        "student_id": None,
        "student_name": "",
        "class_name": "",
        "errors": [],
    }
    errors = row["errors"]

    def error(code, **params):
        errors.append({"code": code, "params": params})

    enrollment = None
    if username:
        enrollment = pupils.by_username.get(username.lower())
        if enrollment is None:
            error("unknown_username", value=username)
    elif class_value and number:
        classes = pupils.classes(class_value, grade)
        if not classes:
            error("unknown_class", value=row["class"])
        elif len(classes) > 1:
            error("ambiguous_class", value=row["class"])
        elif not number.isdigit():
            error("number_invalid")
        else:
            (class_id,) = classes
            enrollment = pupils.by_class_number.get((class_id, int(number)))
            if enrollment is None:
                error("unknown_number", **{"class": pupils.class_names[class_id], "number": number})
    elif name:
        found = pupils.by_name.get(name, {})
        if not found:
            error("unknown_name", value=name)
        elif len(found) > 1:
            error("ambiguous_name", value=name, count=len(found))
        else:
            (enrollment,) = found.values()
    else:
        error("no_identity")
    if enrollment is not None:
        student = enrollment.student
        if name and (username or class_value) and name != _name(student.get_short_name()):
            error("name_mismatch", value=name, name=student.get_short_name())
        row.update(student_id=student.pk, student_name=student.get_short_name(), class_name=enrollment.classroom.name)
        row["number"] = row["number"] or (str(enrollment.student_number) if enrollment.student_number else "")
    if not method:
        error("method_missing")
    elif len(method) > MAX_METHOD_LENGTH:
        error("method_too_long")
    if not raw_date:
        error("date_missing")
    else:
        consented_on = _parse_date(raw_date)
        if consented_on is None:
            error("date_invalid")
        elif consented_on > today:
            error("date_future")
        else:
            row["date"] = consented_on.isoformat()
    return row


def template_workbook() -> bytes:
    """The consent roster template: the header row and one example row."""
    today = timezone.localdate()
    return write_xlsx(
        [
            (
                "동의 명단",
                [
                    ["학년", "반", "번호", "이름", "아이디", "동의 방법", "동의일"],
                    [3, 2, 7, "홍길동", "", "가정통신문", datetime.date(today.year, 3, 2)],
                ],
            )
        ]
    )
