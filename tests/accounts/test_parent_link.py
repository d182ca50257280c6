"""Linking a child with the guardian code from the login card (or the link a
teacher sends), the limits on wrong codes, and unlinking from either side."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import GuardianCode, GuardianConsent, GuardianLink
from tests.conftest import mfa_login
from tests.factories import StudentFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = "/family/link/"
WRONG_CODE_MESSAGES = ("This code does not work", "이 코드는 사용할 수 없어요")


def is_wrong_code_answer(response) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and any(text in html for text in WRONG_CODE_MESSAGES)


@pytest.fixture
def child(cast):
    """A second child of the cast's school, not linked to anyone yet."""
    from schools.models import Role
    from tests.factories import EnrollmentFactory, MembershipFactory

    student = StudentFactory(display_name="둘째")
    MembershipFactory(user=student, school=cast.school, role=Role.STUDENT)
    EnrollmentFactory(classroom=cast.classroom, student=student)
    return student


# --- Linking -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", "  {nodash}  ", "{fullwidth}"])
def test_a_parent_links_with_the_code_however_it_is_typed(client, cast, child, typed):
    code = GuardianCode.issue(child)
    text = typed.format(
        code=code,
        lower=code.lower(),
        spaced=code.replace("-", " "),
        nodash=code.replace("-", "").lower(),
        fullwidth="".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in code),  # ＡＢＣＤ-...
    )
    client.force_login(cast.unlinked_parent)
    response = client.post(LINK, {"code": text})
    assert response.status_code == 302
    assert GuardianLink.objects.filter(guardian=cast.unlinked_parent, student=child).exists()
    row = GuardianCode.objects.get(student=child)
    assert row.used_at is not None and row.used_by == cast.unlinked_parent


def test_after_linking_a_child_under_the_consent_age_the_parent_is_asked_for_consent(client, cast, child):
    code = GuardianCode.issue(child)
    client.force_login(cast.unlinked_parent)
    response = client.post(LINK, {"code": code})
    assert response["Location"] == f"/family/children/{child.pk}/consent/"


def test_after_linking_a_child_old_enough_the_parent_sees_the_family_page(client, cast, child):
    child.birth_year = timezone.localdate().year - 16
    child.save()
    client.force_login(cast.unlinked_parent)
    response = client.post(LINK, {"code": GuardianCode.issue(child)}, follow=True)
    assert response.redirect_chain[-1][0] == "/family/"
    assert "둘째" in response.content.decode()


def test_the_teachers_link_fills_the_code_in(client, cast, child):
    code = GuardianCode.issue(child)
    client.force_login(cast.unlinked_parent)
    html = client.get(f"{LINK}?code={code}").content.decode()
    assert f'value="{code}"' in html
    assert not GuardianLink.objects.filter(student=child, guardian=cast.unlinked_parent).exists()


