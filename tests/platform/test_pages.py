"""The home page with its four doors, help on every page, and the language
switch."""

import pytest
from django.core.management import call_command


@pytest.fixture
def site(db):
    from curriculum.site_setup import ensure_site

    return ensure_site()


def test_home_page_is_korean_by_default_with_four_doors(client, site):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in html
    for door in ("learn/", "for-parents/", "for-teachers/", "report/"):
        assert f'href="/{door}"' in html
    assert 'href="/help/"' in html


def test_english_is_one_click_away(client, site):
    korean = client.get("/").content.decode()
    assert 'href="/en/"' in korean
    english = client.get("/en/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert "Report anonymously" in english.content.decode()


def test_help_page_lists_the_help_lines_in_both_languages(client, site):
    for prefix in ("", "/en"):
        html = client.get(f"{prefix}/help/").content.decode()
        for number in ("112", "1366", "117", "02-735-8994", "1377"):
            assert number in html


def test_every_page_links_to_help(client, site):
    for url in ("/", "/accounts/login/", "/accounts/signup/", "/help/", "/en/accounts/login/"):
        assert (
            'href="/help/"' in client.get(url).content.decode()
            or 'href="/en/help/"' in client.get(url).content.decode()
        ), url


def test_pages_send_a_strict_content_security_policy(client, site):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "http" not in csp


def test_seed_demo_twice_gives_the_same_rows(db, django_db_blocker):
    from django.apps import apps

    call_command("seed_demo", "--password", "demo-test-pass", "--no-curriculum")
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("seed_demo", "--password", "demo-test-pass", "--no-curriculum")
    again = {m._meta.label: m.objects.count() for m in apps.get_models()}
    assert counts == again
    assert counts["schools.School"] == 1


def test_seed_demo_refuses_in_production(db, settings):
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", "--password", "x", "--no-curriculum")
