"""Every URL of the platform against every role, with the expected answer in
one table. A URL of the project's own apps that is missing from the table
fails the test, so no new page escapes it. The CMS and Django's admin are in
the table too (through their entry pages).

Outcomes: ok (200), login (sent to the login page), deny (403), missing
(404), away (another redirect), gone (410), through (a POST let past the
permission checks: 200, 302, 303 or 400 from validation).
"""

from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import GuardianConsent
from classroom.models import Assignment, Notice, RosterImport
from curriculum.models import Certificate, LessonPage, ModulePage
from families.models import ConsentRosterImport
from incidents.models import CaseTag, ReplyTemplate
from tests.conftest import mfa_login

ROLES = [
    "anon",
    "student",
    "other_student",
    "teacher",
    "other_teacher",
    "parent",
    "unlinked_parent",
    "counselor",
    "other_counselor",
    "school_admin",
    "editor",
    "officer",
    "other_officer",
]
OUR_APPS = (
    "schools.",
    "accounts.",
    "curriculum.",
    "classroom.",
    "families.",
    "incidents.",
    "districts.",
    "edu_platform.",
    "live.",
)


def expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


def only(allowed: str, *roles, anon="login", others="deny", **extra):
    """`allowed` for the given roles, `others` for the rest."""
    table = {role: others for role in ROLES}
    table["anon"] = anon
    for role in roles:
        table[role] = allowed
    table.update(extra)
    return table


EVERYONE = expect("ok")
STUDENTS = dict(only("ok", "student", "other_student"))
TEACHERS = dict(only("ok", "teacher", "other_teacher"))
PARENTS = dict(only("ok", "parent", "unlinked_parent"))
COUNSELORS = dict(only("ok", "counselor", "other_counselor", "officer", "other_officer"))
OWN_OFFICE = dict(only("ok", "officer"))
OWN_CLASS = dict(only("ok", "teacher", other_teacher="missing"))
OWN_CLASS_POST = dict(only("through", "teacher", other_teacher="missing"))
OWN_CASE = dict(only("ok", "counselor", other_counselor="missing", officer="missing", other_officer="missing"))
OWN_CASE_POST = dict(
    only("through", "counselor", other_counselor="missing", officer="missing", other_officer="missing")
)
SCHOOL_ADMIN = dict(only("ok", "school_admin"))
SCHOOL_COUNSELOR = dict(
    only(
        "ok",
        "counselor",
        "other_counselor",
        "officer",
        "other_officer",
        other_counselor="deny",
        officer="deny",
        other_officer="deny",
    )
)
SCHOOL_COUNSELOR_POST = dict(
    only(
        "through",
        "counselor",
        "other_counselor",
        "officer",
        "other_officer",
        other_counselor="deny",
        officer="deny",
        other_officer="deny",
    )
)
MIDDLE_BAND = expect("ok", other_student="deny")
ADULTS_ONLY = expect("ok", student="deny", other_student="deny")

