"""Two web nodes on one PostgreSQL and one Redis (what `make stack` starts
with STACK_WEB_NODES=2 behind haproxy): a change made through one node is
seen by the other at its very next request, although the other had the old
state in its caches (roles, routes, the anonymous page cache, the office's
rollup):

* a publish: an editor unpublishes a lesson in the CMS on node A; node B,
  which had served and cached the page, answers 404 at once;
* a role change: a school admin on node A ends a teacher's role; the
  teacher's next request on node B is refused;
* a cache invalidation: an officer imports schools on node A; the office
  view on node B, which kept its rollup, lists them at once.
"""

import json
import re
import uuid

import requests

from .conftest import Gunicorn, shell


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


SETUP = """
import json, uuid
from importlib import import_module
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from accounts.models import User
from classroom.models import Classroom
from curriculum.models import LessonPage
from schools.models import District, Membership, School

tag = "{tag}"
district = District.objects.create(name="Two nodes office " + tag, code="TN" + tag)
school = School.objects.create(name="Two nodes school " + tag, code="TN" + tag, district=district, level="middle")

def person(name, totp=False, **extra):
    user = User.objects.create_user(username=name + tag, email=name + tag + "@example.org", password=None, **extra)
    if totp:
        TOTP.activate(user, generate_totp_secret())
    return user

teacher = person("teacher")
membership = Membership.objects.create(user=teacher, school=school, role="teacher")
classroom = Classroom.objects.create(school=school, name="2-1", grade=2, school_year=2026)
classroom.teachers.add(teacher)
admin = person("admin", totp=True)
Membership.objects.create(user=admin, school=school, role="school_admin")
officer = person("officer", totp=True)
district.safety_officers.add(officer)
editor = person("editor", totp=True, is_superuser=True, is_staff=True)
lesson = LessonPage.objects.live().filter(locale__language_code="ko", url_path__contains="high").order_by("path").first()

engine = import_module(settings.SESSION_ENGINE)
def session(user):
    s = engine.SessionStore()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s.create()
    return s.session_key

print(json.dumps({{
    "school": school.code, "district": district.code, "classroom": classroom.pk, "membership": membership.pk,
    "lesson": lesson.url, "lesson_id": lesson.pk,
    "teacher": session(teacher), "admin": session(admin), "officer": session(officer), "editor": session(editor),
}}))
"""


def settings_cookie_name() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def browser(node, session_key: str | None) -> requests.Session:
    b = requests.Session()
    if session_key:
        b.cookies.set(settings_cookie_name(), session_key)
    return b


def post_form(b: requests.Session, url: str, form_page: str, data: dict, files=None):
    token = csrf(b.get(form_page, timeout=30).text)
    return b.post(url, data={"csrfmiddlewaretoken": token, **data}, files=files, allow_redirects=False, timeout=60)


def test_a_change_on_one_node_is_seen_on_the_other_at_its_next_request(fault_env, tmp_path):
    tag = uuid.uuid4().hex[:6].upper()
    facts = json.loads(shell(fault_env, SETUP.format(tag=tag)).splitlines()[-1])
    a = Gunicorn(fault_env, tmp_path / "node-a.log")
    b = Gunicorn(fault_env, tmp_path / "node-b.log")
    try:
        # -- a publish (here: unpublishing a lesson in the CMS) -----------------
        anonymous_b = browser(b, None)
        for _ in range(3):  # both of B's workers have served (and cached) the page
            assert anonymous_b.get(b.url + facts["lesson"], timeout=30).status_code == 200
        editor_a = browser(a, facts["editor"])
        unpublish = f"{a.url}/cms/pages/{facts['lesson_id']}/unpublish/"
        answer = post_form(editor_a, unpublish, unpublish, {})
        assert answer.status_code == 302, answer.text[:500]
        assert anonymous_b.get(b.url + facts["lesson"], timeout=30).status_code == 404

        # -- a role change ---------------------------------------------------------
        teacher_b = browser(b, facts["teacher"])
        dashboard = f"{b.url}/teach/classes/{facts['classroom']}/"
        for _ in range(3):
            assert teacher_b.get(dashboard, allow_redirects=False, timeout=30).status_code == 200
        admin_a = browser(a, facts["admin"])
        staff = f"{a.url}/school/{facts['school']}/staff/"
        answer = post_form(admin_a, f"{staff}{facts['membership']}/end/", staff, {})
        assert answer.status_code == 302, answer.text[:500]
        assert teacher_b.get(dashboard, allow_redirects=False, timeout=30).status_code in (302, 403)

        # -- a cache invalidation (the office's rollup) -------------------------------
        officer_b = browser(b, facts["officer"])
        office_b = f"{b.url}/office/{facts['district']}/"
        for _ in range(3):
            page = officer_b.get(office_b, timeout=60)
            assert page.status_code == 200 and "Two nodes school" in page.text
        officer_a = browser(a, facts["officer"])
        upload = f"{a.url}/office/{facts['district']}/schools/import/"
        code = f"TM{tag}"
        csv = f"학교명,학교급,학교코드,상담교사,관리자\n두노드중학교{tag},중,{code},,\n".encode()
        answer = post_form(officer_a, upload, upload, {}, files={"file": ("schools.csv", csv, "text/csv")})
        assert answer.status_code == 302, answer.text[:500]
        preview = a.url + answer.headers["Location"]
        answer = post_form(officer_a, preview, preview, {})
        assert answer.status_code == 302, answer.text[:500]
        assert f"두노드중학교{tag}" in officer_b.get(office_b, timeout=60).text
    finally:
        a.stop()
        b.stop()
        # Other fault tests read lessons from this database: publish it again.
        shell(
            fault_env,
            f"from curriculum.models import LessonPage; p = LessonPage.objects.get(pk={facts['lesson_id']}); "
            "p.get_latest_revision().publish()",
        )
