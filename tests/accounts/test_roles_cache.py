"""Roles are kept in the cache between requests, and every write that
changes them forgets the people concerned: a stored role never outlives
the membership, class, group or consent it came from."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import roles_of
from classroom.services import teacher_membership_end
from curriculum.permissions import records_progress, student_band
from families.services import consent_record_paper
from schools.models import Membership, Role

from ..conftest import mfa_login
from ..factories import ClassroomFactory, DistrictFactory, EnrollmentFactory, SchoolFactory


def fresh(user):
    """The person as the next request loads them."""
    return type(user).objects.get(pk=user.pk)


def test_the_next_request_reads_no_role_query(cast):
    roles_of(fresh(cast.teacher))
    with CaptureQueriesContext(connection) as ctx:
        roles = roles_of(fresh(cast.teacher))
    assert len(ctx.captured_queries) == 1  # the user's own row, as the request loads it
    assert roles.school_ids(Role.TEACHER) == {cast.school.pk}


def test_an_ended_membership_takes_the_role_away_at_once(client, cast):
    client.force_login(cast.other_teacher)
    assert client.get(reverse("teacher_home")).status_code == 200
    membership = Membership.objects.get(user=cast.other_teacher, role=Role.TEACHER)
    teacher_membership_end(membership=membership, ended_by=cast.school_admin)
    assert client.get(reverse("teacher_home")).status_code == 403
    assert not roles_of(fresh(cast.other_teacher)).has(Role.TEACHER)


def test_leaving_the_editors_group_ends_cms_rights_at_once(cast):
    assert roles_of(fresh(cast.editor)).is_editor
    cast.editor.groups.remove(*Group.objects.filter(name="Editors"))
    assert not roles_of(fresh(cast.editor)).is_editor


def test_a_group_losing_its_cms_permission_is_seen_by_its_members(cast):
    assert roles_of(fresh(cast.editor)).is_editor
    editors = Group.objects.get(name="Editors")
    editors.permissions.remove(*editors.permissions.filter(codename="access_admin"))
    assert not roles_of(fresh(cast.editor)).is_editor


def test_a_new_class_moves_the_band_and_an_archived_one_moves_it_back(cast):
    assert student_band(fresh(cast.student)) == "middle"  # the cast's school is a middle school
    elementary = SchoolFactory(code="ELEM01", level="elementary")
    young = ClassroomFactory(school=elementary, grade=1)
    cast.classroom.archived_at = cast.classroom.created_at
    cast.classroom.save()
    assert student_band(fresh(cast.student)) == "e12"  # no current class: the youngest band
    EnrollmentFactory(classroom=young, student=cast.student)
    assert student_band(fresh(cast.student)) == "e12"
    cast.classroom.archived_at = None
    cast.classroom.save()
    assert student_band(fresh(cast.student)) == "middle"


def test_removing_a_paper_consent_is_seen_at_once(cast):
    student = cast.student
    student.birth_year = cast.classroom.school_year - 12
    student.save()
    consent_record_paper(teacher=cast.teacher, student=student, on_file=True)
    assert records_progress(fresh(student))
    consent_record_paper(teacher=cast.teacher, student=student, on_file=False)
    assert not records_progress(fresh(student))


def test_a_new_safety_officer_reaches_the_district_at_once(client, cast):
    district = DistrictFactory()
    roles_of(fresh(cast.teacher))
    district.safety_officers.add(cast.teacher)
    assert roles_of(fresh(cast.teacher)).district_ids == {district.pk}
    mfa_login(client, cast.teacher)
    assert client.get(reverse("counsel_home")).status_code == 200
    cast.teacher.districts_as_safety_officer.remove(district)
    assert roles_of(fresh(cast.teacher)).district_ids == frozenset()
