"""Insiders (issue 16): the safety-officer role reads the reports that involve
school staff, so granting it needs a second person (another safety officer of
the office) and the office's officers are told; nobody grants a role to
themselves. The officer's page lists the invitations of the district that
wait for a second person (counselors of its schools, safety officers of the
office), to approve or decline, with the trail of who decided."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SAFETY_OFFICER, Invitation, InvitationEvent
from accounts.services import InvitationError, invitation_accept, invitation_approve, invitation_create
from schools.models import Role
from tests.conftest import mfa_login
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def office(cast):
    district = cast.school.district
    cast.officer = UserFactory(username="officer-a")
    cast.second_officer = UserFactory(username="officer-b")
    district.safety_officers.add(cast.officer, cast.second_officer)
    cast.stranger_officer = UserFactory(username="officer-elsewhere")
    cast.other_school.district.safety_officers.add(cast.stranger_officer)
    return district


def page_url(district) -> str:
    return f"/office/{district.code}/invitations/"


def propose(client, cast, district, email="new.officer@example.org", capture=None):
    mfa_login(client, cast.officer)
    response = client.post(page_url(district), {"email": email})
    client.logout()
    return response


def test_a_safety_officer_invitation_waits_for_another_officer(client, cast, office):
    mail.outbox.clear()
    response = propose(client, cast, office)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.officer@example.org")
    assert invitation.role == SAFETY_OFFICER and invitation.district == office and invitation.school is None
    assert invitation.waiting_for_approval and mail.outbox == []
    assert list(invitation.events.values_list("action", "actor")) == [("created", cast.officer.pk)]


def test_the_proposing_officer_cannot_approve_or_decline(client, cast, office):
    propose(client, cast, office)
    invitation = Invitation.objects.get(email="new.officer@example.org")
    mfa_login(client, cast.officer)
    html = client.get(page_url(office)).content.decode()
    assert f"/invitations/{invitation.pk}/approve/" not in html
    assert "직접 만든 초대예요" in html
    assert client.post(f"{page_url(office)}{invitation.pk}/approve/").status_code == 403
    assert client.post(f"{page_url(office)}{invitation.pk}/decline/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.waiting_for_approval and invitation.approved_by is None and invitation.declined_at is None
    with pytest.raises(InvitationError):
        invitation_approve(invitation=invitation, approved_by=cast.officer, site_url="")


def test_another_officer_approves_the_officers_are_told_and_the_link_grants_the_role(
    client, cast, office, django_capture_on_commit_callbacks
):
    propose(client, cast, office)
    invitation = Invitation.objects.get(email="new.officer@example.org")
    mail.outbox.clear()
    mfa_login(client, cast.second_officer)
    html = client.get(page_url(office)).content.decode()
    assert f"/invitations/{invitation.pk}/approve/" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{page_url(office)}{invitation.pk}/approve/")
    assert response.status_code == 302
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"new.officer@example.org", cast.officer.email, cast.second_officer.email}
    told = by_address[cast.officer.email]
    assert "new.officer@example.org" in told.body and "/invite/" not in told.body
    assert cast.stranger_officer.email not in by_address
    link = next(line for line in by_address["new.officer@example.org"].body.splitlines() if "/invite/" in line)
    token = link.rstrip("/").rsplit("/", 1)[1]
    user = invitation_accept(token=token, display_name="새 장학사", password="a-long-pass-phrase")
    assert office.safety_officers.filter(pk=user.pk).exists()
    assert list(invitation.events.order_by("id").values_list("action", flat=True)) == [
        "created",
        "approved",
        "accepted",
    ]


def test_nobody_proposes_themselves(client, cast, office):
    mfa_login(client, cast.officer)
    response = client.post(page_url(office), {"email": cast.officer.email.upper()})
    assert response.status_code == 400
    assert "자기 자신을 초대할 수 없어요" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_bad_address_is_refused_in_korean_and_changes_nothing(client, cast, office):
    mfa_login(client, cast.officer)
    response = client.post(page_url(office), {"email": "not an address"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "올바른 이메일 주소" in html
    assert not Invitation.objects.exists() and not InvitationEvent.objects.exists()


def test_the_invited_person_cannot_approve_their_own_invitation(cast, office):
    """An admin invites a colleague who is already an admin of the school as
    counselor: that colleague is a second admin, but not a second person."""
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, school=cast.school, role=Role.SCHOOL_ADMIN)
    invitation = invitation_create(
        school=cast.school, email=colleague.email, role=Role.COUNSELOR, invited_by=cast.school_admin, site_url=""
    )
    with pytest.raises(InvitationError):
        invitation_approve(invitation=invitation, approved_by=colleague, site_url="")
    invitation.refresh_from_db()
    assert invitation.waiting_for_approval


def _counselor_invitation(cast, email="waiting.counselor@example.org"):
    return invitation_create(
        school=cast.school, email=email, role=Role.COUNSELOR, invited_by=cast.school_admin, site_url=""
    )


def test_the_page_lists_the_districts_waiting_counselor_invitations_and_the_officer_declines(client, cast, office):
    invitation = _counselor_invitation(cast)
    elsewhere_admin = UserFactory(username="admin-elsewhere")
    MembershipFactory(user=elsewhere_admin, school=cast.other_school, role=Role.SCHOOL_ADMIN)
    elsewhere = invitation_create(
        school=cast.other_school, email="far@example.org", role=Role.COUNSELOR, invited_by=elsewhere_admin, site_url=""
    )
    mail.outbox.clear()
    mfa_login(client, cast.officer)
    html = client.get(page_url(office)).content.decode()
    assert "waiting.counselor@example.org" in html and cast.school.name in html
    assert "far@example.org" not in html
    # Another district's invitation cannot be decided from here.
    assert client.post(f"{page_url(office)}{elsewhere.pk}/decline/").status_code == 404
    response = client.post(f"{page_url(office)}{invitation.pk}/decline/", follow=True)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.declined_by == cast.officer and invitation.status == "revoked"
    assert not invitation.waiting_for_approval and mail.outbox == []
    html = response.content.decode()
    assert "거절했습니다" in html
    decisions = html.split("최근 결정", 1)[1]
    assert "waiting.counselor@example.org" in decisions and "거절함" in decisions and str(cast.officer) in decisions
    # Declined is final: approving it afterwards changes nothing.
    response = client.post(f"{page_url(office)}{invitation.pk}/approve/", follow=True)
    assert "승인을 기다리는 초대가 아니에요." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.approved_by is None and mail.outbox == []


def test_the_officer_approves_a_counselor_invitation_from_the_page(
    client, cast, office, django_capture_on_commit_callbacks
):
    invitation = _counselor_invitation(cast)
    mfa_login(client, cast.officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{page_url(office)}{invitation.pk}/approve/")
    invitation.refresh_from_db()
    assert invitation.approved_by == cast.officer
    assert {m.to[0] for m in mail.outbox} == {"waiting.counselor@example.org", cast.counselor.email}
    assert InvitationEvent.objects.filter(invitation=invitation, action="approved", actor=cast.officer).exists()


def test_the_office_view_links_to_the_page(client, cast, office):
    mfa_login(client, cast.officer)
    html = client.get(f"/office/{office.code}/").content.decode()
    assert f'href="{page_url(office)}"' in html


def test_the_page_costs_the_same_queries_with_more_invitations(client, cast, office):
    mfa_login(client, cast.officer)
    _counselor_invitation(cast, "one@example.org")
    client.get(page_url(office))
    with CaptureQueriesContext(connection) as few:
        client.get(page_url(office))
    for n in range(6):
        _counselor_invitation(cast, f"more{n}@example.org")
    invitation_create(
        district=office, email="x@example.org", role=SAFETY_OFFICER, invited_by=cast.second_officer, site_url=""
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(page_url(office))
    assert response.content.decode().count("/approve/") == 8
    assert len(many) == len(few)


def test_an_office_with_one_officer_gets_its_second_from_a_superuser_never_from_the_proposer(
    client, cast, django_capture_on_commit_callbacks
):
    district = cast.school.district
    lone = UserFactory(username="lone-officer")
    district.safety_officers.add(lone)
    invitation = invitation_create(
        district=district, email="second@example.org", role=SAFETY_OFFICER, invited_by=lone, site_url=""
    )
    action = {"action": "approve_invitations", "_selected_action": [invitation.pk]}
    operator = UserFactory(username="operator", is_superuser=True, is_staff=True)
    mfa_login(client, operator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/manage-site/accounts/invitation/", action).status_code == 302
    invitation.refresh_from_db()
    assert invitation.approved_by == operator and not invitation.waiting_for_approval
    assert {m.to[0] for m in mail.outbox} == {"second@example.org", lone.email}
    # Invitations are not made in the Django admin: only through the two-person services.
    assert client.get("/manage-site/accounts/invitation/add/").status_code == 403


def test_a_superuser_cannot_approve_their_own_proposal_in_the_admin(client, cast):
    operator = UserFactory(username="operator", is_superuser=True, is_staff=True)
    invitation = invitation_create(
        school=cast.school, email="mine@example.org", role=Role.COUNSELOR, invited_by=operator, site_url=""
    )
    mfa_login(client, operator)
    client.post(
        "/manage-site/accounts/invitation/", {"action": "approve_invitations", "_selected_action": [invitation.pk]}
    )
    invitation.refresh_from_db()
    assert invitation.waiting_for_approval and invitation.approved_by is None
