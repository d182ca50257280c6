"""Browser push notifications (Web Push) for counselors who opt in.

Every school (and every district, for its safety officers) signs its pushes
with a VAPID key of its own. The keys are not stored anywhere: each is
derived (HKDF-SHA256) from the deployment's secret WEBPUSH_VAPID_SECRET and
the school's or district's id, so a school's key is stable, differs from
every other school's, and no private key is kept in the database or the
repository. Production refuses to start without the secret when push is on
(settings/production.py).

A push carries no content: its encrypted payload says only "new report" or
"urgent report" and where to look (/counsel/). It is sent from the outbox
(incidents.services.outbox_send), after the email of the same notification.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from accounts.permissions import roles_of
from schools.models import Role

from .models import PushSubscription

logger = logging.getLogger(__name__)

# The order of the P-256 group: a derived scalar is taken modulo n - 1, plus 1.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
PUSH_TTL_SECONDS = 24 * 60 * 60
PUSH_TIMEOUT_SECONDS = 10


def enabled() -> bool:
    return bool(getattr(settings, "WEBPUSH_ENABLED", False) and getattr(settings, "WEBPUSH_VAPID_SECRET", ""))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_key(scope: str) -> ec.EllipticCurvePrivateKey:
    """The private key of one school ("school:12") or district ("district:3")."""
    material = HKDF(
        algorithm=hashes.SHA256(), length=48, salt=b"safe-together webpush vapid", info=scope.encode()
    ).derive(settings.WEBPUSH_VAPID_SECRET.encode())
    scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def public_key(scope: str) -> str:
    """The applicationServerKey a browser subscribes with (base64url, uncompressed point)."""
    point = (
        vapid_key(scope)
        .public_key()
        .public_bytes(encoding=serialization.Encoding.X962, format=serialization.PublicFormat.UncompressedPoint)
    )
    return _b64url(point)


def scope_for(user) -> str:
    """Whose key a counselor's browser subscribes with: their (first) school,
    or for a district safety officer their (first) district. Empty if neither."""
    roles = roles_of(user)
    schools = sorted(roles.school_ids(Role.COUNSELOR))
    if schools:
        return f"school:{schools[0]}"
    districts = sorted(roles.district_ids)
    return f"district:{districts[0]}" if districts else ""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def subscribe(*, user, subscription: Subscription) -> PushSubscription:
    """Store (or move to this person) a browser's subscription."""
    scope = scope_for(user)
    row, _created = PushSubscription.objects.update_or_create(
        endpoint=subscription.endpoint,
        defaults={
            "user": user,
            "key_scope": scope,
            "p256dh": subscription.p256dh,
            "auth": subscription.auth,
            "created_at": timezone.now().replace(second=0, microsecond=0),
        },
    )
    return row


def unsubscribe(*, user, endpoint: str = "") -> int:
    rows = PushSubscription.objects.filter(user=user)
    if endpoint:
        rows = rows.filter(endpoint=endpoint)
    return rows.delete()[0]


def payload(*, urgent: bool, language: str) -> bytes:
    """What the browser shows: "new report" or "urgent report", never more."""
    with translation.override(language):
        title = _("Urgent report") if urgent else _("New report")
        body = _("Log in to read it.")
        url = reverse("counsel_home")
    return json.dumps({"title": title, "body": body, "url": url, "urgent": urgent}).encode()


def _contact() -> str:
    site = getattr(settings, "SITE_URL", "") or ""
    if site.startswith("https://"):
        return site.rstrip("/")
    return f"mailto:{getattr(settings, 'WEBPUSH_CONTACT_EMAIL', '') or 'safety@localhost'}"


def send_to_user(*, user, urgent: bool) -> int:
    """Push to every browser the person subscribed; returns how many took it.
    Gone subscriptions (404, 410) are forgotten; other failures are logged
    and never stop the email, which has already gone."""
    if not enabled():
        return 0
    sent = 0
    language = user.preferred_language or settings.LANGUAGE_CODE
    data = payload(urgent=urgent, language=language)
    for row in PushSubscription.objects.filter(user=user):
        try:
            webpush(
                subscription_info={"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}},
                data=data,
                vapid_private_key=Vapid02(private_key=vapid_key(row.key_scope)),
                vapid_claims={"sub": _contact()},
                ttl=PUSH_TTL_SECONDS,
                timeout=PUSH_TIMEOUT_SECONDS,
                headers={"Urgency": "high" if urgent else "normal"},
            )
            sent += 1
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                row.delete()
            else:
                logger.warning("A push notification failed (%s).", status or type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - the email is the notification; the push is extra
            logger.warning("A push notification failed (%s).", type(exc).__name__)
    return sent