def test_the_teachers_link_survives_the_login(client, cast, child):
    code = GuardianCode.issue(child)
    response = client.get(f"{LINK}?code={code}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "code%3D" in response["Location"] or "code=" in response["Location"]


def test_several_children_per_parent_and_several_guardians_per_child(client, cast, child):
    second_parent = UserFactory(is_parent=True)
    client.force_login(cast.parent)
    client.post(LINK, {"code": GuardianCode.issue(child)})
    client.force_login(second_parent)
    client.post(LINK, {"code": GuardianCode.issue(child)})
    assert set(GuardianLink.objects.filter(guardian=cast.parent).values_list("student", flat=True)) == {
        cast.student.pk,
        child.pk,
    }
    assert GuardianLink.objects.filter(student=child).count() == 2


@pytest.mark.parametrize("kind", ["wrong", "used", "expired", "replaced", "malformed"])
def test_a_wrong_used_or_expired_code_gets_one_clear_message_and_changes_nothing(client, cast, child, kind):
    code = GuardianCode.issue(child)
    if kind == "wrong":
        code = "ABCD-EFGH-JKLM" if code != "ABCD-EFGH-JKLM" else "MLKJ-HGFE-DCBA"
    elif kind == "used":
        GuardianCode.objects.filter(student=child).update(used_at=timezone.now(), used_by=cast.parent)
    elif kind == "expired":
        GuardianCode.objects.filter(student=child).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif kind == "replaced":
        GuardianCode.issue(child)  # a new card makes the old code stop working
    else:
        code = code[:9]
    links_before = GuardianLink.objects.count()
    client.force_login(cast.unlinked_parent)
    response = client.post(LINK, {"code": code})
    assert is_wrong_code_answer(response)
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'id="id_code_error"' in html
    assert f'value="{code}"' in html, "the form keeps what was typed"
    assert GuardianLink.objects.count() == links_before
    assert not GuardianLink.objects.filter(guardian=cast.unlinked_parent).exists()


def test_the_three_failures_read_the_same(client, cast, child):
    client.force_login(cast.unlinked_parent)
    wrong = client.post(LINK, {"code": "ABCD-EFGH-JKLM"}).content.decode()
    code = GuardianCode.issue(child)
    GuardianCode.objects.filter(student=child).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(LINK, {"code": code}).content.decode()

    def error(html):
        return html.split('id="id_code_error"', 1)[1].split("</div>", 1)[0]

    assert error(wrong) == error(expired)


def test_an_empty_code_asks_for_one_and_is_not_counted(client, cast, child):
    client.force_login(cast.unlinked_parent)
    for _ in range(15):
        response = client.post(LINK, {"code": "  "})
        assert response.status_code == 200
    assert client.post(LINK, {"code": GuardianCode.issue(child)}).status_code == 302


def test_the_eleventh_wrong_code_in_an_hour_is_refused_even_when_right(client, cast, child):
    client.force_login(cast.unlinked_parent)
    for n in range(10):
        assert is_wrong_code_answer(client.post(LINK, {"code": f"ABCD-EFGH-JK{n:02d}"}))
    right = GuardianCode.issue(child)
    response = client.post(LINK, {"code": right})
    assert response.status_code == 200
    assert "Too many codes" in response.content.decode() or "너무 많이" in response.content.decode()
    assert not GuardianLink.objects.filter(guardian=cast.unlinked_parent).exists()
    assert GuardianCode.objects.get(student=child).used_at is None, "the refused code is not used up"


def test_one_parents_wrong_codes_do_not_block_another_parent(client, cast, child):
    client.force_login(cast.unlinked_parent)
    for n in range(10):
        client.post(LINK, {"code": f"ABCD-EFGH-JK{n:02d}"})
    client.force_login(cast.parent)
    assert client.post(LINK, {"code": GuardianCode.issue(child)}).status_code == 302


def test_the_limit_per_address_is_generous_but_exists(client, cast, child):
    from accounts import ratelimit

    parents = [UserFactory(is_parent=True) for _ in range(11)]
    for parent in parents[:10]:
        client.force_login(parent)
        for n in range(ratelimit.WRONG_CODES_PER_ADDRESS // 10):
            client.post(LINK, {"code": f"ABCD-EFGH-JK{n:02d}"})
    client.force_login(parents[10])
    response = client.post(LINK, {"code": GuardianCode.issue(child)})
    assert response.status_code == 200
    assert not GuardianLink.objects.filter(guardian=parents[10]).exists()


def test_the_limit_lasts_an_hour(client, cast, child):
    from django.core.cache import cache

    client.force_login(cast.unlinked_parent)
    for n in range(10):
        client.post(LINK, {"code": f"ABCD-EFGH-JK{n:02d}"})
    cache.clear()  # what the cache does by itself when the hour is over
    assert client.post(LINK, {"code": GuardianCode.issue(child)}).status_code == 302


# --- Who may link ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(LINK)["Location"].startswith("/accounts/login/")
    assert client.post(LINK, {"code": "ABCD-EFGH-JKLM"})["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["student", "teacher", "counselor"])
def test_other_roles_cannot_link(client, cast, child, who):
    user = getattr(cast, who)
    mfa_login(client, user) if who == "counselor" else client.force_login(user)
    assert client.get(LINK).status_code == 403
    assert client.post(LINK, {"code": GuardianCode.issue(child)}).status_code == 403
    assert not GuardianLink.objects.filter(student=child).exists()


# --- Unlinking --------------------------------------------------------------------------


def test_a_parent_unlinks_a_child_after_confirming(client, cast):
    GuardianConsent.objects.filter(student=cast.student).delete()
    GuardianConsent.objects.create(
        student=cast.student, guardian=cast.parent, recorded_by=cast.parent, method="online", decision="given"
    )
    client.force_login(cast.parent)
    url = f"/family/children/{cast.student.pk}/unlink/"
    assert client.get(url).status_code == 200
    assert GuardianLink.objects.filter(guardian=cast.parent, student=cast.student).exists()
    response = client.post(url)
    assert response["Location"] == "/family/"
    assert not GuardianLink.objects.filter(guardian=cast.parent, student=cast.student).exists()
    consent = GuardianConsent.objects.get(student=cast.student, guardian=cast.parent)
    assert consent.ended_at is not None, "online consent ends with the link"


def test_unlinking_keeps_a_paper_consent(client, cast):
    GuardianConsent.objects.create(student=cast.student, recorded_by=cast.teacher, method="paper", decision="given")
    client.force_login(cast.parent)
    client.post(f"/family/children/{cast.student.pk}/unlink/")
    assert GuardianConsent.objects.get(student=cast.student, method="paper").ended_at is None


@pytest.mark.parametrize("action", ["unlink", "consent"])
def test_a_parent_never_reaches_another_child_by_changing_the_id(client, cast, action):
    client.force_login(cast.unlinked_parent)
    url = f"/family/children/{cast.student.pk}/{action}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "given", "is_guardian": "on"}).status_code == 404
    assert GuardianLink.objects.filter(student=cast.student).count() == 1
    assert not GuardianConsent.objects.filter(guardian=cast.unlinked_parent).exists()
    client.force_login(cast.parent)
    assert client.get(f"/family/children/{cast.other_student.pk}/{action}/").status_code == 404
    assert client.get(f"/family/children/999999/{action}/").status_code == 404


def test_unlink_from_the_student_side(client, cast):
    link = GuardianLink.objects.get(guardian=cast.parent, student=cast.student)
    client.force_login(cast.student)
    url = f"/my/guardians/{link.pk}/remove/"
    page = client.get(url)
    assert page.status_code == 200
    assert cast.parent.display_name in page.content.decode()
    response = client.post(url)
    assert response["Location"] == "/my/"
    assert not GuardianLink.objects.filter(pk=link.pk).exists()


def test_a_student_cannot_remove_another_students_guardian(client, cast):
    link = GuardianLink.objects.get(guardian=cast.parent, student=cast.student)
    client.force_login(cast.other_student)
    assert client.get(f"/my/guardians/{link.pk}/remove/").status_code == 404
    assert client.post(f"/my/guardians/{link.pk}/remove/").status_code == 404
    assert GuardianLink.objects.filter(pk=link.pk).exists()


@pytest.mark.parametrize("who", ["parent", "teacher"])
def test_only_students_use_the_student_side(client, cast, who):
    link = GuardianLink.objects.get(guardian=cast.parent, student=cast.student)
    client.force_login(getattr(cast, who))
    assert client.post(f"/my/guardians/{link.pk}/remove/").status_code == 403
    assert client.get(f"/my/guardians/{link.pk}/remove/").status_code == 403
    assert GuardianLink.objects.filter(pk=link.pk).exists()


def test_student_side_anonymous_is_sent_to_log_in(client, cast):
    link = GuardianLink.objects.get(guardian=cast.parent, student=cast.student)
    assert client.get(f"/my/guardians/{link.pk}/remove/")["Location"].startswith("/accounts/login/")


def test_the_student_sees_who_can_view_their_progress(cast):
    from django.template.loader import render_to_string

    from accounts.selectors import guardian_links_of
    from curriculum.permissions import records_progress

    def guardians_for_student(student):  # what classroom's student_home puts in its context
        return {"guardian_links": guardian_links_of(student), "results_stored": records_progress(student)}

    GuardianConsent.objects.filter(student=cast.student).delete()
    context = guardians_for_student(cast.student)
    assert [link["guardian"]["get_short_name"] for link in context["guardian_links"]] == [cast.parent.get_short_name()]
    assert context["results_stored"] is False
    html = render_to_string("accounts/includes/my_guardians.html", context)
    assert cast.parent.display_name in html
    assert f'href="/my/guardians/{context["guardian_links"][0]["pk"]}/remove/"' in html
    lonely = render_to_string("accounts/includes/my_guardians.html", guardians_for_student(cast.other_student))
    assert cast.parent.display_name not in lonely


# --- Signup ---------------------------------------------------------------------------


def test_a_new_parent_signs_up_verifies_and_lands_on_the_family_page_with_a_call_to_link(client, db):
    from allauth.account.models import EmailAddress

    response = client.post(
        "/accounts/signup/",
        {
            "email": "new.parent@example.org",
            "display_name": "새 부모",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/family/").status_code == 302, "not before the address is verified"
    path = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[-1].body).group(0)
    response = client.post(path)
    assert EmailAddress.objects.get(email="new.parent@example.org").verified
    assert response.status_code == 302
    landing = client.get(response["Location"], follow=True)
    assert landing.redirect_chain[-1][0] == "/family/"
    html = landing.content.decode()
    assert 'class="card link-cta"' in html and 'href="/family/link/"' in html


def test_english_signup_sets_the_language_of_the_emails(client, db):
    from accounts.models import User

    client.post(
        "/en/accounts/signup/",
        {
            "email": "english.parent@example.org",
            "display_name": "Parent",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert User.objects.get(email="english.parent@example.org").preferred_language == "en"
    assert mail.outbox[-1].subject.startswith("[Safe Together] ")
    assert mail.outbox[-1].body.startswith("Hello from Safe Together.")


def test_the_students_guardian_list_is_fresh_after_linking_and_unlinking(cast):
    from accounts.models import GuardianLink
    from accounts.selectors import guardian_links_of

    assert len(guardian_links_of(cast.student)) == 1
    link = GuardianLink.objects.create(guardian=cast.unlinked_parent, student=cast.student)
    assert len(guardian_links_of(cast.student)) == 2
    link.delete()
    assert len(guardian_links_of(cast.student)) == 1
