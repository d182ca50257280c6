"""The "school account ID" column of a class roster: each pupil's id at the
education office's identity provider, kept as accounts.ExternalId so that
signing in with a school account finds the pupil (districts.signin).

The file itself is checked in classroom.roster (no database); here, what
needs the database: an ID another person of the education office already
has is a problem on its row, and a pupil already in the class either keeps
their ID ("same") or gets the one in the file ("update")."""

from __future__ import annotations

from accounts.models import ExternalId

from .models import Classroom

NEW, UPDATE, SAME = "new", "update", "same"


def pupils_by_number(classroom: Classroom) -> dict[int, int]:
    """The class's pupils by their number (number → user id)."""
    return dict(classroom.enrollments.filter(student_number__isnull=False).values_list("student_number", "student_id"))


def check_account_ids(*, classroom: Classroom, rows: list) -> None:
    """Mark each parsed row (classroom.roster.RosterRow) new, update or same,
    and add a problem where its ID belongs to someone else in the class's
    education office. Two queries."""
    district_id = classroom.school.district_id
    pupils = pupils_by_number(classroom)
    wanted = {row.account_id for row in rows if row.account_id}
    holders = dict(ExternalId.objects.filter(district_id=district_id, value__in=wanted).values_list("value", "user_id"))
    current = (
        dict(
            ExternalId.objects.filter(district_id=district_id, user_id__in=pupils.values()).values_list(
                "user_id", "value"
            )
        )
        if any(row.existing for row in rows)
        else {}
    )
    for row in rows:
        pupil = pupils.get(row.number) if row.existing else None
        holder = holders.get(row.account_id)
        if row.account_id and holder is not None and holder != pupil:
            row.errors.append(("account_id_taken", {"value": row.account_id}))
        if not row.existing:
            row.change = NEW
        elif row.account_id and current.get(pupil) != row.account_id:
            row.change = UPDATE
        else:
            row.change = SAME


def account_ids_save(*, classroom: Classroom, ids: dict[int, str]) -> int:
    """Give each pupil (user id → ID) their school account ID in the class's
    education office, replacing an older one. Run inside the roster's
    transaction: a clash with an ID taken since the preview raises
    IntegrityError and nothing of the roster is kept."""
    district_id = classroom.school.district_id
    for user_id, value in ids.items():
        ExternalId.objects.update_or_create(district_id=district_id, user_id=user_id, defaults={"value": value})
    return len(ids)
