"""Helpers for the incident channel's tests: a valid report form, a report
made through the service, and a district safety officer."""

import itertools
import time

import pytest

from incidents import services
from incidents.forms import form_started_token
from tests.conftest import give_keys
from tests.factories import UserFactory

# Each report a test makes says something of its own: the same report sent
# twice within a minute is stored once (incidents.services.report_submit).
_serial = itertools.count(1)


def report_form(school_obj, **overrides):
    """What a person's browser sends: a form shown a minute ago."""
    data = {
        "school": school_obj.code,
        "started": form_started_token(time.time() - 60),
        "website_url": "",
        "category": "fake_of_me",
        "platform": "telegram",
        "platform_other": "",
        "room_link": "t.me/joinchat/secret-room-42",
        "account_handle": "@fake_maker_99",
        "when": "this_week",
        "affected": "me",
        "staff_involved": "no",
        "urgency": "1",
        "details": f"Someone in my class made a fake picture of me and posted it. ({next(_serial)})",
        "contact": "",
    }
    data.update(overrides)
    return data


def make_report(school, **overrides):
    """A report stored through the service, as the form would; returns (report, receipt)."""
    values = {
        "category": "fake_of_me",
        "platform": "telegram",
        "platform_other": "",
        "room_link": "t.me/joinchat/room",
        "account_handle": "@someone",
        "when": "today",
        "affected": "me",
        "staff_involved": "no",
        "urgency": 1,
        "details": f"what happened ({next(_serial)})",
        "contact": "",
    }
    values.update(overrides)
    return services.report_submit(school=school, **values)


def submit(client, school, capture=None, **overrides):
    """Post the form (running on-commit callbacks when given the capture fixture)."""
    url = f"/report/{school.code}/new/"
    if capture is None:
        return client.post(url, report_form(school, **overrides))
    with capture(execute=True):
        return client.post(url, report_form(school, **overrides))


def receipt_from(client):
    """Read the receipt digits off the receipt page."""
    import re

    html = client.get("/report/receipt/").content.decode()
    groups = re.findall(r'<span class="receipt-group">(\d{4})</span>', html)
    assert len(groups) == 4, html
    return "".join(groups)


@pytest.fixture
def officer(cast):
    """A safety officer of the home school's district."""
    user = UserFactory(username="officer")
    cast.school.district.safety_officers.add(user)
    give_keys(user)
    return user


@pytest.fixture
def other_officer(cast):
    user = UserFactory(username="other-officer")
    cast.other_school.district.safety_officers.add(user)
    give_keys(user)
    return user
