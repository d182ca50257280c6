"""Staff join by invitation: the link works once and expires."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_create
from schools.models import Membership, Role
from tests.conftest import mfa_login


def _invite(cast, capture, email="new.teacher@example.org", role=Role.TEACHER):
    with capture(execute=True):
        invitation_create(
            school=cast.school, email=email, role=role, invited_by=cast.school_admin, site_url="http://testserver"
        )
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invite/" in line)
    return Invitation.objects.get(email=email), link.replace("http://testserver", "")


FORM = {"display_name": "새 선생님", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}


def test_school_admin_sends_an_invitation_from_the_staff_page(client, cast, django_capture_on_commit_callbacks):
    mfa_login(client, cast.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/school/{cast.school.code}/staff/", {"email": "new.teacher@example.org", "role": "teacher"}
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="new.teacher@example.org", school=cast.school).count() == 1
    assert "/invite/" in mail.outbox[0].body


def test_bad_invitation_input_changes_nothing(client, cast):
    mfa_login(client, cast.school_admin)
    response = client.post(f"/school/{cast.school.code}/staff/", {"email": "nope", "role": "student"})
    assert response.status_code == 200
    assert Invitation.objects.count() == 0
    assert 'class="errorlist"' in response.content.decode()


def test_admin_cannot_invite_to_another_school(client, cast):
    mfa_login(client, cast.school_admin)
    response = client.post(f"/school/{cast.other_school.code}/staff/", {"email": "x@example.org", "role": "teacher"})
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_invitation_creates_the_account_and_role_once(client, cast, django_capture_on_commit_callbacks):
    invitation, link = _invite(cast, django_capture_on_commit_callbacks)
    response = client.post(link, FORM)
    assert response.status_code == 302
    user = User.objects.get(email="new.teacher@example.org")
    assert Membership.objects.filter(user=user, school=cast.school, role=Role.TEACHER).exists()
    client.logout()
    again = client.post(link, FORM)
    assert again.status_code == 410
    assert User.objects.filter(email="new.teacher@example.org").count() == 1


def test_expired_invitation_is_refused(client, cast, django_capture_on_commit_callbacks):
    invitation, link = _invite(cast, django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(link, FORM)
    assert response.status_code == 410
    assert "expired" in response.content.decode() or "만료" in response.content.decode()
    assert not User.objects.filter(email="new.teacher@example.org").exists()


def test_unknown_token_is_refused(client, db):
    assert client.get("/invite/not-a-real-token/").status_code == 410


def test_invitation_form_errors_keep_the_invitation_usable(client, cast, django_capture_on_commit_callbacks):
    invitation, link = _invite(cast, django_capture_on_commit_callbacks)
    response = client.post(link, {**FORM, "password2": "different-pass-phrase"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_token_is_not_stored_in_clear(cast, django_capture_on_commit_callbacks):
    invitation, link = _invite(cast, django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash
