"""Sealed reports for readers who sign in with a school account (OpenID
Connect, the real stand-in provider of tests/support): no password is typed,
so the unlock page asks for a reading passphrase (chosen the first time) or
for the account password that wraps an older key.

The provider process and the HOME office's provider are the fixtures of
tests/accounts/test_oidc_signin.py, imported here (hence F811: pytest passes
them by name)."""

# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from incidents import keyring, keys, sealing
from incidents.models import AuditEvent, PersonKey, ReportSeal, SealedReportKey
from incidents.ratelimit import KEY_UNLOCK_FAILURES
from schools.models import Role
from tests.accounts.test_oidc_signin import idp, offices, sign_in  # noqa: F401
from tests.conftest import give_keys, give_totp, totp_code
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import make_report

PASSPHRASE = "purple rain over the school field"  # noqa: S105 - a test reading passphrase
UNLOCK = "/counsel/keys/unlock/"


@pytest.fixture
def office(offices):
    """The school-account fixtures of tests/accounts (a real provider process
    and the HOME office's provider), and the counselor's authenticator."""
    offices.totp = give_totp(offices.counselor)
    return offices


def school_account_sign_in(client, idp, cast):
    """The provider's sign-in, then the second factor; returns where the platform sends them."""
    # A code is good once per period: let this sign-in's code be new (allauth
    # marks used codes in the cache), as it would be on another day.
    cache.delete(f"allauth.mfa.totp.used?user={cast.counselor.pk}&code={totp_code(cast.totp)}")
    answer = sign_in(client, idp, "district-home", "counselor")
    assert answer.status_code == 302 and reverse("mfa_authenticate") in answer["Location"]
    answer = client.post(reverse("mfa_authenticate"), {"code": totp_code(cast.totp)})
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.counselor.pk)
    return answer["Location"]


def without_password(user):
    """A counselor who only ever signs in with the school account."""
    PersonKey.objects.filter(user=user).delete()
    user.set_unusable_password()
    user.save()


