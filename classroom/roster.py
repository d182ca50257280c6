"""Reading a class roster file: plain functions, no requests, no database.

Teachers export rosters from NEIS or type them in Excel, so a roster arrives
as CSV in UTF-8 (with or without a byte-order mark) or in CP949, which is
what Korean Excel writes by default. The first row names the columns, in
Korean or English: 이름/name and 번호/number, and optionally 생년/birth_year
and 학교 계정 ID/school account ID (the pupil's id at the education office's
identity provider, for signing in with school accounts).

A row whose number and name are those of a pupil already in the class is
that pupil, not a clash: re-importing the class's file adds nothing, and a
file that adds school account IDs to the class fills them in.

The file is read line by line and reading stops as soon as it is clearly too
large, so a 10,000-row file costs no more than the first few hundred rows.
Every problem becomes a message for the teacher, per file or per row; nothing
here raises for bad input.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MAX_ROWS = 200
MAX_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 100
MAX_NUMBER = 999
MAX_ACCOUNT_ID_LENGTH = 200

# Header spellings we accept, compared without spaces, underscores or case.
COLUMN_ALIASES = {
    "name": {"이름", "성명", "학생이름", "name", "studentname", "fullname"},
    "number": {"번호", "출석번호", "학생번호", "number", "no", "studentnumber", "num"},
    "birth_year": {"생년", "출생연도", "출생년도", "태어난해", "birthyear", "yearofbirth"},
    "account_id": {"학교계정id", "학교계정", "계정id", "schoolaccountid", "schoolaccount", "accountid"},
}
REQUIRED_COLUMNS = ("name", "number")

# What other files start with. A spreadsheet renamed to .csv is still a
# spreadsheet, so the content decides, not only the name.
SIGNATURES = {
    b"PK\x03\x04": "xlsx",
    b"\xd0\xcf\x11\xe0": "xls",
    b"%PDF": "pdf",
    b"{\\rtf": "rtf",
}
NOT_CSV_EXTENSIONS = {"xlsx", "xlsm", "xls", "ods", "numbers", "hwp", "hwpx", "pdf", "doc", "docx", "txt.zip"}

MESSAGES = {
    "too_big": _("The file is larger than 1 MB. A class roster is much smaller: check that you chose the right file."),
    "empty": _("The file is empty."),
    "spreadsheet": _(
        "This is a spreadsheet file, not CSV. In Excel choose File → Save As → “CSV UTF-8 (comma delimited)” "
        "(or “CSV (comma delimited)”) and upload that file."
    ),
    "not_text": _("This file is not a CSV text file. Save the roster as CSV and upload that file."),
    "encoding": _("The file's characters could not be read. Save it again as “CSV UTF-8” (or CSV from Korean Excel)."),
    "no_students": _("The file has column names but no students."),
    "not_csv": _("Line %(line)d could not be read as CSV. Check that the file was saved as CSV."),
}


def too_many_rows_message(limit: int):
    return ngettext_lazy(
        "The file has more than %(limit)d student. Upload at most %(limit)d rows at a time (one class).",
        "The file has more than %(limit)d students. Upload at most %(limit)d rows at a time (one class).",
        limit,
    ) % {"limit": limit}


# The header spellings to suggest; they are what goes in the file, so they
# are not translated.
COLUMN_LABELS = {"name": "이름 / name", "number": "번호 / number"}


def missing_columns_message(missing: list[str]):
    return _("The first row must name the columns, for example 번호,이름 (or number,name). Missing: %(columns)s.") % {
        "columns": ", ".join(COLUMN_LABELS[m] for m in missing)
    }


ROW_MESSAGES = {
    "name_missing": _("The name is missing."),
    "name_too_long": _("The name is longer than 100 characters."),
    "number_missing": _("The number is missing."),
    "number_invalid": _("The number must be a whole number from 1 to 999."),
    "birth_year_invalid": _("The birth year must be a year like 2013 (or leave it empty)."),
    "number_repeated": _("Number %(number)d is also used on line %(lines)s."),
    "number_taken": _("Number %(number)d already belongs to %(name)s in this class."),
    "account_id_too_long": _("The school account ID is longer than 200 characters."),
    "account_id_repeated": _("School account ID %(value)s is also used on line %(lines)s."),
    "account_id_taken": _(
        "School account ID %(value)s already belongs to another person in this education office. "
        "Check the ID with your school's account administrator."
    ),
}


def row_error_message(code: str, params: dict | None = None) -> str:
    """A row problem in the active language (rows are stored with codes, so a
    preview shows them in the language of whoever looks at it)."""
    message = ROW_MESSAGES[code]
    return message % params if params else str(message)


@dataclass
class RosterRow:
    line: int
    name: str
    number: int | None
    birth_year: int | None = None
    raw_number: str = ""
    account_id: str = ""
    # The number and name of a pupil already in the class: this row is them.
    existing: bool = False
    # "new", "update" (a school account ID to give) or "same": classroom.account_ids
    change: str = "new"
    # [(code, params)]: see ROW_MESSAGES
    errors: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def messages(self) -> list[str]:
        return [row_error_message(code, params) for code, params in self.errors]

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "number": self.number,
            "birth_year": self.birth_year,
            "raw_number": self.raw_number,
            "account_id": self.account_id,
            "existing": self.existing,
            "change": self.change,
            "errors": [{"code": code, "params": params} for code, params in self.errors],
        }


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    encoding: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    # The file is over the size limit (the upload page answers 413).
    too_big: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def problem_count(self) -> int:
        return sum(1 for r in self.rows if not r.ok)


class _FileProblem(Exception):
    def __init__(self, message, *, too_big: bool = False):
        super().__init__(str(message))
        self.message = message
        self.too_big = too_big


def parse_roster(
    upload,
    *,
    filename: str = "",
    taken_numbers: dict[int, str] | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    this_year: int | None = None,
) -> Roster:
    """Read a roster from a binary file object (an upload). ``taken_numbers``
    maps the student numbers already used in the class to the student's
    name, so that a clash is reported on the row."""
    roster = Roster()
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        roster.file_errors.append(MESSAGES["too_big"])
        roster.too_big = True
        return roster
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in NOT_CSV_EXTENSIONS:
        roster.file_errors.append(MESSAGES["spreadsheet"])
        return roster
    try:
        lines = _decoded_lines(_byte_lines(upload, max_bytes), roster)
        _read_rows(lines, roster, max_rows=max_rows, this_year=this_year or datetime.date.today().year)
    except _FileProblem as problem:
        roster.rows = []
        roster.file_errors.append(problem.message)
        roster.too_big = problem.too_big
        return roster
    check_rows(roster.rows, taken_numbers or {})
    return roster


def _byte_lines(upload, max_bytes: int) -> Iterator[bytes]:
    """The file's lines as bytes, refusing other file types by their first
    bytes. Splitting on b"\\n" is safe in UTF-8 and CP949: neither uses that
    byte inside a multi-byte character."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(8)
    if not head:
        raise _FileProblem(MESSAGES["empty"])
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            raise _FileProblem(MESSAGES["spreadsheet"] if kind in ("xlsx", "xls") else MESSAGES["not_text"])
    read = len(head)
    pending = head
    while True:
        chunk = upload.read(64 * 1024)
        if chunk:
            read += len(chunk)
            if read > max_bytes:
                raise _FileProblem(MESSAGES["too_big"], too_big=True)
            pending += chunk
        if b"\x00" in pending:
            # UTF-16 ("Unicode text" in Excel) or another binary format.
            raise _FileProblem(MESSAGES["not_text"])
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
        if not chunk:
            break
    if pending:
        yield pending


