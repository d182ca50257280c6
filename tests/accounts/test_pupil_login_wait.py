"""Wrong passwords: a pupil waits a few seconds, never 15 minutes; the
teacher's new card lets them in at once; adults keep allauth's lockout."""

import re

import pytest

from edu_platform import ratelimit
from tests.factories import PASSWORD, MembershipFactory, StudentFactory

LOGIN = "/accounts/login/"


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit, "_now", clock)
    return clock


def login(client, login, password=PASSWORD, address="10.0.0.1"):
    return client.post(LOGIN, {"login": login, "password": password}, REMOTE_ADDR=address)


def wait_asked(response) -> int | None:
    found = re.search(r"(\d+)(?:초| seconds?)", response.content.decode())
    return int(found.group(1)) if found else None


def wrong_tries(client, clock, username, n, address="10.0.0.1"):
    """n wrong passwords, each after the wait it was asked for, so all count."""
    for _ in range(n):
        response = login(client, username, "wrong-password", address)
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated
        clock.advance(61)


def test_a_pupil_waits_a_growing_delay_and_early_tries_do_not_count(client, cast, clock):
    for _ in range(5):
        login(client, "student", "wrong-password")
    response = login(client, "student")
    assert not response.wsgi_request.user.is_authenticated, "the right password two seconds too early"
    assert wait_asked(response) == 2
    assert "2초" in response.content.decode()
    login(client, "student", "wrong-password")  # early too: refused, not counted
    clock.advance(2)
    response = login(client, "student", "wrong-password")  # the sixth counted failure
    assert wait_asked(response) is None  # the password was checked: "wrong password", no wait yet
    assert wait_asked(login(client, "student")) == 4
    clock.advance(4)
    assert login(client, "student")["Location"] == "/my/"


def test_the_wait_is_never_longer_than_a_minute(client, cast, clock):
    wrong_tries(client, clock, "student", 30)
    clock.advance(-61)
    assert 0 < wait_asked(login(client, "student")) <= 60
    clock.advance(61)
    assert login(client, "student")["Location"] == "/my/"


def test_a_pupil_with_20_wrong_passwords_signs_in_right_after_the_teachers_new_card(client, cast, clock):
    wrong_tries(client, clock, "student", 20)
    clock.advance(-61)  # the last failure was just now
    assert wait_asked(login(client, "student")) == 60

    teacher = client.__class__()
    teacher.force_login(cast.teacher)
    enrollment = cast.student.enrollments.get()
    page = teacher.post(f"/teach/classes/{enrollment.classroom_id}/students/{enrollment.pk}/reset/", {"once": "x1"})
    assert page.status_code == 200
    new_password = page.context["cards"][0].password

    response = login(client, "student", new_password)
    assert response.status_code == 302
    assert response["Location"] == "/my/"


def test_the_roster_s_new_cards_for_ticked_pupils_end_their_wait_too(client, cast, clock):
    wrong_tries(client, clock, "student", 8, address="10.0.0.7")
    clock.advance(-61)
    teacher = client.__class__()
    teacher.force_login(cast.teacher)
    enrollment = cast.student.enrollments.get()
    page = teacher.post(
        f"/teach/classes/{enrollment.classroom_id}/students/cards/", {"enrollment": [enrollment.pk], "once": "x2"}
    )
    assert login(client, "student", page.context["cards"][0].password, address="10.0.0.7")["Location"] == "/my/"


def test_a_classmate_s_wrong_tries_hold_another_pupil_back_only_briefly(client, cast, clock):
    classmate = StudentFactory(username="classmate")
    MembershipFactory(user=classmate, school=cast.school, role="student")
    # One classmate types wrong passwords for every account of the class, from the class's address.
    wrong_tries(client, clock, "student", 25, address="10.0.0.1")
    clock.advance(-61)
    # Classmates are not held back at all ...
    assert login(client, "classmate", address="10.0.0.1")["Location"] == "/my/"
    # ... and the pupil whose name was used waits at most a minute, not 15.
    other = client.__class__()
    assert 0 < wait_asked(login(other, "student", address="10.0.0.1")) <= 60
    clock.advance(60)
    assert login(other, "student", address="10.0.0.1")["Location"] == "/my/"


def test_an_unknown_username_waits_like_a_pupil(client, db, clock):
    for _ in range(5):
        login(client, "nobody-26-13-01", "wrong-password")
    assert wait_asked(login(client, "nobody-26-13-01", "wrong-password")) == 2


def test_an_adult_is_still_locked_out_by_allauth(client, cast, clock):
    for _ in range(5):
        login(client, "teacher@example.org", "wrong-password")
    clock.advance(3600)  # the pupils' clock does not matter to allauth's lockout
    response = login(client, "teacher@example.org")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert wait_asked(response) is None
    assert "/teach/" not in response.get("Location", "")


def test_the_wait_keys_hold_no_address_or_account(cast):
    from accounts import ratelimit as login_limits

    account = login_limits.pupil_account(cast.student)
    for backoff in (login_limits.PUPIL_LOGIN_FROM_ADDRESS, login_limits.PUPIL_LOGIN_ANYWHERE):
        key = backoff._key(account, "203.0.113.9")
        assert "203.0.113.9" not in key and account not in key
