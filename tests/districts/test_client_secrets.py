"""Education offices' client secrets: encrypted in the column, by the data
migration for secrets saved before, and again by the rotation command."""

import importlib

import pytest
from allauth.socialaccount.models import SocialApp
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from districts.client_secrets import is_sealed, seal, unseal
from districts.models import IdentityProvider
from incidents.crypto import DecryptionError
from tests.conftest import mfa_login
from tests.factories import UserFactory

NEW_KEY = "dGVzdC1vbmx5LWtleS1udW1iZXItbmV3LTMyYnl0ZXM="


@pytest.fixture
def plain_app(cast):
    """A district app as allauth stored it before: the secret in plain text."""
    app = SocialApp.objects.create(provider="openid_connect", provider_id="district-x", name="x", secret="plain-1")
    IdentityProvider.objects.create(district=cast.school.district, app=app)
    SocialApp.objects.create(provider="google", name="not a district", secret="left-alone")
    return app


def test_the_data_migration_encrypts_secrets_saved_before(plain_app):
    migration = importlib.import_module("districts.migrations.0004_encrypt_client_secrets")
    migration.encrypt_secrets(apps, None)
    plain_app.refresh_from_db()
    assert is_sealed(plain_app.secret) and "plain-1" not in plain_app.secret
    assert unseal(plain_app.secret) == "plain-1"
    assert SocialApp.objects.get(provider="google").secret == "left-alone"
    migration.encrypt_secrets(apps, None)  # twice: still one layer
    plain_app.refresh_from_db()
    assert unseal(plain_app.secret) == "plain-1"
    migration.decrypt_secrets(apps, None)
    plain_app.refresh_from_db()
    assert plain_app.secret == "plain-1"


def test_rotation_re_encrypts_with_the_newest_key(plain_app, settings):
    plain_app.secret = seal("plain-1")
    plain_app.save()
    with override_settings(INCIDENT_ENCRYPTION_KEYS=[NEW_KEY, *settings.INCIDENT_ENCRYPTION_KEYS]):
        call_command("rotate_district_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    plain_app.refresh_from_db()
    with override_settings(INCIDENT_ENCRYPTION_KEYS=[NEW_KEY]):
        assert unseal(plain_app.secret) == "plain-1"
    with pytest.raises(DecryptionError):
        unseal(plain_app.secret)  # the old keys alone no longer open it


def test_a_secret_typed_into_django_admin_is_stored_encrypted(client, cast):
    admin_user = UserFactory(username="superuser", is_staff=True, is_superuser=True)
    mfa_login(client, admin_user)
    answer = client.post(
        "/manage-site/socialaccount/socialapp/add/",
        {
            "provider": "openid_connect",
            "provider_id": "district-y",
            "name": "y",
            "client_id": "c",
            "secret": "typed-1",
            "key": "",
            "settings": "{}",
        },
    )
    assert answer.status_code == 302, answer.content[:2000]
    app = SocialApp.objects.get(provider_id="district-y")
    assert is_sealed(app.secret) and unseal(app.secret) == "typed-1"
