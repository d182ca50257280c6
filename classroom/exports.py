"""Exports of the class dashboard: the progress spreadsheet (CSV, UTF-8 with
a byte-order mark so that Excel reads Korean names)."""

import csv
import io

from django.utils.translation import gettext as _

from .selectors import NOT_STARTED, Dashboard


def _csv_safe(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a name typed
    into a roster must never become one."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def progress_csv(dashboard: Dashboard) -> str:
    """One row per student: each lesson's status, best score and attempts,
    then lessons done, completion and learning gain."""
    status_labels = {
        NOT_STARTED: _("not started"),
        "in_progress": _("in progress"),
        "passed": _("passed"),
        "read": _("read"),
    }
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    header = [_("Number"), _("Name"), _("Username")]
    for column in dashboard.columns:
        header += [
            _("%(lesson)s: status") % {"lesson": column.title},
            _("%(lesson)s: best score") % {"lesson": column.title},
            _("%(lesson)s: attempts") % {"lesson": column.title},
        ]
    header += [_("Lessons done"), _("Completion (percent)"), _("Learning gain (points)")]
    writer.writerow([_csv_safe(h) for h in header])
    for row in dashboard.rows:
        line = [row.enrollment.student_number or "", row.student.display_name, row.student.username]
        for cell in row.cells:
            line += [status_labels.get(cell.status, cell.status), cell.best_score, cell.attempts or ""]
        line += [row.done, row.percent, "" if row.gain is None else row.gain]
        writer.writerow([_csv_safe(v) for v in line])
    return out.getvalue()