def _decoded_lines(byte_lines: Iterable[bytes], roster: Roster) -> Iterator[str]:
    """Decode each line. The encoding is decided by the first line that is not
    plain ASCII (headers are often English while names are Korean): UTF-8 if
    it decodes as UTF-8, else CP949. A later line in the other encoding is a
    file we cannot read reliably."""
    encoding = None
    for index, raw in enumerate(byte_lines):
        if index == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
            encoding = "utf-8"
            roster.encoding = "utf-8-sig"
        if raw.isascii():
            yield raw.decode("ascii")
            continue
        if encoding is None:
            for candidate in ("utf-8", "cp949"):
                try:
                    raw.decode(candidate)
                except UnicodeDecodeError:
                    continue
                encoding = candidate
                roster.encoding = candidate
                break
            else:
                raise _FileProblem(MESSAGES["encoding"])
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError:
            raise _FileProblem(MESSAGES["encoding"])


def _normalise_header(cell: str) -> str:
    return "".join(ch for ch in cell.strip().lower() if ch not in " _-.·/()")


def _delimiter(header_line: str) -> str:
    # Excel in some locales writes semicolons; a few exports use tabs.
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_rows(lines: Iterator[str], roster: Roster, *, max_rows: int, this_year: int) -> None:
    lines = iter(lines)
    header_line = None
    for line in lines:
        if line.strip():
            header_line = line
            break
    if header_line is None:
        raise _FileProblem(MESSAGES["empty"])
    delimiter = _delimiter(header_line)

    def all_lines():
        yield header_line
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    try:
        header = next(reader)
        columns: dict[str, int] = {}
        for index, cell in enumerate(header):
            key = _normalise_header(cell)
            for column, aliases in COLUMN_ALIASES.items():
                if key in aliases and column not in columns:
                    columns[column] = index
                    break
            else:
                if cell.strip():
                    roster.ignored_columns.append(cell.strip())
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise _FileProblem(missing_columns_message(missing))
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(roster.rows) >= max_rows:
                raise _FileProblem(too_many_rows_message(max_rows))
            roster.rows.append(_row(reader.line_num, cells, columns, this_year))
    except csv.Error:
        raise _FileProblem(MESSAGES["not_csv"] % {"line": reader.line_num})
    if not roster.rows:
        raise _FileProblem(MESSAGES["no_students"])


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _row(line: int, cells: list[str], columns: dict[str, int], this_year: int) -> RosterRow:
    name = " ".join(_cell(cells, columns["name"]).split())
    raw_number = _cell(cells, columns["number"])
    raw_year = _cell(cells, columns.get("birth_year"))
    account_id = _cell(cells, columns.get("account_id"))
    row = RosterRow(line=line, name=name, number=None, raw_number=raw_number, account_id=account_id)
    if not name:
        row.errors.append(("name_missing", {}))
    elif len(name) > MAX_NAME_LENGTH:
        row.errors.append(("name_too_long", {}))
    number_text = raw_number.removesuffix("번").strip()
    if not number_text:
        row.errors.append(("number_missing", {}))
    elif not number_text.isdigit() or not 1 <= int(number_text) <= MAX_NUMBER:
        row.errors.append(("number_invalid", {}))
    else:
        row.number = int(number_text)
    if raw_year:
        if raw_year.isdigit() and this_year - 25 <= int(raw_year) <= this_year - 5:
            row.birth_year = int(raw_year)
        else:
            row.errors.append(("birth_year_invalid", {}))
    if len(account_id) > MAX_ACCOUNT_ID_LENGTH:
        row.errors.append(("account_id_too_long", {}))
    return row


