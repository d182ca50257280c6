"""Insiders (issue 16): granting the counselor role, which reads reports,
needs a second person. A school admin's counselor invitation waits until
another admin of the school or the district's safety officer approves it (not
the inviter); nobody can invite themselves; the school's counselors are told
(no report content) when a counselor invitation is approved."""

from django.core import mail

from accounts.models import Invitation
from accounts.services import InvitationError, invitation_accept, invitation_approve, invitation_create
from schools.models import Membership, Role
from tests.conftest import mfa_login
from tests.factories import MembershipFactory, UserFactory


def _second_admin(cast):
    user = UserFactory(username="second-admin")
    MembershipFactory(user=user, school=cast.school, role=Role.SCHOOL_ADMIN)
    return user


def _officer(cast):
    user = UserFactory(username="officer")
    cast.school.district.safety_officers.add(user)
    return user


def _invite_counselor(client, cast, capture, email="new.counselor@example.org"):
    mfa_login(client, cast.school_admin)
    with capture(execute=True):
        response = client.post(f"/school/{cast.school.code}/staff/", {"email": email, "role": "counselor"})
    client.logout()
    return response


def test_a_counselor_invitation_waits_for_a_second_person(client, cast, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    response = _invite_counselor(client, cast, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.counselor@example.org")
    assert invitation.waiting_for_approval and invitation.status == "waiting"
    assert mail.outbox == [], "nothing is sent before the approval"
    assert not Invitation.objects.usable().filter(pk=invitation.pk).exists()


def test_a_teacher_invitation_is_sent_at_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            school=cast.school, email="t@example.org", role=Role.TEACHER, invited_by=cast.school_admin, site_url=""
        )
    assert not invitation.waiting_for_approval
    assert [m.to for m in mail.outbox] == [["t@example.org"]]


def test_the_inviter_cannot_approve_their_own_invitation(client, cast, django_capture_on_commit_callbacks):
    _invite_counselor(client, cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="new.counselor@example.org")
    mfa_login(client, cast.school_admin)
    html = client.get(f"/school/{cast.school.code}/staff/").content.decode()
    assert f"/invitations/{invitation.pk}/approve/" not in html
    response = client.post(f"/school/{cast.school.code}/invitations/{invitation.pk}/approve/")
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.waiting_for_approval
    try:
        invitation_approve(invitation=invitation, approved_by=cast.school_admin, site_url="")
    except InvitationError:
        pass
    else:
        raise AssertionError("the inviter approved their own invitation")


def test_another_admin_approves_and_the_counselors_are_told(client, cast, django_capture_on_commit_callbacks):
    second = _second_admin(cast)
    _invite_counselor(client, cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="new.counselor@example.org")
    mail.outbox.clear()
    mfa_login(client, second)
    html = client.get(f"/school/{cast.school.code}/staff/").content.decode()
    assert f"/invitations/{invitation.pk}/approve/" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/school/{cast.school.code}/invitations/{invitation.pk}/approve/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert not invitation.waiting_for_approval and invitation.approved_by == second
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"new.counselor@example.org", cast.counselor.email}
    told = by_address[cast.counselor.email]
    assert "new.counselor@example.org" in told.body and "/invite/" not in told.body
    # The link sent on approval works.
    link = next(line for line in by_address["new.counselor@example.org"].body.splitlines() if "/invite/" in line)
    client.logout()
    token = link.rstrip("/").rsplit("/", 1)[1]
    user = invitation_accept(token=token, display_name="새 상담", password="a-long-pass-phrase")
    assert Membership.objects.filter(user=user, school=cast.school, role=Role.COUNSELOR).exists()


def test_the_district_officer_approves(client, cast, django_capture_on_commit_callbacks):
    officer = _officer(cast)
    _invite_counselor(client, cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="new.counselor@example.org")
    mfa_login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/school/{cast.school.code}/invitations/{invitation.pk}/approve/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.approved_by == officer


def test_an_admin_of_another_school_cannot_approve(client, cast, django_capture_on_commit_callbacks):
    stranger = UserFactory(username="stranger-admin")
    MembershipFactory(user=stranger, school=cast.other_school, role=Role.SCHOOL_ADMIN)
    _invite_counselor(client, cast, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(email="new.counselor@example.org")
    mfa_login(client, stranger)
    assert client.post(f"/school/{cast.school.code}/invitations/{invitation.pk}/approve/").status_code == 403


def test_nobody_invites_themselves(client, cast, django_capture_on_commit_callbacks):
    mfa_login(client, cast.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/school/{cast.school.code}/staff/", {"email": cast.school_admin.email.upper(), "role": "counselor"}
        )
    assert response.status_code == 200
    assert "자기 자신을 초대할 수 없어요" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []
