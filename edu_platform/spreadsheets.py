"""Reading a table that a person uploads: CSV (UTF-8, with or without a
byte-order mark, or CP949 as Korean Excel writes it) or an Excel ``.xlsx``
workbook (its first sheet). Plain functions, no requests, no database.

An upload is untrusted: an ``.xlsx`` is a zip, so its entries and their
unpacked size are checked before openpyxl opens it (a "zip bomb" is refused),
and encrypted (password-protected) or macro-enabled workbooks are refused
with a message; so is anything that is neither CSV nor xlsx.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_RATIO = 100
MAX_ROWS = 5000
MAX_COLUMNS = 50

PROBLEMS = {
    "empty": _("The file is empty."),
    "too_big": _("The file is larger than 1 MB."),
    "encrypted": _("The workbook is protected with a password. Save it without a password and upload it again."),
    "macros": _("Workbooks with macros (.xlsm) are not accepted. Save it as an ordinary Excel workbook (.xlsx)."),
    "bomb": _("The workbook unpacks to far more data than a table of this size holds, so it was not opened."),
    "broken": _("The Excel file could not be read. Open it in Excel, save it again as .xlsx and upload it."),
    "not_a_table": _("This file is neither CSV nor an Excel workbook (.xlsx)."),
    "encoding": _("The file's characters could not be read. Save it again as “CSV UTF-8” or as .xlsx."),
    "too_many_rows": _("The file has more than 5,000 rows."),
}


class TableProblem(Exception):
    """The whole file is unusable; ``code`` picks the message in PROBLEMS."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(PROBLEMS[self.code])


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # old .xls, and every password-protected .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """The file's rows as lists of stripped strings (empty rows dropped)."""
    if not data:
        raise TableProblem("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableProblem("too_big")
    if data.startswith(OLE_SIGNATURE):
        raise TableProblem("encrypted")
    if data.startswith(ZIP_SIGNATURE):
        return _read_xlsx(data, filename)
    if b"\x00" in data[:4096]:
        raise TableProblem("not_a_table")
    return _read_csv(data)


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableProblem("encoding")
    rows = []
    for row in csv.reader(io.StringIO(text)):
        cells = [cell.strip() for cell in row[:MAX_COLUMNS]]
        if any(cells):
            rows.append(cells)
        if len(rows) > MAX_ROWS:
            raise TableProblem("too_many_rows")
    return rows


def check_workbook(data: bytes, filename: str = "") -> None:
    """Refuse what must not reach openpyxl (raises TableProblem): an OLE file
    (a password-protected workbook, or an old .xls), a macro workbook,
    anything that is not an .xlsx package, and an archive that unpacks to
    far more than its size (a zip bomb), judged from the zip's own directory
    before anything is unpacked."""
    if data.startswith(OLE_SIGNATURE):
        raise TableProblem("encrypted")
    if filename.lower().endswith(".xlsm"):
        raise TableProblem("macros")
    if not data.startswith(ZIP_SIGNATURE):
        raise TableProblem("not_a_table")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableProblem("broken") from None
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * packed:
        raise TableProblem("bomb")
    names = {entry.filename.lower() for entry in entries}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise TableProblem("macros")
    if "xl/workbook.xml" not in names:
        raise TableProblem("not_a_table")


def _read_xlsx(data: bytes, filename: str) -> list[list[str]]:
    from openpyxl import load_workbook  # a heavy import, needed only for workbooks

    check_workbook(data, filename)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any failure of a damaged workbook is the same message
        raise TableProblem("broken") from None
    rows = []
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            cells = ["" if value is None else _cell_text(value) for value in values]
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_ROWS:
                raise TableProblem("too_many_rows")
    finally:
        workbook.close()
    return rows


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps numbers as floats: 7010057.0
    return str(value).strip()


def write_xlsx(sheets: list[tuple[str, list[list]]]) -> bytes:
    """A workbook with one sheet per (title, rows); the first row of each is
    its header, in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            sheet.append(list(row))
        for cell in sheet[1] if rows else ():
            cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