def case_page(client, report) -> str:
    answer = client.get(f"/counsel/reports/{report.pk}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_school_account_reader_sets_a_passphrase_reads_and_unlocks_again_next_time(client, office, idp):
    cast = office
    without_password(cast.counselor)
    report, _ = make_report(cast.school, details="told only to the counselor")
    assert ReportSeal.objects.get(report=report).escrow  # nobody had a key yet

    assert school_account_sign_in(client, idp, cast).startswith(UNLOCK)
    page = case_page(client, report)
    assert "told only to the counselor" not in page and UNLOCK in page  # the prompt, never an error
    assert UNLOCK in client.get("/counsel/").content.decode()
    form = client.get(UNLOCK).content.decode()
    assert "키 암호" in form  # the reading passphrase, in Korean by default

    # Two different passphrases, then a short one: said next to the field, nothing made.
    answer = client.post(UNLOCK, {"passphrase": PASSPHRASE, "confirm": PASSPHRASE + "!"})
    assert answer.status_code == 400 and "같지 않습니다" in answer.content.decode()
    answer = client.post("/en" + UNLOCK, {"passphrase": "short", "confirm": "short"})
    assert answer.status_code == 400 and "at least 12 characters" in answer.content.decode()
    assert not PersonKey.objects.filter(user=cast.counselor).exists()

    answer = client.post(
        UNLOCK, {"passphrase": PASSPHRASE, "confirm": PASSPHRASE, "next": f"/counsel/reports/{report.pk}/"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/counsel/reports/{report.pk}/"
    pair = PersonKey.objects.get(user=cast.counselor)
    assert pair.wrapped_with == PersonKey.Secret.PASSPHRASE
    assert AuditEvent.objects.filter(action=AuditEvent.Action.KEY_MADE, actor=cast.counselor).count() == 1
    assert ReportSeal.objects.get(report=report).escrow == ""  # the escrow went to the new key
    assert "told only to the counselor" in case_page(client, report)

    client.post("/accounts/logout/")
    assert school_account_sign_in(client, idp, cast).startswith(UNLOCK)
    assert "told only to the counselor" not in case_page(client, report)
    form = client.get(UNLOCK).content.decode()
    assert "키 암호" in form and 'name="secret"' in form

    copies = SealedReportKey.objects.count()
    answer = client.post(UNLOCK, {"secret": "not my passphrase at all"})
    assert answer.status_code == 400 and "열리지 않습니다" in answer.content.decode()
    assert PersonKey.objects.get(user=cast.counselor).wrapped_private_key == pair.wrapped_private_key
    assert SealedReportKey.objects.count() == copies
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNLOCK_FAILED, actor=cast.counselor).count() == 1
    assert "told only to the counselor" not in case_page(client, report)

    answer = client.post(UNLOCK, {"secret": PASSPHRASE})
    assert answer.status_code == 302 and answer["Location"] == "/counsel/"
    assert "told only to the counselor" in case_page(client, report)
    assert PersonKey.objects.get(user=cast.counselor).public_key == pair.public_key


def test_a_password_key_opened_after_a_school_account_sign_in_asks_for_the_account_password(client, office, idp):
    cast = office
    report, _ = make_report(cast.school, details="sealed to the password key")
    before = PersonKey.objects.get(user=cast.counselor)
    school_account_sign_in(client, idp, cast)
    form = client.get("/en" + UNLOCK).content.decode()
    assert "account password" in form and 'name="secret"' in form and 'name="passphrase"' not in form
    assert client.post(UNLOCK, {"secret": "wrong-password"}).status_code == 400
    answer = client.post(UNLOCK, {"secret": PASSWORD})
    assert answer.status_code == 302
    assert "sealed to the password key" in case_page(client, report)
    after = PersonKey.objects.get(user=cast.counselor)
    assert (after.public_key, after.wrapped_private_key, after.wrapped_with) == (
        before.public_key,
        before.wrapped_private_key,
        PersonKey.Secret.PASSWORD,
    )


def test_a_password_sign_in_never_replaces_a_passphrase_key(client, cast):
    key = keys.person_key_replace(user=cast.counselor, password=PASSPHRASE, kind=PersonKey.Secret.PASSPHRASE)
    report, _ = make_report(cast.school, details="only the passphrase opens this")
    give_totp(cast.counselor)
    answer = client.post("/accounts/login/", {"login": cast.counselor.email, "password": PASSWORD})
    assert answer.status_code == 302
    assert PersonKey.objects.get(user=cast.counselor).public_key == keyring.Keyring(cast.counselor.pk, key).public
    assert keyring.SESSION_KEY not in client.session
    assert SealedReportKey.objects.filter(holder=cast.counselor, report=report).exists()


def test_wrong_tries_are_limited_and_then_even_the_right_one_waits(client, cast):
    keys.person_key_replace(user=cast.counselor, password=PASSPHRASE, kind=PersonKey.Secret.PASSPHRASE)
    give_totp(cast.counselor)
    client.force_login(cast.counselor)
    for _ in range(KEY_UNLOCK_FAILURES.limit):
        assert client.post(UNLOCK, {"secret": "a wrong guess here"}).status_code == 400
    answer = client.post("/en" + UNLOCK, {"secret": PASSPHRASE})
    assert answer.status_code == 400 and "Too many wrong tries" in answer.content.decode()
    assert keyring.SESSION_KEY not in client.session
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.UNLOCK_FAILED, actor=cast.counselor).count()
    assert failed == KEY_UNLOCK_FAILURES.limit  # the refused try was not even tried


def test_changing_the_passphrase_rewraps_the_same_key(client, cast):
    key = keys.person_key_replace(user=cast.counselor, password=PASSPHRASE, kind=PersonKey.Secret.PASSPHRASE)
    give_totp(cast.counselor)
    client.force_login(cast.counselor)
    assert client.post(UNLOCK, {"secret": PASSPHRASE}).status_code == 302
    new = "a brand new reading passphrase"
    answer = client.post(UNLOCK, {"current": "not the current one", "passphrase": new, "confirm": new})
    assert answer.status_code == 400
    assert keys.person_key_open(user=cast.counselor, secret=PASSPHRASE).public_key == key.public_key
    answer = client.post(UNLOCK, {"current": PASSPHRASE, "passphrase": new, "confirm": new})
    assert answer.status_code == 302
    row = PersonKey.objects.get(user=cast.counselor)
    assert keys.person_key_unwrap(row, new).public_key == key.public_key
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSPHRASE, actor=cast.counselor).count() == 1
    with pytest.raises(sealing.SealingError):  # the old one opens nothing any more
        keys.person_key_unwrap(row, PASSPHRASE)


