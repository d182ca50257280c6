"""Web Push for counselors who opt in: sent from the outbox's Celery task,
after the email, to a real HTTP server standing in for the browser's push
service. What arrives is encrypted (aes128gcm) and, decrypted with the
browser's key, says only "urgent report" and where to log in. Each school
signs with a VAPID key of its own, derived from a secret that is not in the
repository; production refuses to start without it when push is on."""

import base64
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from py_vapid import Vapid02

from incidents import push
from incidents.models import PushSubscription, Urgency
from tests.conftest import mfa_login

from .conftest import make_report

ROOT = Path(__file__).resolve().parents[2]
DETAILS = "a fake picture of me in the class chat"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """A local push endpoint: records each POST and answers with `status`."""

    def __init__(self, status=201):
        self.received = []
        self.status = status
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name="browser-1"):
        return f"http://127.0.0.1:{self.server.server_port}/push/{name}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


class Browser:
    """What a browser keeps for its subscription: its ECDH key and auth secret."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self, endpoint) -> push.Subscription:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return push.Subscription(endpoint=endpoint, p256dh=b64url(point), auth=b64url(self.auth))

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


def test_an_urgent_report_pushes_no_content(cast, push_service, django_capture_on_commit_callbacks):
    browser = Browser()
    push.subscribe(user=cast.counselor, subscription=browser.subscription(push_service.endpoint()))
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school, urgency=Urgency.URGENT, details=DETAILS, room_link="t.me/secret-room")
    assert [m.to for m in mail.outbox] == [[cast.counselor.email]]  # the email went first, as before
    assert len(push_service.received) == 1
    path, headers, body = push_service.received[0]
    assert path == "/push/browser-1"
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["urgency"] == "high"
    # Nothing readable travels: not the report, not even the words of the notice.
    for plain in (DETAILS, "secret-room", "report", "Urgent", "긴급", "/counsel/"):
        assert plain.encode() not in body, plain
    # Signed with the school's own key.
    scope = f"school:{cast.school.pk}"
    assert f"k={push.public_key(scope)}" in headers["authorization"]
    assert Vapid02.verify(headers["authorization"])
    # The browser, and only the browser, reads: "urgent report", log in.
    message = browser.decrypt(body)
    assert set(message) == {"title", "body", "url", "urgent"}
    assert message["urgent"] is True
    assert message["url"] == "/counsel/"
    assert DETAILS not in json.dumps(message, ensure_ascii=False)


def test_a_gone_subscription_is_forgotten_and_the_email_still_goes(cast, django_capture_on_commit_callbacks):
    service = PushService(status=410)
    try:
        push.subscribe(user=cast.counselor, subscription=Browser().subscription(service.endpoint()))
        with django_capture_on_commit_callbacks(execute=True):
            make_report(cast.school, urgency=Urgency.SOON)
        assert len(service.received) == 1
    finally:
        service.close()
    assert not PushSubscription.objects.exists()
    assert len(mail.outbox) == 1


def test_no_push_without_opting_in_or_when_switched_off(
    cast, push_service, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school)
    push.subscribe(user=cast.counselor, subscription=Browser().subscription(push_service.endpoint()))
    settings.WEBPUSH_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        make_report(cast.school)
    assert push_service.received == []
    assert len(mail.outbox) == 2


def test_every_school_has_its_own_key(cast, settings):
    mine, theirs = push.public_key(f"school:{cast.school.pk}"), push.public_key(f"school:{cast.other_school.pk}")
    assert mine != theirs
    assert push.public_key(f"school:{cast.school.pk}") == mine  # stable
    settings.WEBPUSH_VAPID_SECRET = "another deployment's secret"
    assert push.public_key(f"school:{cast.school.pk}") != mine
    assert len(base64.urlsafe_b64decode(mine + "=")) == 65  # an uncompressed P-256 point


def test_the_opt_in_page_and_subscribing(client, cast):
    mfa_login(client, cast.counselor)
    html = client.get("/counsel/notifications/").content.decode()
    assert f'data-key="{push.public_key(f"school:{cast.school.pk}")}"' in html
    assert 'data-worker="/static/js/counsel-sw.js"' in html
    browser = Browser().subscription("https://push.example.net/send/abc")
    data = {"endpoint": browser.endpoint, "p256dh": browser.p256dh, "auth": browser.auth}
    assert client.post("/counsel/notifications/subscribe/", data).status_code == 204
    row = PushSubscription.objects.get()
    assert (row.user, row.key_scope) == (cast.counselor, f"school:{cast.school.pk}")
    # Not https, or a key that is not one: refused, nothing stored.
    for bad in ({**data, "endpoint": "http://push.example.net/x"}, {**data, "p256dh": "<script>"}):
        assert client.post("/counsel/notifications/subscribe/", bad).status_code == 400
    assert PushSubscription.objects.count() == 1
    # Turning off everywhere works without JavaScript.
    response = client.post("/counsel/notifications/unsubscribe/")
    assert response.status_code == 302
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_from_our_origin(client):
    response = client.get("/static/js/counsel-sw.js")
    assert response.status_code == 200
    assert b"showNotification" in b"".join(response.streaming_content)


def test_production_refuses_to_start_with_push_on_and_no_secret():
    from tests.platform.test_settings import PRODUCTION

    environ = {k: v for k, v in os.environ.items() if k not in PRODUCTION and not k.startswith("WEBPUSH")}
    environ.update(PRODUCTION, WEBPUSH_ENABLED="true")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "WEBPUSH_VAPID_SECRET must be set" in result.stderr
    environ["WEBPUSH_VAPID_SECRET"] = "x" * 48
    assert (
        "WEBPUSH_VAPID_SECRET"
        not in subprocess.run(
            [sys.executable, "manage.py", "check"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
        ).stderr
    )
