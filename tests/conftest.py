"""The shared cast: two schools, and one person per role at each, so every
permission test asks the same people.

Tests that need the real PostgreSQL or Redis use the ``postgres`` /
``redis_url`` fixtures: they skip on a laptop without the service and fail
in CI (CI set). The last lines of a run say how many were skipped and why.
"""

import os
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection

from schools.models import Role

from .factories import (
    PASSWORD,
    ClassroomFactory,
    EnrollmentFactory,
    GuardianLinkFactory,
    MembershipFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
)
from .support.services import need, why_no_postgres, why_no_redis


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        need("PostgreSQL", why_no_postgres())
    return connection


@pytest.fixture
def redis_url():
    from django.conf import settings

    url = settings.REDIS_URL or os.environ.get("REDIS_URL")
    problem = why_no_redis(url)
    if problem:
        need("Redis", problem)
    return url


def pytest_terminal_summary(terminalreporter):
    """A run that fell back to SQLite and no Redis must not pass for a full
    one: say, last, how many tests were skipped and why."""
    reasons = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reasons[reason.removeprefix("Skipped: ")] += 1
    if reasons:
        terminalreporter.section("skipped")
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"{count} {'test' if count == 1 else 'tests'} skipped: {reason}", yellow=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the real curriculum, loaded once per run."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_curriculum", verbosity=0)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def give_totp(user) -> str:
    """Activate TOTP for a user; returns the secret so tests can make codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now. Near the end of a period the
    code would expire on the way to the server, so wait for the next one."""
    period = mfa_settings.TOTP_PERIOD
    if time.time() % period > period - 4:
        time.sleep(period - time.time() % period + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def mfa_login(client, user, password=PASSWORD):
    """Log a staff member in as if they had passed the second factor (and,
    for people who read reports, signed in with their password: their
    reading key is unlocked into the session, as the login form does)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        give_totp(user)
    client.force_login(user)
    unlock_keys(client, user, password)
    return client


def unlock_keys(client, user, password=PASSWORD):
    """Put the person's reading key into the client's session and cookie."""
    from incidents import keyring, keys

    key = keys.person_key_unlock(user=user, password=password)
    if key is None:
        return None
    session = client.session
    session[keyring.SESSION_KEY], cookie = keyring.session_entry(user, key)
    session.save()
    client.cookies[keyring.COOKIE] = cookie
    return key


def give_keys(*users, password=PASSWORD):
    """Reading keys for readers, as their first sign-in makes them."""
    from incidents import keys

    for user in users:
        keys.person_key_create(user=user, password=password)


@pytest.fixture
def cast(db):
    school = SchoolFactory(code="HOME01", name="우리중학교")
    other_school = SchoolFactory(code="AWAY01", name="옆중학교")
    classroom = ClassroomFactory(school=school, name="2학년 1반")
    other_classroom = ClassroomFactory(school=school, name="2학년 2반")

    student = StudentFactory(username="student", display_name="학생")
    EnrollmentFactory(classroom=classroom, student=student)
    MembershipFactory(user=student, school=school, role=Role.STUDENT)
    other_student = StudentFactory(username="other-student")
    MembershipFactory(user=other_student, school=other_school, role=Role.STUDENT)

    teacher = UserFactory(username="teacher")
    MembershipFactory(user=teacher, school=school, role=Role.TEACHER)
    classroom.teachers.add(teacher)
    other_teacher = UserFactory(username="other-teacher")
    MembershipFactory(user=other_teacher, school=school, role=Role.TEACHER)
    other_classroom.teachers.add(other_teacher)

    parent = UserFactory(username="parent", is_parent=True)
    GuardianLinkFactory(guardian=parent, student=student)
    unlinked_parent = UserFactory(username="unlinked-parent", is_parent=True)

    counselor = UserFactory(username="counselor")
    MembershipFactory(user=counselor, school=school, role=Role.COUNSELOR)
    other_counselor = UserFactory(username="other-counselor")
    MembershipFactory(user=other_counselor, school=other_school, role=Role.COUNSELOR)

    give_keys(counselor, other_counselor)

    school_admin = UserFactory(username="school-admin")
    MembershipFactory(user=school_admin, school=school, role=Role.SCHOOL_ADMIN)

    editor = UserFactory(username="editor")
    editor.groups.add(*Group.objects.filter(name="Editors"))
    reviewer = UserFactory(username="reviewer")
    reviewer.groups.add(*Group.objects.filter(name__in=["Editors", "Safeguarding reviewers"]))

    return SimpleNamespace(
        school=school,
        other_school=other_school,
        classroom=classroom,
        other_classroom=other_classroom,
        student=student,
        other_student=other_student,
        teacher=teacher,
        other_teacher=other_teacher,
        parent=parent,
        unlinked_parent=unlinked_parent,
        counselor=counselor,
        other_counselor=other_counselor,
        school_admin=school_admin,
        editor=editor,
        reviewer=reviewer,
    )