def same_name(a: str, b: str) -> bool:
    """The same pupil's name as typed twice ("이 바다" and "이바다")."""
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def check_rows(rows: list[RosterRow], taken_numbers: dict[int, str]) -> None:
    """Checks across rows: numbers, and school account IDs within the file.
    (Whether an ID belongs to someone else in the education office needs
    the database: classroom.account_ids.)"""
    _check_numbers(rows, taken_numbers)
    lines_by_id: dict[str, list[int]] = {}
    for row in rows:
        if row.account_id:
            lines_by_id.setdefault(row.account_id, []).append(row.line)
    for row in rows:
        same = lines_by_id.get(row.account_id, [])
        if len(same) > 1:
            others = ", ".join(str(line) for line in same if line != row.line)
            row.errors.append(("account_id_repeated", {"value": row.account_id, "lines": others}))


def _check_numbers(rows: list[RosterRow], taken_numbers: dict[int, str]) -> None:
    lines_by_number: dict[int, list[int]] = {}
    for row in rows:
        if row.number is not None:
            lines_by_number.setdefault(row.number, []).append(row.line)
    for row in rows:
        if row.number is None:
            continue
        same = lines_by_number[row.number]
        if len(same) > 1:
            others = ", ".join(str(line) for line in same if line != row.line)
            row.errors.append(("number_repeated", {"number": row.number, "lines": others}))
        if row.number in taken_numbers and same_name(row.name, taken_numbers[row.number]):
            row.existing = True
        elif row.number in taken_numbers:
            row.errors.append(("number_taken", {"number": row.number, "name": taken_numbers[row.number]}))
