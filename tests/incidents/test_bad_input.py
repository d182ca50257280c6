"""Bad input: forged values (other school, unknown choices) get 400 and store
nothing; too-long text gets a clear message in the page's language and the
form keeps what was typed."""

import re

import pytest

from incidents.models import IncidentReport, OutboxMessage

from .conftest import report_form


@pytest.mark.parametrize(
    "forged",
    [
        {"school": "AWAY01"},
        {"school": ""},
        {"category": "stolen_bike"},
        {"platform": "myspace"},
        {"when": "yesterday-ish"},
        {"affected": "everyone"},
        {"staff_involved": "maybe"},
        {"urgency": "7"},
        {"urgency": "urgent"},
    ],
)
def test_forged_values_are_400_and_store_nothing(client, cast, forged):
    response = client.post("/report/HOME01/new/", report_form(cast.school, **forged))
    assert response.status_code == 400
    assert IncidentReport.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "limit"),
    [("details", 4000), ("room_link", 500), ("account_handle", 200), ("platform_other", 100), ("contact", 200)],
)
def test_every_text_has_a_length_limit_with_a_clear_message(client, cast, field, limit):
    too_long = "ㄱ" * (limit + 1)
    response = client.post("/en/report/HOME01/new/", report_form(cast.school, **{field: too_long}))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Please keep this to {limit} characters or fewer" in html
    assert too_long in html  # kept
    assert f'maxlength="{limit}"' in html
    assert IncidentReport.objects.count() == 0


def test_messages_are_in_korean_on_the_korean_page(client, cast):
    response = client.post("/report/HOME01/new/", report_form(cast.school, details="ㄱ" * 4001))
    assert response.status_code == 200
    html = response.content.decode()
    assert "4000" in html
    assert "Please keep this" not in html


def test_missing_answers_are_explained_and_the_rest_is_kept(client, cast):
    data = report_form(cast.school, category="", details="my words stay here")
    response = client.post("/en/report/HOME01/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please choose what happened" in html
    assert "my words stay here" in html
    assert re.search(r'<input type="radio" name="when" value="this_week"[^>]* checked>', html)
    # The error is linked to its group.
    assert '<fieldset class="field choice-group has-error" aria-describedby="id_category_error">' in html
    assert IncidentReport.objects.count() == 0


def test_something_else_needs_a_few_words(client, cast):
    response = client.post("/en/report/HOME01/new/", report_form(cast.school, category="other", details=""))
    assert response.status_code == 200
    assert "Please tell us in a few words" in response.content.decode()


def test_a_text_field_error_is_linked_with_aria_describedby(client, cast):
    response = client.post("/en/report/HOME01/new/", report_form(cast.school, contact="x" * 201))
    html = response.content.decode()
    assert 'aria-describedby="id_contact_helptext id_contact_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_contact_error"' in html


def test_too_long_search_is_explained(client, cast):
    response = client.get("/en/report/", {"q": "x" * 101})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
