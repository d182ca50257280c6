"""The CMS speaks our words in Korean: Wagtail's "Roles" and "Groups" are not
a person's role at a school (역할), its workflow is our review (검토), and
none of 워크플로우, 자취 or 리포트 is left in the menu."""

import json
import re

from tests.conftest import mfa_login
from tests.factories import UserFactory


def test_the_cms_menu_uses_our_korean_words(client, db):
    admin = UserFactory(username="cms-superuser", is_superuser=True, is_staff=True)
    mfa_login(client, admin)
    response = client.get("/cms/", HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    # The sidebar is drawn from JSON in the page (non-ASCII escaped): read it as data.
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    html = json.dumps(json.loads(props.group(1)), ensure_ascii=False)
    for ours in ("CMS 보고서", "검토 절차", "CMS 권한 그룹"):
        assert ours in html, ours
    for theirs in ("워크플로우", "자취", "리포트"):
        assert theirs not in html, theirs


def test_wagtails_site_history_report_is_named_in_our_words(client, db):
    admin = UserFactory(username="cms-superuser", is_superuser=True, is_staff=True)
    mfa_login(client, admin)
    html = client.get("/cms/reports/site-history/").content.decode()
    assert "사이트 변경 기록" in html and "사이트 자취" not in html
