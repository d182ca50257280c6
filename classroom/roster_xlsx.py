"""Reading a class roster from Excel (.xlsx): plain functions, no requests,
no database. The rows come out exactly as from a CSV file (classroom.roster),
so the preview, the checks and the all-or-nothing creation are the same.

Two layouts are read: our own template (a first row 번호, 이름, 생년) and the
student list NEIS exports, which has a title and a few other rows above the
header; the header is the first row (of the first 30) that names both a
number column (번호) and a name column (성명 or 이름). Lines below it that
name no student (NEIS adds the print date) are skipped.

An .xlsx file is a zip archive, so before openpyxl opens it the archive is
checked: a file that is not a real xlsx, a zip bomb (more than 20 MB when
unpacked, more than 1,000 entries, or packed more than 100 times), a
password-protected file (Excel stores those as an OLE compound file, the
same container as an old .xls) and a file with macros are all refused with a
message, and nothing of them is read.
"""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext_lazy as _

from edu_platform.spreadsheets import OLE_SIGNATURE, ZIP_SIGNATURE, TableProblem, check_workbook

from .roster import (
    COLUMN_ALIASES,
    MAX_BYTES,
    MAX_ROWS,
    MESSAGES,
    REQUIRED_COLUMNS,
    Roster,
    _normalise_header,
    _row,
    check_rows,
    missing_columns_message,
    too_many_rows_message,
)

XLSX_EXTENSIONS = {"xlsx", "xlsm"}
HEADER_SEARCH_ROWS = 30

XLSX_MESSAGES = {
    "not_xlsx": _("This file is not a real Excel (.xlsx) file. Open it in Excel and save it again as .xlsx."),
    "bomb": _("This Excel file unpacks to far more than a class roster could hold, so it was not opened."),
    "encrypted": _(
        "This Excel file is protected with a password (or is an old .xls file). "
        "Remove the password (File → Info → Protect Workbook) and save it as .xlsx, then upload it again."
    ),
    "macros": _("This Excel file contains macros. Save it as a plain Excel workbook (.xlsx) and upload that file."),
}


class _Refused(Exception):
    def __init__(self, message, *, too_big: bool = False):
        super().__init__(str(message))
        self.message = message
        self.too_big = too_big


def is_xlsx_upload(filename: str, head: bytes) -> bool:
    """Whether an upload should be read as Excel: by its name, or by its
    first bytes (a zip or OLE file renamed to .csv)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension in XLSX_EXTENSIONS or head.startswith((ZIP_SIGNATURE, OLE_SIGNATURE))


def parse_xlsx(
    upload,
    *,
    filename: str = "",
    taken_numbers: dict[int, str] | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    this_year: int | None = None,
) -> Roster:
    """Read a roster from an .xlsx upload: the same Roster as parse_roster."""
    roster = Roster(encoding="xlsx")
    try:
        data = _read_at_most(upload, max_bytes)
        _check_archive(data, filename)
        _read_sheet(data, roster, max_rows=max_rows, this_year=this_year or datetime.date.today().year)
    except _Refused as refused:
        roster.rows = []
        roster.file_errors.append(refused.message)
        roster.too_big = refused.too_big
        return roster
    check_rows(roster.rows, taken_numbers or {})
    return roster


def _read_at_most(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _Refused(MESSAGES["too_big"], too_big=True)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _Refused(MESSAGES["too_big"], too_big=True)
    if not data:
        raise _Refused(MESSAGES["empty"])
    return data


# The platform's workbook checks (edu_platform.spreadsheets), in a teacher's words.
_PROBLEM_MESSAGE = {
    "encrypted": "encrypted",
    "macros": "macros",
    "bomb": "bomb",
    "broken": "not_xlsx",
    "not_a_table": "not_xlsx",
}


def _check_archive(data: bytes, filename: str) -> None:
    try:
        check_workbook(data, filename)
    except TableProblem as problem:
        raise _Refused(XLSX_MESSAGES[_PROBLEM_MESSAGE.get(problem.code, "not_xlsx")]) from None


def _text(value) -> str:
    """A cell as the CSV reader would have seen it (1.0 → "1")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_sheet(data: bytes, roster: Roster, *, max_rows: int, this_year: int) -> None:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure to read is a file that is not a real xlsx
        raise _Refused(XLSX_MESSAGES["not_xlsx"]) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True) if workbook.worksheets else iter(())
        columns = None
        for line, values in enumerate(rows, start=1):
            cells = [_text(v) for v in values]
            if columns is None:
                columns = _header_columns(cells, roster)
                if columns is None and line >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(cells) or _is_note(cells, columns):
                continue
            if len(roster.rows) >= max_rows:
                raise _Refused(too_many_rows_message(max_rows))
            roster.rows.append(_row(line, cells, columns, this_year))
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet inside a valid zip
        raise _Refused(XLSX_MESSAGES["not_xlsx"]) from None
    finally:
        workbook.close()
    if columns is None:
        raise _Refused(missing_columns_message(list(REQUIRED_COLUMNS)))
    if not roster.rows:
        raise _Refused(MESSAGES["no_students"])


def _is_note(cells: list[str], columns: dict[str, int]) -> bool:
    """A line under or beside the list that names no student, such as the
    print date NEIS adds below it: no name and nothing like a number."""
    name = cells[columns["name"]] if columns["name"] < len(cells) else ""
    number = cells[columns["number"]] if columns["number"] < len(cells) else ""
    return not name and not number.removesuffix("번").strip().isdigit()


def _header_columns(cells: list[str], roster: Roster) -> dict[str, int] | None:
    """The columns, if this row is the header (it names number and name)."""
    columns: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(cells):
        key = _normalise_header(cell)
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in columns:
                columns[column] = index
                break
        else:
            if cell:
                ignored.append(cell)
    if any(column not in columns for column in REQUIRED_COLUMNS):
        return None
    roster.ignored_columns = ignored
    return columns


def template_workbook() -> bytes:
    """Our roster template: the header row and one example row."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "명단"
    sheet.append(["번호", "이름", "생년", "학교 계정 ID"])
    sheet.append([1, "홍길동", datetime.date.today().year - 10, "s20260001"])
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["D"].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
