"""Districts, schools and memberships moved from the classroom app to
``schools`` (schools/migrations/0001-0002): a database made before the move
keeps every row and every link."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("classroom", "0004_notices_rosters_ended_memberships"),
    ("accounts", "0004_parents"),
    ("incidents", "0001_initial"),
    ("schools", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_every_row():
    old = _migrate(BEFORE)
    User = old.get_model("accounts", "User")
    District = old.get_model("classroom", "District")
    School = old.get_model("classroom", "School")
    Membership = old.get_model("classroom", "Membership")
    Ended = old.get_model("classroom", "EndedMembership")
    Classroom = old.get_model("classroom", "Classroom")
    Invitation = old.get_model("accounts", "Invitation")
    officer = User.objects.create(username="officer-old")
    teacher = User.objects.create(username="teacher-old")
    district = District.objects.create(name="Old office", code="OLD1")
    district.safety_officers.add(officer)
    school = School.objects.create(name="Old school", code="OLDS01", district=district, level="elementary")
    Membership.objects.create(user=teacher, school=school, role="teacher")
    Ended.objects.create(user=officer, school=school, role="counselor")
    Classroom.objects.create(school=school, name="1-1", grade=1, school_year=2026, join_code="ABCDEFGH")
    Invitation.objects.create(
        school=school, email="x@example.org", role="teacher", token_hash="h" * 64, expires_at="2030-01-01T00:00Z"
    )

    latest = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    NewSchool = latest.get_model("schools", "School")
    moved = NewSchool.objects.get(code="OLDS01")
    assert moved.name == "Old school" and moved.level == "elementary"
    assert moved.district.code == "OLD1"
    assert list(moved.district.safety_officers.values_list("username", flat=True)) == ["officer-old"]
    assert list(moved.memberships.values_list("user__username", "role")) == [("teacher-old", "teacher")]
    assert list(moved.ended_memberships.values_list("role", flat=True)) == ["counselor"]
    assert list(moved.classrooms.values_list("name", flat=True)) == ["1-1"]
    assert list(moved.invitations.values_list("email", flat=True)) == ["x@example.org"]
    tables = set(connection.introspection.table_names())
    assert {"schools_school", "schools_district", "schools_membership", "schools_endedmembership"} <= tables
    assert not {"classroom_school", "classroom_membership"} & tables
