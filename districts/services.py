"""Writes of the education office: onboarding schools from a file.

A file is read and checked first (``school_import_create``); nothing changes
until the officer confirms the preview (``school_import_confirm``), and then
every school is created or updated, or none. Re-importing the same file
changes nothing: a school whose name and level are unchanged is left alone,
and nobody is invited twice (a member or a pending invitation is enough).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation
from accounts.services import InvitationError, invitation_create
from schools.models import Membership, Role, School

from .models import SchoolImport
from .school_file import SchoolFile


class SchoolImportError(Exception):
    """The import cannot be confirmed; the message is for the officer."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invited: int = 0


def school_import_create(*, district, created_by, filename: str, parsed: SchoolFile) -> SchoolImport:
    return SchoolImport.objects.create(
        district=district,
        created_by=created_by,
        filename=filename[:200],
        rows=[row.as_dict() for row in parsed.rows],
    )


def _invite(school: School, emails: list[str], role: str, *, invited_by, site_url: str) -> int:
    """Invite the addresses that are neither members with this role nor
    already invited (a pending invitation still works)."""
    if not emails:
        return 0
    members = set(
        Membership.objects.filter(school=school, role=role, user__email__in=emails).values_list(
            "user__email", flat=True
        )
    )
    pending = set(
        Invitation.objects.usable().filter(school=school, role=role, email__in=emails).values_list("email", flat=True)
    )
    invited = 0
    for email in emails:
        if email in members or email in pending:
            continue
        # The officer is the second person: the invitation is approved at once
        # (and never to the officer's own address).
        try:
            invitation_create(
                school=school, email=email, role=role, invited_by=invited_by, site_url=site_url, approved_by=invited_by
            )
        except InvitationError:
            continue
        invited += 1
    return invited


@transaction.atomic
def school_import_confirm(*, school_import: SchoolImport, invited_by, site_url: str) -> ImportResult:
    """Create or update every school of the file and invite its staff, all
    or nothing. The staff addresses are cleared from the stored rows once
    the invitations exist."""
    locked = SchoolImport.objects.select_for_update().get(pk=school_import.pk)
    if locked.used_at is not None:
        raise SchoolImportError(_("This file was already imported. Upload it again to see what would change."))
    if locked.has_problems or not locked.rows:
        raise SchoolImportError(_("The file has problems. Fix them and upload it again."))
    result = ImportResult()
    existing = {s.code: s for s in School.objects.select_for_update().filter(code__in=[r["code"] for r in locked.rows])}
    for row in locked.rows:
        school = existing.get(row["code"])
        if school is None:
            school = School.objects.create(
                district=locked.district, name=row["name"], code=row["code"], level=row["level"]
            )
            result.created += 1
        elif school.district_id != locked.district_id:
            raise SchoolImportError(_("The code %(code)s belongs to a school of another education office.") % row)
        elif (school.name, school.level) != (row["name"], row["level"]):
            school.name, school.level = row["name"], row["level"]
            school.save(update_fields=["name", "level"])
            result.updated += 1
        else:
            result.unchanged += 1
        result.invited += _invite(school, row["counselors"], Role.COUNSELOR, invited_by=invited_by, site_url=site_url)
        result.invited += _invite(school, row["admins"], Role.SCHOOL_ADMIN, invited_by=invited_by, site_url=site_url)
    locked.rows = [{**row, "counselors": [], "admins": []} for row in locked.rows]
    locked.used_at = timezone.now()
    locked.save(update_fields=["rows", "used_at"])
    return result