def test_people_who_read_no_reports_cannot_open_the_unlock_page(client, cast):
    give_totp(cast.teacher)
    client.force_login(cast.teacher)
    assert client.get(UNLOCK).status_code == 403
    assert client.post(UNLOCK, {"passphrase": PASSPHRASE, "confirm": PASSPHRASE}).status_code == 403
    assert not PersonKey.objects.filter(user=cast.teacher).exists()


def test_a_forgotten_passphrase_starts_over_with_a_new_key_and_no_copies(client, cast):
    keys.person_key_replace(user=cast.counselor, password=PASSPHRASE, kind=PersonKey.Secret.PASSPHRASE)
    report, _ = make_report(cast.school, details="sealed to the forgotten passphrase")
    old = PersonKey.objects.get(user=cast.counselor).public_key
    give_totp(cast.counselor)
    client.force_login(cast.counselor)
    new = "a fresh start reading passphrase"
    answer = client.post("/en" + UNLOCK, {"action": "start-over", "new-passphrase": new, "new-confirm": new})
    assert answer.status_code == 400 and "Tick the box" in answer.content.decode()
    assert PersonKey.objects.get(user=cast.counselor).public_key == old
    assert SealedReportKey.objects.filter(holder=cast.counselor, report=report).exists()

    answer = client.post(
        UNLOCK, {"action": "start-over", "new-passphrase": new, "new-confirm": new, "new-understood": "on"}
    )
    assert answer.status_code == 302
    row = PersonKey.objects.get(user=cast.counselor)
    assert row.public_key != old and row.wrapped_with == PersonKey.Secret.PASSPHRASE
    assert not SealedReportKey.objects.filter(holder=cast.counselor).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.KEY_REPLACED, actor=cast.counselor).exists()
    assert sealing.public_text(keys.person_key_open(user=cast.counselor, secret=new)) == row.public_key


def test_a_password_change_leaves_a_passphrase_key_as_it_is(client, cast):
    keys.person_key_replace(user=cast.counselor, password=PASSPHRASE, kind=PersonKey.Secret.PASSPHRASE)
    before = PersonKey.objects.get(user=cast.counselor)
    replaced = AuditEvent.objects.filter(action=AuditEvent.Action.KEY_REPLACED).count()
    give_totp(cast.counselor)
    client.force_login(cast.counselor)
    new = "a-new-long-password-42"
    answer = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert answer.status_code == 302
    after = PersonKey.objects.get(user=cast.counselor)
    assert (after.public_key, after.wrapped_private_key, after.wrapped_with) == (
        before.public_key,
        before.wrapped_private_key,
        PersonKey.Secret.PASSPHRASE,
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.KEY_REPLACED).count() == replaced


def test_granting_from_a_locked_session_goes_to_the_unlock_page_first(client, cast):
    newcomer = UserFactory(username="newcomer")
    MembershipFactory(user=newcomer, school=cast.school, role=Role.COUNSELOR)
    give_keys(newcomer)
    give_totp(cast.counselor)
    client.force_login(cast.counselor)
    session = client.session
    session.pop(keyring.SESSION_KEY, None)  # signed in with the school account: nothing unlocked
    session.save()
    answer = client.post("/counsel/keys/grant/", {"person": newcomer.pk})
    assert answer.status_code == 302 and answer["Location"] == f"{UNLOCK}?next=%2Fcounsel%2Fkeys%2F"
    assert not SealedReportKey.objects.filter(holder=newcomer).exists()
