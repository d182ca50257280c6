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
from accounts.permissions import forget_roles
from accounts.services import invitations_create_approved
from schools.models import Membership, Role, School

from . import client_secrets, selectors
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


def _invite(rows: list[tuple[School, dict]], *, invited_by, site_url: str) -> int:
    """Invite every address of the file that is neither a member with that
    role at that school nor already invited (a pending invitation still
    works). A fixed number of queries however many schools."""
    wanted = [
        (school, email.strip().lower(), role)
        for school, row in rows
        for role, emails in ((Role.COUNSELOR, row["counselors"]), (Role.SCHOOL_ADMIN, row["admins"]))
        for email in emails
    ]
    if not wanted:
        return 0
    school_ids = {school.pk for school, _email, _role in wanted}
    emails = {email for _school, email, _role in wanted}
    members = set(
        Membership.objects.filter(
            school_id__in=school_ids, role__in=[Role.COUNSELOR, Role.SCHOOL_ADMIN], user__email__in=emails
        ).values_list("school_id", "user__email", "role")
    )
    pending = set(
        Invitation.objects.usable()
        .filter(school_id__in=school_ids, email__in=emails)
        .values_list("school_id", "email", "role")
    )
    seen, invites = set(), []
    for school, email, role in wanted:
        key = (school.pk, email, role)
        if key in members or key in pending or key in seen:
            continue
        seen.add(key)
        invites.append((school, email, role))
    return len(invitations_create_approved(invites=invites, invited_by=invited_by, site_url=site_url))


@transaction.atomic
def school_import_confirm(*, school_import: SchoolImport, invited_by, site_url: str) -> ImportResult:
    """Create or update every school of the file and invite its staff, all
    or nothing, in a fixed number of queries however many schools (bulk
    inserts and updates). The staff addresses are cleared from the stored
    rows once the invitations exist."""
    locked = SchoolImport.objects.select_for_update().get(pk=school_import.pk)
    if locked.used_at is not None:
        raise SchoolImportError(_("This file was already imported. Upload it again to see what would change."))
    if locked.has_problems or not locked.rows:
        raise SchoolImportError(_("The file has problems. Fix them and upload it again."))
    result = ImportResult()
    existing = {s.code: s for s in School.objects.select_for_update().filter(code__in=[r["code"] for r in locked.rows])}
    new, changed, schools = [], [], []
    for row in locked.rows:
        school = existing.get(row["code"])
        if school is None:
            school = School(district=locked.district, name=row["name"], code=row["code"], level=row["level"])
            new.append(school)
        elif school.district_id != locked.district_id:
            raise SchoolImportError(_("The code %(code)s belongs to a school of another education office.") % row)
        elif (school.name, school.level) != (row["name"], row["level"]):
            school.name, school.level = row["name"], row["level"]
            changed.append(school)
        else:
            result.unchanged += 1
        schools.append((school, row))
    School.objects.bulk_create(new)
    School.objects.bulk_update(changed, ["name", "level"])
    if changed:
        # What School's post_save would do one by one: the members' stored roles go.
        forget_roles(Membership.objects.filter(school__in=changed).values_list("user_id", flat=True))
    result.created, result.updated = len(new), len(changed)
    result.invited = _invite(schools, invited_by=invited_by, site_url=site_url)
    locked.rows = [{**row, "counselors": [], "admins": []} for row in locked.rows]
    locked.used_at = timezone.now()
    locked.save(update_fields=["rows", "used_at"])
    selectors.forget_rollup(locked.district)  # the new schools show at once
    return result


def save_identity_provider(*, district, data: dict):
    """Create or change the district's OpenID Connect sign-in (allauth's
    SocialApp and the district's settings for it) in one transaction."""
    from allauth.socialaccount.models import SocialApp

    from .models import IdentityProvider

    with transaction.atomic():
        provider = IdentityProvider.objects.select_related("app").filter(district=district).first()
        app = provider.app if provider else SocialApp(provider="openid_connect")
        app.provider_id = IdentityProvider.provider_id_for(district)
        app.name = district.name
        app.client_id = data["client_id"]
        if data.get("client_secret"):
            app.secret = client_secrets.seal(data["client_secret"])
        app.settings = {**(app.settings or {}), "server_url": data["issuer"], "oauth_pkce_enabled": True}
        app.save()
        if provider is None:
            provider = IdentityProvider(district=district, app=app)
        provider.match_by = data["match_by"]
        provider.id_claim = data["id_claim"]
        provider.enabled = data["enabled"]
        provider.save()
    return provider