# url name: (method, kwargs factory name, expectations)
MATRIX = {
    # platform
    "healthz": ("get", None, EVERYONE),
    "ping": ("get", None, EVERYONE),
    "help": ("get", None, EVERYONE),
    "cms_login": ("get", None, expect("login")),
    "cms_password_reset": ("get", None, expect("login")),
    "role_home": ("get", None, expect("away", anon="login")),
    "invitation_accept": ("get", "bad_token", expect("gone")),
    "card_sign_in": ("get", "bad_token", expect("gone")),
    # curriculum (non-Wagtail)
    "certificate_verify": ("get", None, EVERYONE),
    "certificate_verify_code": ("get", "certificate", EVERYONE),
    # students
    "student_home": ("get", None, STUDENTS),
    "join_class": ("get", None, STUDENTS),
    "notice_dismiss": ("post", "notice", only("through", "student", other_student="missing")),
    "student_guardian_remove": ("post", "guardian_link", only("through", "student", other_student="missing")),
    # teachers
    "teacher_home": ("get", None, TEACHERS),
    "classroom_create": ("get", None, TEACHERS),
    "classroom_dashboard": ("get", "classroom", OWN_CLASS),
    "classroom_export": ("get", "classroom", OWN_CLASS),
    "classroom_remind": ("post", "classroom", OWN_CLASS_POST),
    "classroom_archive": ("post", "classroom", OWN_CLASS_POST),
    "classroom_join_code": ("get", "classroom", OWN_CLASS),
    "classroom_students": ("get", "classroom", OWN_CLASS),
    "classroom_cards": ("post", "classroom", OWN_CLASS_POST),
    "roster_upload": ("post", "classroom", OWN_CLASS_POST),
    "roster_template": ("get", "classroom", OWN_CLASS),
    "roster_preview": ("get", "roster_import", OWN_CLASS),
    "student_detail": ("get", "enrollment", OWN_CLASS),
    "student_reset": ("post", "enrollment", OWN_CLASS_POST),
    "student_active": ("post", "enrollment", OWN_CLASS_POST),
    "classroom_assignments": ("get", "classroom", OWN_CLASS),
    "assignment_edit": ("get", "assignment", OWN_CLASS),
    "assignment_move": ("post", "assignment", OWN_CLASS_POST),
    "teacher_student_consent": ("post", "student", dict(only("through", "teacher", other_teacher="missing"))),
    "class_consent_sheet": ("get", "classroom", OWN_CLASS),
    # parents
    "parent_home": ("get", None, PARENTS),
    "parent_link": ("get", None, PARENTS),
    "parent_email_updates": ("post", None, dict(only("through", "parent", "unlinked_parent"))),
    "parent_consent": ("get", "student", dict(only("ok", "parent", unlinked_parent="missing"))),
    "parent_unlink": ("post", "student", dict(only("through", "parent", unlinked_parent="missing"))),
    # school admins
    "school_home": ("get", None, SCHOOL_ADMIN),
    "school_staff": ("get", "school", SCHOOL_ADMIN),
    "consent_roster_upload": ("get", "school", SCHOOL_ADMIN),
    "consent_roster_template": ("get", "school", SCHOOL_ADMIN),
    "consent_roster_preview": ("get", "consent_roster_import", SCHOOL_ADMIN),
    "staff_end": ("post", "teacher_membership", dict(only("through", "school_admin"))),
    # A counselor invitation made by another admin of the school: its admin or
    # the district's officer approves it; the other district's officer may not.
    "invitation_approve": ("post", "waiting_invitation", dict(only("through", "school_admin", "officer"))),
    "school_report_stats": ("get", "school", SCHOOL_ADMIN),
    "school_report_poster": ("get", "school", SCHOOL_ADMIN),
    "school_report_audit": ("get", "school", SCHOOL_ADMIN),
    "district_report_stats": ("get", "district", OWN_OFFICE),
    "district_report_audit": ("get", "district", OWN_OFFICE),
    # the recovery sheet of sealed reports: the school's admins, the office's officers
    "school_report_recovery": ("get", "school", SCHOOL_ADMIN),
    "district_report_recovery": ("get", "district", OWN_OFFICE),
    # education offices (district officers)
    "office_home": ("get", None, dict(only("away", "officer", "other_officer"))),
    "office_district": ("get", "district", OWN_OFFICE),
    "office_export": ("get", "district", OWN_OFFICE),
    "office_signin_settings": ("get", "district", OWN_OFFICE),
    "office_school": ("get", "office_school", OWN_OFFICE),
    "school_import_upload": ("get", "district", OWN_OFFICE),
    "school_import_template": ("get", "district", OWN_OFFICE),
    "school_import_preview": ("get", "school_import", OWN_OFFICE),
    # The second person's page: invitations waiting in the officer's own district.
    "office_invitations": ("get", "district", OWN_OFFICE),
    "office_invitation_approve": ("post", "office_invitation", dict(only("through", "officer"))),
    "office_invitation_decline": ("post", "office_invitation", dict(only("through", "officer"))),
    # counselors
    "counsel_home": ("get", None, COUNSELORS),
    "counsel_case": ("get", "report", OWN_CASE),
    "counsel_case_print": ("get", "report", OWN_CASE),
    "counsel_case_status": ("post", "report", OWN_CASE_POST),
    "counsel_case_assign": ("post", "report", OWN_CASE_POST),
    "counsel_case_message": ("post", "report", OWN_CASE_POST),
    "counsel_case_note": ("post", "report", OWN_CASE_POST),
    "counsel_case_referral": ("post", "report", OWN_CASE_POST),
    "counsel_case_close": ("post", "report", OWN_CASE_POST),
    "counsel_case_tags": ("post", "report", OWN_CASE_POST),
    # the school's reply templates and tags: its own counselors only
    "counsel_tools": ("get", "school", SCHOOL_COUNSELOR),
    "counsel_template_new": ("get", "school", SCHOOL_COUNSELOR),
    "counsel_template_edit": ("get", "reply_template", SCHOOL_COUNSELOR),
    "counsel_template_delete": ("post", "reply_template", SCHOOL_COUNSELOR_POST),
    "counsel_tag_new": ("post", "school", SCHOOL_COUNSELOR_POST),
    "counsel_tag_delete": ("post", "case_tag", SCHOOL_COUNSELOR_POST),
    # browser notifications: every counselor and safety officer for themselves
    "counsel_push": ("get", None, COUNSELORS),
    "counsel_push_subscribe": (
        "post",
        None,
        dict(only("through", "counselor", "other_counselor", "officer", "other_officer")),
    ),
    "counsel_push_unsubscribe": (
        "post",
        None,
        dict(only("through", "counselor", "other_counselor", "officer", "other_officer")),
    ),
    # a reader's key status and granting access to a colleague (sealed reports)
    "counsel_keys": ("get", None, COUNSELORS),
    "counsel_keys_grant": (
        "post",
        None,
        dict(only("through", "counselor", "other_counselor", "officer", "other_officer")),
    ),
    # the unlock page (a reading passphrase, or the password that wraps the key)
    "counsel_keys_unlock": ("get", None, COUNSELORS),
    # the anonymous report channel: the same for everyone, signed in or not
    "report_search": ("get", None, EVERYONE),
    "report_start": ("get", "school", EVERYONE),
    "report_new": ("get", "school", EVERYONE),
    "report_receipt": ("get", None, expect("away")),  # no receipt session: to report_receipt_shown
    "report_receipt_shown": ("get", None, EVERYONE),
    "report_next_steps": ("get", None, EVERYONE),
    "followup_start": ("get", None, EVERYONE),
    "followup_case": ("get", None, expect("away")),
    "followup_reply": ("post", None, expect("through")),
    "followup_add_info": ("post", None, expect("through")),
    "followup_leave": ("post", None, expect("through")),
    # the live class: anyone with the code follows and answers (no name asked);
    # only the teachers of the session's class present, project and read it.
    "live_join": ("get", None, EVERYONE),
    "live_pupil": ("get", "live_code", EVERYONE),
    "live_pupil_state": ("get", "live_code", EVERYONE),
    "live_pupil_send": ("post", "live_code", expect("through")),
    "live_session_new": ("get", None, TEACHERS),
    "live_presenter": ("get", "live_session", OWN_CLASS),
    "live_projector": ("get", "live_session", OWN_CLASS),
    "live_teacher_state": ("get", "live_session", OWN_CLASS),
    "live_control": ("post", "live_session", OWN_CLASS_POST),
    "live_summary": ("get", "live_session", OWN_CLASS),
}

