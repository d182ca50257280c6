"""The promise of sealing: a copy of the database, the Redis data and the
whole environment, taken after reports, messages, notes and replies exist,
opens nothing without a signed-in counselor's browser cookie.

The test takes the copy (every row of every table, every Redis key and value,
the settings' secrets), checks that every content column is sealed and that
no plaintext appears anywhere, and then tries every key it can find in the
copy (the Fernet keys of the environment, every 32-byte value in storage, the
session boxes) against every sealed value: none opens."""

import base64
import binascii
import re

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox
from nacl.secret import SecretBox

from incidents import keys, sealing
from incidents.models import CaseMessage, CaseNote, IncidentReport, Referral
from tests.conftest import mfa_login

from .conftest import receipt_from, submit
from .test_followup import token_of

SECRETS = (
    "pupil-secret-details",
    "t.me/pupil-secret-room",
    "@pupil_secret_handle",
    "pupil-secret-contact",
    "pupil-secret-reply",
    "counselor-secret-reply",
    "counselor-secret-note",
    "counselor-secret-referral",
    "pupil-secret-info-link",
)


def _redis_dump() -> list[bytes]:
    backend = cache
    if not hasattr(backend, "_cache") or not hasattr(backend._cache, "get_client"):
        return [repr(v).encode() for v in getattr(backend, "_cache", {}).values()]
    client = backend._cache.get_client(write=False)
    values = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            values.append(key + b"=" + (client.get(key) or b""))
        else:
            values.append(key)
    return values


def _database_dump() -> list[str]:
    text = []
    for model in apps.get_models():
        for row in model.objects.values_list():
            text.append(repr(row))
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        text.append(repr(session.get_decoded()))
    return text


_B64 = re.compile(rb"[A-Za-z0-9+/_-]{43,44}=?")


def _candidate_keys(blobs: list[bytes]) -> set[bytes]:
    """Every 32-byte value written in base64 anywhere in the copy."""
    found = set()
    for blob in blobs:
        for match in _B64.findall(blob):
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    raw = decode(match + b"=" * (-len(match) % 4))
                except (binascii.Error, ValueError):
                    continue
                if len(raw) == 32:
                    found.add(raw)
    return found


@pytest.mark.django_db(transaction=False)
def test_a_copy_of_database_redis_and_environment_opens_nothing(cast, officer, django_capture_on_commit_callbacks):
    keys.recovery_key_create(school=cast.school, actor=cast.school_admin)
    reporter = Client()
    submit(
        reporter,
        cast.school,
        django_capture_on_commit_callbacks,
        details=SECRETS[0],
        room_link=SECRETS[1],
        account_handle=SECRETS[2],
        contact=SECRETS[3],
    )
    receipt = receipt_from(reporter)
    submit(
        reporter, cast.school, django_capture_on_commit_callbacks, staff_involved="yes", details=SECRETS[0] + "-staff"
    )
    report = IncidentReport.objects.filter(routed_to="school").get()
    reporter.post("/report/follow-up/", {"receipt": receipt})
    page = reporter.get("/report/follow-up/case/")
    token = token_of(page)
    reporter.post("/report/follow-up/reply/", {"form_token": token, "body": SECRETS[4]})
    reporter.post("/report/follow-up/add/", {"form_token": token, "link": SECRETS[8], "handle": "", "info": ""})

    counselor = Client()
    mfa_login(counselor, cast.counselor)
    counselor.post(f"/counsel/reports/{report.pk}/message/", {"body": SECRETS[5]})
    counselor.post(f"/counsel/reports/{report.pk}/note/", {"note": SECRETS[6]})
    counselor.post(
        f"/counsel/reports/{report.pk}/referral/",
        {"agency": "police", "referred_on": "2026-01-02", "referral_note": SECRETS[7]},
    )
    page = counselor.get(f"/counsel/reports/{report.pk}/").content.decode()
    assert all(secret in page for secret in SECRETS)  # it is all there for the counselor

    # --- the copy: database, Redis, environment; no browser cookie ---------------
    database = _database_dump()
    redis = _redis_dump()
    environment = [str(getattr(settings, name)) for name in dir(settings) if name.isupper()]
    everything = "\n".join(database + environment) + "\n" + b"\n".join(redis).decode("latin-1")
    for secret in SECRETS:
        assert secret not in everything

    # Whatever the environment's Fernet keys open in the copy (short reporter
    # sessions, escrow) holds neither the receipt nor any content.
    from cryptography.fernet import InvalidToken, MultiFernet

    fernet = MultiFernet([Fernet(key) for key in settings.INCIDENT_ENCRYPTION_KEYS])
    for token in re.findall(r"gAAAAA[A-Za-z0-9_=-]+", everything):
        try:
            opened = fernet.decrypt(token.encode()).decode("utf-8", "replace")
        except InvalidToken:
            continue
        assert receipt not in opened and not any(secret in opened for secret in SECRETS)

    sealed_values = []
    for model, fields in (
        (IncidentReport, keys.REPORT_TEXT_FIELDS),
        (CaseMessage, keys.MESSAGE_TEXT_FIELDS),
        (CaseNote, keys.NOTE_TEXT_FIELDS),
        (Referral, keys.REFERRAL_TEXT_FIELDS),
    ):
        for row in model.objects.values_list(*fields):
            for value in row:
                assert sealing.is_sealed(value), (model, value[:20])  # every content column is ciphertext
                if value != sealing.PREFIX:  # an empty text is the bare prefix
                    sealed_values.append(sealing.b64decode(value[len(sealing.PREFIX) :]))
    assert len(sealed_values) >= 12

    # The environment's Fernet keys open no content column.
    for key in settings.INCIDENT_ENCRYPTION_KEYS:
        for value in sealed_values:
            with pytest.raises(InvalidToken):
                Fernet(key).decrypt(value)

    # No 32-byte value in the copy opens a sealed text, a sealed report key,
    # a wrapped private key or a session's box.
    blobs = [line.encode() for line in database + environment] + redis
    candidates = _candidate_keys(blobs)
    assert len(candidates) > 10
    from incidents.models import PersonKey, SealedReportKey

    sealed_keys = [sealing.b64decode(v) for v in SealedReportKey.objects.values_list("sealed_key", flat=True)]
    wrapped = [sealing.b64decode(v) for v in PersonKey.objects.values_list("wrapped_private_key", flat=True)]
    for raw in candidates:
        private = PrivateKey(raw)
        for value in sealed_values[:6] + sealed_keys:
            with pytest.raises(CryptoError):
                SealedBox(private).decrypt(value)
        for value in wrapped:
            with pytest.raises(CryptoError):
                SecretBox(raw).decrypt(value)
