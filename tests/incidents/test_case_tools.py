"""The counselor's one-page case (every action a POST that returns to its
section with a status message), closing with a reason, referrals that mark
the case referred, the school's reply templates and tags, the inbox's tag
and date filters (constant queries), closing reasons in the statistics, and
escalation emails that name the school."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from incidents import cases, selectors, services, tasks
from incidents.models import (
    AuditEvent,
    CaseEvent,
    CaseMessage,
    CaseTag,
    ClosingReason,
    IncidentReport,
    ReplyTemplate,
    Status,
    Urgency,
)
from tests.conftest import mfa_login
from tests.factories import MembershipFactory, UserFactory

from .conftest import make_report

# The English pages, so that the assertions read the messages as written.


@pytest.fixture
def report(cast):
    return make_report(cast.school, urgency=Urgency.URGENT)[0]


@pytest.fixture
def counselor(client, cast):
    return mfa_login(client, cast.counselor)


def case_url(report, action=""):
    return f"/en/counsel/reports/{report.pk}/" + (f"{action}/" if action else "")


# --- one page ---------------------------------------------------------------------------


def test_every_action_is_on_the_one_case_page(counselor, cast, report):
    CaseTag.objects.create(school=cast.school, name="단톡방")
    html = counselor.get(case_url(report)).content.decode()
    for section in ("act-reply", "act-status", "act-assign", "act-referral", "act-note", "act-tags", "act-close"):
        assert f'id="{section}"' in html, section
    for action in ("status", "message", "assign", "referral", "note", "tags", "close"):
        assert f'action="{case_url(report, action)}#' in html, action
    # The report and the thread come before the actions (phones read down).
    assert html.index('id="report-title"') < html.index('id="messages"') < html.index('id="actions"')
    assert 'name="acknowledge"' in html


def test_acknowledging_returns_to_its_section_with_a_message(counselor, report):
    response = counselor.post(case_url(report, "status"), {"status": "acknowledged", "acknowledge": "1"})
    assert response.status_code == 302
    assert response["Location"] == case_url(report) + "#act-status"
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    html = counselor.get(response["Location"]).content.decode()
    section = html[html.index('id="act-status"') : html.index('id="act-assign"')]
    assert " open>" in section[:80]
    assert "The report is acknowledged." in section
    assert 'name="acknowledge"' not in html  # done: the quick button is gone


def test_closing_needs_a_reason(counselor, report):
    response = counselor.post(case_url(report, "close"), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please choose why the case is closed." in html
    assert 'id="act-close" class="action" open' in html
    report.refresh_from_db()
    assert report.status == Status.NEW and report.closing_reason == ""
    # A forged reason, and closing through the status form, are refused.
    assert counselor.post(case_url(report, "close"), {"closing_reason": "because"}).status_code == 400
    assert counselor.post(case_url(report, "status"), {"status": "closed"}).status_code == 400
    report.refresh_from_db()
    assert report.status == Status.NEW
    with pytest.raises(services.CaseError):
        cases.report_change_status(report=report, to_status=Status.CLOSED, actor=None)

    response = counselor.post(case_url(report, "close"), {"closing_reason": ClosingReason.DUPLICATE})
    assert response["Location"] == case_url(report) + "#act-close"
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.closing_reason == ClosingReason.DUPLICATE
    audit = AuditEvent.objects.filter(report_id=report.pk, action="status").latest("id")
    assert audit.detail == "new>closed:duplicate"
    html = counselor.get(case_url(report)).content.decode()
    assert "Same as another report" in html
    # Reopening forgets the reason.
    counselor.post(case_url(report, "status"), {"status": "reopened"})
    report.refresh_from_db()
    assert report.status == Status.REOPENED and report.closing_reason == ""


def test_a_referral_marks_the_case_referred(counselor, report):
    today = timezone.localdate().isoformat()
    response = counselor.post(
        case_url(report, "referral"), {"agency": "police", "referred_on": today, "referral_note": ""}
    )
    assert response["Location"] == case_url(report) + "#act-referral"
    report.refresh_from_db()
    assert report.status == Status.REFERRED
    assert report.acknowledged_at is not None
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds[-2:] == [CaseEvent.Kind.REFERRAL, CaseEvent.Kind.STATUS]
    html = counselor.get(response["Location"]).content.decode()
    assert "the case is now marked referred" in html
    # A second referral keeps it referred (no second status change).
    counselor.post(case_url(report, "referral"), {"agency": "kcsc", "referred_on": today, "referral_note": ""})
    assert report.events.filter(kind=CaseEvent.Kind.STATUS).count() == 1


def test_a_bad_referral_date_changes_nothing(counselor, report):
    response = counselor.post(
        case_url(report, "referral"), {"agency": "police", "referred_on": "2026-02-31", "referral_note": ""}
    )
    assert response.status_code == 200
    assert "Please enter a date such as 2026-03-14." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.NEW and not report.referrals.exists()


# --- reply templates -----------------------------------------------------------------------


def test_counselors_keep_the_schools_templates(counselor, cast):
    tools = f"/en/counsel/school/{cast.school.code}/"
    response = counselor.post(tools + "templates/new/", {"title": "첫 답장", "body": "알려 줘서 고마워요."})
    assert response.status_code == 302
    template = ReplyTemplate.objects.get(school=cast.school)
    assert template.updated_by == cast.counselor
    # The same title twice: a message, nothing stored.
    response = counselor.post(tools + "templates/new/", {"title": "첫 답장", "body": "다른 글"})
    assert response.status_code == 200
    assert "The school already has a template with this title." in response.content.decode()
    assert ReplyTemplate.objects.count() == 1
    counselor.post(tools + f"templates/{template.pk}/", {"title": "첫 답장", "body": "바꾼 글"})
    template.refresh_from_db()
    assert template.body == "바꾼 글"
    assert "첫 답장" in counselor.get(tools + "tools/").content.decode()
    counselor.post(tools + f"templates/{template.pk}/delete/")
    assert not ReplyTemplate.objects.exists()


def test_another_schools_counselor_cannot_touch_them(client, cast):
    template = ReplyTemplate.objects.create(school=cast.school, title="t", body="b", updated_at=timezone.now())
    mfa_login(client, cast.other_counselor)
    tools = f"/en/counsel/school/{cast.school.code}/"
    assert client.get(tools + "tools/").status_code == 403
    assert client.post(tools + f"templates/{template.pk}/delete/").status_code == 403
    assert ReplyTemplate.objects.filter(pk=template.pk).exists()


def test_a_template_is_inserted_without_javascript_and_nothing_is_sent(counselor, cast, report):
    template = ReplyTemplate.objects.create(
        school=cast.school, title="처음", body="알려 줘서 고마워요. 혼자가 아니에요.", updated_at=timezone.now()
    )
    page = counselor.get(case_url(report)).content.decode()
    assert 'id="reply-templates"' in page  # the script's copy of the texts
    response = counselor.post(
        case_url(report, "message"), {"template": str(template.pk), "insert": "1", "body": "안녕하세요."}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "안녕하세요.\n\n알려 줘서 고마워요. 혼자가 아니에요.</textarea>" in html
    assert not CaseMessage.objects.exists()
    # A template of another school (or none at all) is a forged value.
    other = ReplyTemplate.objects.create(school=cast.other_school, title="x", body="y", updated_at=timezone.now())
    bad = counselor.post(case_url(report, "message"), {"template": str(other.pk), "insert": "1", "body": ""})
    assert bad.status_code == 400


# --- tags and the inbox's filters -----------------------------------------------------------


def test_tags_are_put_on_cases_and_filter_the_inbox(counselor, cast, report):
    counselor.post(f"/en/counsel/school/{cast.school.code}/tags/new/", {"name": "단톡방"})
    tag = CaseTag.objects.get(school=cast.school)
    assert counselor.post(f"/en/counsel/school/{cast.school.code}/tags/new/", {"name": "단톡방"}).status_code == 400
    other, _ = make_report(cast.school)
    response = counselor.post(case_url(report, "tags"), {"tags": [str(tag.pk)]})
    assert response["Location"] == case_url(report) + "#act-tags"
    assert list(report.tags.all()) == [tag]
    assert AuditEvent.objects.filter(report_id=report.pk, action=AuditEvent.Action.TAG).count() == 1
    html = counselor.get("/en/counsel/", {"tag": str(tag.pk)}).content.decode()
    assert f'href="/en/counsel/reports/{report.pk}/"' in html
    assert f'href="/en/counsel/reports/{other.pk}/"' not in html
    # Another school's tag is not offered, so it is refused, and changes nothing.
    foreign = CaseTag.objects.create(school=cast.other_school, name="x")
    assert counselor.post(case_url(report, "tags"), {"tags": [str(foreign.pk)]}).status_code == 400
    assert counselor.get("/en/counsel/", {"tag": str(foreign.pk)}).status_code == 400
    assert list(report.tags.all()) == [tag]
    # Taking every tag off.
    counselor.post(case_url(report, "tags"), {})
    assert not report.tags.exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"received_from": "2026-13-45"}, "Please enter a date such as 2026-03-14."),
        ({"received_to": "yesterday"}, "Please enter a date such as 2026-03-14."),
        ({"received_from": "1999-01-01"}, "Please choose a date between 2020-01-01 and today."),
        ({"received_to": "2999-01-01"}, "Please choose a date between 2020-01-01 and today."),
        ({"received_from": "2026-03-10", "received_to": "2026-03-01"}, "This date is before the first date."),
    ],
)
def test_bad_dates_get_a_clear_message(counselor, cast, report, params, message):
    response = counselor.get("/en/counsel/", params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="error-summary"' in html
    assert f'href="/en/counsel/reports/{report.pk}/"' not in html


def test_a_date_range_keeps_its_days(counselor, cast):
    now = timezone.now()
    old, _ = make_report(cast.school, now=now - timedelta(days=10))
    recent, _ = make_report(cast.school, now=now - timedelta(days=1))
    day = timezone.localdate(recent.created_at).isoformat()
    html = counselor.get("/en/counsel/", {"received_from": day, "received_to": day}).content.decode()
    assert f'href="/en/counsel/reports/{recent.pk}/"' in html
    assert f'href="/en/counsel/reports/{old.pk}/"' not in html


def _tagged_reports(cast, tags, count):
    for n in range(count):
        report, _ = make_report(cast.school, category="threat")
        report.tags.add(*tags[: 1 + n % len(tags)])


def test_inbox_queries_do_not_grow_with_tagged_cases(counselor, cast, django_assert_max_num_queries):
    tags = [CaseTag.objects.create(school=cast.school, name=f"tag {n}") for n in range(3)]
    params = {"tag": str(tags[0].pk), "category": "threat", "received_from": "2020-01-01", "status": "all"}
    _tagged_reports(cast, tags, 3)
    counselor.get("/en/counsel/", params)
    with django_assert_max_num_queries(10) as small:
        assert counselor.get("/en/counsel/", params).status_code == 200
    _tagged_reports(cast, tags, 30)
    with django_assert_max_num_queries(10) as large:
        response = counselor.get("/en/counsel/", params)
    assert response.status_code == 200
    assert response.content.decode().count('class="tag"') >= 25
    assert len(small.captured_queries) == len(large.captured_queries)


# --- statistics and escalation ------------------------------------------------------------


def test_closing_reasons_are_counted_in_the_statistics(cast):
    for _ in range(6):
        report, _ = make_report(cast.school)
        cases.report_change_status(
            report=report, to_status=Status.CLOSED, closing_reason=ClosingReason.SUPPORTED, actor=None
        )
    stats = selectors.report_statistics(selectors.school_statistics_reports(cast.school))
    with translation.override("en"):
        cells = {str(cell.label): cell for cell in stats["closing_reasons"]}
    assert cells["Handled at school: support given"].count == 6
    assert not cells["Handled at school: support given"].suppressed
    assert cells["Another reason"].suppressed


def test_the_schools_admin_sees_closing_reasons(client, cast):
    mfa_login(client, cast.school_admin)
    html = client.get(f"/en/school/{cast.school.code}/reports/stats/").content.decode()
    assert "Closed cases by closing reason" in html


def test_an_urgent_escalation_names_the_school(cast, django_capture_on_commit_callbacks, settings):
    settings.LANGUAGE_CODE = "en"
    officer = UserFactory(username="district-officer", preferred_language="en")
    cast.school.district.safety_officers.add(officer)
    second = UserFactory(username="second-counselor", preferred_language="en")
    MembershipFactory(user=second, school=cast.school, role="counselor")
    make_report(cast.school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(hours=2))
    # A late urgent report of another school of the same district: its own email.
    cast.other_school.district = cast.school.district
    cast.other_school.save()
    make_report(cast.other_school, urgency=Urgency.URGENT, now=timezone.now() - timedelta(hours=2))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue_reports() == 2
    to_officer = [m for m in mail.outbox if m.to == [officer.email]]
    assert len(to_officer) == 2
    subjects = sorted(m.subject for m in to_officer)
    assert subjects == sorted(
        f"Urgent: A report at {name} is waiting longer than its response target"
        for name in (cast.school.name, cast.other_school.name)
    )
    for message in to_officer:
        assert "School: " in message.body
    assert IncidentReport.objects.filter(escalated_at__isnull=False).count() == 2


def test_template_and_tag_text_is_escaped_everywhere(counselor, cast, report):
    hostile = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>'
    ReplyTemplate.objects.create(school=cast.school, title=hostile[:80], body=hostile, updated_at=timezone.now())
    tag = CaseTag.objects.create(school=cast.school, name=hostile[:40])
    report.tags.add(tag)
    for url in (case_url(report), "/en/counsel/", f"/en/counsel/school/{cast.school.code}/tools/"):
        html = counselor.get(url).content.decode()
        assert "<script>alert(1)" not in html, url
        assert "<img src=x" not in html, url
