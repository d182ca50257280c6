"""One setting for the proxies in front of the platform (issue 16): the
report channel and allauth read the same client address, production trusts
X-Forwarded-For only when told how many proxies append to it, and allauth's
rate-limit keys hold a keyed hash, never the raw address."""

import pytest
from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.test import RequestFactory

from edu_platform.ratelimit import client_address

from .test_settings import PRODUCTION, run_django

SHOW = (
    "from django.conf import settings as s; "
    "print(s.TRUSTED_PROXY_COUNT, s.INCIDENT_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_PROXY_COUNT)"
)


def _shown(**environ) -> list[str]:
    result = run_django(["shell", "--no-imports", "-c", SHOW], **PRODUCTION, **environ)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_production_trusts_no_forwarded_header_by_default():
    assert _shown() == ["0", "0", "0"]


def test_one_setting_sets_both_and_the_old_name_still_works():
    assert _shown(TRUSTED_PROXY_COUNT="1") == ["1"] * 3
    assert _shown(INCIDENT_TRUSTED_PROXY_COUNT="2") == ["2"] * 3


def test_allauth_keys_its_limits_on_the_client_behind_the_balancer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    adapter = get_adapter()
    one = _request("10.0.0.1", "198.51.100.1")
    two = _request("10.0.0.1", "198.51.100.2")
    assert client_address(one) == "198.51.100.1"
    assert adapter.get_client_ip(one) != adapter.get_client_ip(two)
    # Without trusted proxies the header is whatever the client claims: ignored.
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(one) == "10.0.0.1"
    assert adapter.get_client_ip(one) == adapter.get_client_ip(two)


def _cache_keys() -> list[str]:
    backend = cache._cache
    if isinstance(backend, dict):  # LocMemCache
        return [str(key) for key in backend]
    client = backend.get_client(None)  # Redis
    return [key.decode() for key in client.scan_iter("*")]


@pytest.mark.django_db
def test_a_failed_login_leaves_no_raw_address_in_the_cache(client, cast):
    address = "203.0.113.77"
    response = client.post(
        "/accounts/login/", {"login": cast.teacher.username, "password": "wrong"}, REMOTE_ADDR=address
    )
    assert response.status_code == 200
    keys = _cache_keys()
    assert any("allauth" in key for key in keys), keys
    assert not [key for key in keys if address in key]
