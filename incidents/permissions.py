"""Who may see which report. Built on ``accounts.permissions`` (the one module
that reads roles); views, selectors and templates ask here.

* A school counselor sees the reports of their school(s) that are routed to
  the school.
* A district safety officer sees the reports of their district's schools that
  are routed to the district (school staff involved).
* Nobody else sees any report content. School admins see statistics, the
  poster and the audit trail of their school, never content (unless they are
  also a counselor there).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts import permissions as account_permissions
from schools.models import Membership, Role

from .models import IncidentReport, Routing

is_counselor = account_permissions.is_counselor
is_school_admin = account_permissions.is_school_admin
is_safety_officer = account_permissions.is_safety_officer


def visible_reports_q(user) -> Q:
    """A filter for the reports this person may read; matches nothing for
    everyone else."""
    roles = account_permissions.roles_of(user)
    school_ids = roles.school_ids(Role.COUNSELOR)
    district_ids = roles.district_ids
    query = Q(pk__in=[])
    if school_ids:
        query |= Q(routed_to=Routing.SCHOOL, school_id__in=school_ids)
    if district_ids:
        query |= Q(routed_to=Routing.DISTRICT, district_id__in=district_ids)
    return query


def visible_reports(user):
    return IncidentReport.objects.filter(visible_reports_q(user))


def can_read_report(user, report: IncidentReport) -> bool:
    roles = account_permissions.roles_of(user)
    if report.routed_to == Routing.DISTRICT:
        return report.district_id in roles.district_ids
    return report.school_id in roles.school_ids(Role.COUNSELOR)


def assignable_staff(report: IncidentReport):
    """Who a case may be given to: counselors of the school, or the safety
    officers of the district for staff-involved cases."""
    User = get_user_model()
    if report.routed_to == Routing.DISTRICT:
        return User.objects.filter(districts_as_safety_officer=report.district_id, is_active=True).order_by("id")
    counselor_ids = Membership.objects.filter(school_id=report.school_id, role=Role.COUNSELOR).values("user_id")
    return User.objects.filter(pk__in=counselor_ids, is_active=True).order_by("id")


def can_see_school_overview(user, school) -> bool:
    """Statistics, poster and audit trail of a school: its admins."""
    return account_permissions.can_manage_school(user, school)


def can_see_district_overview(user, district) -> bool:
    return district.pk in account_permissions.roles_of(user).district_ids