# The live class's sockets (live/routing.py): path factory, role -> accepted.
SOCKETS = {
    "pupil socket, right code": (lambda o: f"/ws/live/{o.live_session.code}/", expect(True)),
    "pupil socket, wrong code": (lambda o: f"/ws/live/{o.wrong_code}/", expect(False)),
    "presenter socket": (
        lambda o: f"/ws/live/session/{o.live_session.pk}/present/",
        dict(only(True, "teacher", anon=False, others=False)),
    ),
    "projector socket": (
        lambda o: f"/ws/live/session/{o.live_session.pk}/screen/",
        dict(only(True, "teacher", anon=False, others=False)),
    ),
}

# Pages served by Wagtail and third-party entry points: path factory, expectations.
PAGES = {
    "home page": (lambda o: "/", EVERYONE),
    "students section": (lambda o: "/learn/", EVERYONE),
    "middle-school module": (lambda o: o.middle.url, MIDDLE_BAND),
    "middle-school lesson": (lambda o: o.middle_lesson.url, MIDDLE_BAND),
    "middle-school lesson in English": (lambda o: o.middle_lesson.get_translation(o.en).url, MIDDLE_BAND),
    "module pre-check": (lambda o: o.middle.url + "check/pre/", MIDDLE_BAND),
    "module certificate": (
        lambda o: o.middle.url + "certificate/",
        dict(only("ok", "student", others="missing", other_student="deny")),
    ),
    "high-school module": (lambda o: o.high.url, ADULTS_ONLY),
    "parent course": (lambda o: o.parent_guide.url, ADULTS_ONLY),
    "teacher playbook": (lambda o: o.playbook.url, ADULTS_ONLY),
    "CMS dashboard": (lambda o: "/cms/", dict(only("ok", "editor", others="login"))),
    "CMS page explorer": (lambda o: "/cms/pages/", dict(only("ok", "editor", others="login"))),
    "CMS legal facts": (lambda o: "/cms/snippets/curriculum/legalfact/", dict(only("ok", "editor", others="login"))),
    # Only superusers reach Django's admin; everyone else is sent to its login.
    "Django admin": (lambda o: "/manage-site/", expect("away")),
    "Django admin (old address)": (lambda o: "/admin/", expect("missing")),
    "login page": (lambda o: "/accounts/login/", expect("away", anon="ok")),
    "parent signup": (lambda o: "/accounts/signup/", expect("away", anon="ok")),
}


def _named_patterns(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and namespace != "admin":
            # Django's admin (its login replaced by ours) is checked through PAGES.
            yield pattern


def test_every_url_of_the_platform_is_in_the_table():
    ours = {
        p.name or p.lookup_str
        for p in _named_patterns(get_resolver().url_patterns)
        if p.lookup_str.startswith(OUR_APPS)
    }
    assert ours - set(MATRIX) == set(), "add these URLs to the permission matrix"
    assert set(MATRIX) - ours == set(), "these URLs no longer exist"


@pytest.fixture
def objects(cast, django_capture_on_commit_callbacks):
    from wagtail.models import Locale

    from accounts.models import GuardianLink
    from districts.models import SchoolImport
    from incidents.services import report_submit
    from tests.factories import UserFactory

    cast.officer = UserFactory(username="officer")
    cast.school.district.safety_officers.add(cast.officer)
    cast.other_officer = UserFactory(username="other-officer")
    cast.other_school.district.safety_officers.add(cast.other_officer)

    middle = ModulePage.objects.get(slug="middle-harm-law-response", locale__language_code="ko")
    assignment = Assignment.objects.create(
        classroom=cast.classroom, module=middle, opens_on="2026-03-02", due_on="2026-12-31", created_by=cast.teacher
    )
    report, _receipt = report_submit(
        school=cast.school,
        category="fake_of_someone",
        platform="",
        platform_other="",
        room_link="",
        account_handle="",
        when="this_week",
        affected="friend",
        staff_involved="no",
        urgency=1,
        details="matrix",
        contact="",
    )
    from live.services import session_open

    live_session = session_open(
        teacher=cast.teacher, classroom=cast.classroom, lesson=LessonPage.objects.child_of(middle).first()
    )
    return SimpleNamespace(
        cast=cast,
        live_session=live_session,
        wrong_code="000000" if live_session.code != "000000" else "111111",
        en=Locale.objects.get(language_code="en"),
        middle=middle,
        middle_lesson=LessonPage.objects.child_of(middle).first(),
        high=ModulePage.objects.get(slug="high-consent-responsibility", locale__language_code="ko"),
        parent_guide=ModulePage.objects.get(slug="parent-guide", locale__language_code="ko"),
        playbook=ModulePage.objects.get(slug="teacher-playbook", locale__language_code="ko"),
        assignment=assignment,
        notice=Notice.objects.create(student=cast.student, assignment=assignment, sent_by=cast.teacher),
        roster_import=RosterImport.objects.create(classroom=cast.classroom, created_by=cast.teacher, rows=[]),
        consent_roster_import=ConsentRosterImport.objects.create(
            school=cast.school, created_by=cast.school_admin, rows=[]
        ),
        enrollment=cast.classroom.enrollments.get(student=cast.student),
        guardian_link=GuardianLink.objects.get(guardian=cast.parent, student=cast.student),
        certificate=Certificate.objects.create(student=cast.student, module=middle),
        # A paper slip on file too: a guardian unlinking (a URL of the table)
        # would otherwise delete the pupil's results, certificate included.
        paper_consent=GuardianConsent.objects.create(
            student=cast.student, recorded_by=cast.teacher, method="paper", decision="given"
        ),
        report=report,
        teacher_membership=cast.other_teacher.memberships.get(school=cast.school, role="teacher"),
        school_import=SchoolImport.objects.create(district=cast.school.district, created_by=cast.officer, rows=[]),
        waiting_invitation=_waiting_invitation(cast),
        reply_template=ReplyTemplate.objects.create(
            school=cast.school, title="matrix", body="matrix", updated_at="2026-03-02T09:00:00+09:00"
        ),
        case_tag=CaseTag.objects.create(school=cast.school, name="matrix"),
    )


def _waiting_invitation(cast):
    from accounts.services import invitation_create
    from tests.factories import MembershipFactory, UserFactory

    inviter = UserFactory(username="inviting-admin")
    MembershipFactory(user=inviter, school=cast.school, role="school_admin")
    return invitation_create(
        school=cast.school, email="matrix.counselor@example.org", role="counselor", invited_by=inviter, site_url=""
    )


KWARGS = {
    None: lambda o: {},
    "bad_token": lambda o: {"token": "not-a-real-invitation"},
    "certificate": lambda o: {"code": o.certificate.code},
    "notice": lambda o: {"notice_pk": o.notice.pk},
    "guardian_link": lambda o: {"link_id": o.guardian_link.pk},
    "classroom": lambda o: {"pk": o.cast.classroom.pk},
    "roster_import": lambda o: {"pk": o.cast.classroom.pk, "import_pk": o.roster_import.pk},
    "consent_roster_import": lambda o: {"code": o.cast.school.code, "import_pk": o.consent_roster_import.pk},
    "enrollment": lambda o: {"pk": o.cast.classroom.pk, "enrollment_pk": o.enrollment.pk},
    "assignment": lambda o: {"pk": o.cast.classroom.pk, "assignment_pk": o.assignment.pk},
    "student": lambda o: {"student_id": o.cast.student.pk},
    "school": lambda o: {"code": o.cast.school.code},
    "district": lambda o: {"code": o.cast.school.district.code},
    "teacher_membership": lambda o: {"code": o.cast.school.code, "membership_pk": o.teacher_membership.pk},
    "report": lambda o: {"pk": o.report.pk},
    "office_school": lambda o: {"code": o.cast.school.district.code, "school_code": o.cast.school.code},
    "school_import": lambda o: {"code": o.cast.school.district.code, "import_pk": o.school_import.pk},
    "reply_template": lambda o: {"code": o.cast.school.code, "template_pk": o.reply_template.pk},
    "case_tag": lambda o: {"code": o.cast.school.code, "tag_pk": o.case_tag.pk},
    "waiting_invitation": lambda o: {"code": o.cast.school.code, "invitation_pk": o.waiting_invitation.pk},
    "live_code": lambda o: {"code": o.live_session.code},
    "live_session": lambda o: {"pk": o.live_session.pk},
    "office_invitation": lambda o: {"code": o.cast.school.district.code, "invitation_pk": o.waiting_invitation.pk},
}
STAFF_WITH_MFA = {"counselor", "other_counselor", "school_admin", "editor", "officer", "other_officer"}


def client_for(client, cast, role):
    if role == "anon":
        return client
    user = getattr(cast, role)
    if role in STAFF_WITH_MFA:
        return mfa_login(client, user)
    client.force_login(user)
    return client


def outcome(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303):
        return "login" if "/accounts/login/" in location else "away"
    return {200: "ok", 403: "deny", 404: "missing", 410: "gone", 400: "bad", 405: "not allowed"}.get(
        status, str(status)
    )


def _check(client, cast, role, method, url, expected):
    response = getattr(client_for(client, cast, role), method)(url)
    got = outcome(response)
    if expected == "through":
        return got in ("ok", "away", "bad")
    return got == expected, got


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_every_role_as_the_table_says(client, objects, role):
    wrong = []
    for name, (method, kwargs, expectations) in MATRIX.items():
        url = reverse(name, kwargs=KWARGS[kwargs](objects))
        response = getattr(client_for(client, objects.cast, role), method)(url)
        got = outcome(response)
        want = expectations[role]
        ok = got in ("ok", "away", "bad") if want == "through" else got == want
        if not ok:
            wrong.append(f"{name} {method.upper()} {url}: expected {want}, got {got}")
        client.logout()
    for label, (path, expectations) in PAGES.items():
        url = path(objects)
        got = outcome(client_for(client, objects.cast, role).get(url))
        if got != expectations[role]:
            wrong.append(f"{label} {url}: expected {expectations[role]}, got {got}")
        client.logout()
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_socket_route_answers_every_role_as_the_table_says(client, objects, role, monkeypatch):
    import channels.db
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator

    from edu_platform.asgi import application

    # The sockets' database calls run in this thread, inside the test's transaction.
    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    headers = [(b"origin", b"http://testserver")]
    if role != "anon":
        client_for(client, objects.cast, role)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))

    async def accepted(path) -> bool:
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await socket.connect(10)
        if connected:
            await socket.disconnect()
        return connected

    wrong = []
    for label, (path, expectations) in SOCKETS.items():
        got = async_to_sync(accepted)(path(objects))
        if got != expectations[role]:
            wrong.append(f"{label}: expected {expectations[role]}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_the_table_covers_every_role_everywhere():
    for name, (_method, _kwargs, expectations) in MATRIX.items():
        assert set(expectations) == set(ROLES), name
    for label, (_path, expectations) in PAGES.items():
        assert set(expectations) == set(ROLES), label
    for label, (_path, expectations) in SOCKETS.items():
        assert set(expectations) == set(ROLES), label
    pairs = (len(MATRIX) + len(PAGES)) * len(ROLES)
    assert pairs > 800
