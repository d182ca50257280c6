"""Signing in by the QR code of a login card, for pupils who cannot type a
username and password yet (grades 1-2 on a school tablet).

The code holds a random token (192 bits); only its hash is stored, and the
token is shown once, on the card page, like the password. Printing new cards
for a pupil ends their old token. A token signs in a pupil and nobody else:
anyone who holds a staff role, the CMS or a district's reports is refused
whatever token they hold. Tries are limited per address, and the token is
never written to a log (accounts.log_filters cuts it out of logged paths).
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from edu_platform.ratelimit import Limit
from schools.models import Role

from .models import CardSignIn, User
from .permissions import is_student, needs_mfa, roles_of

TOKEN_BYTES = 24
# Tries with a token that is not valid, per address: a class of 35 scanning
# at once never comes near it; a program guessing does at once.
WRONG_TOKENS = Limit("accounts:card-sign-in:address", 30, 10 * 60)
PATH_PREFIX = "/card/"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def card_tokens_issue(students) -> dict[int, str]:
    """A new token for each pupil, ending their earlier ones (three queries
    for any number of pupils). Returns {student id: token}."""
    students = list(students)
    CardSignIn.objects.filter(student__in=students, revoked_at__isnull=True).update(revoked_at=timezone.now())
    tokens = {student.pk: secrets.token_urlsafe(TOKEN_BYTES) for student in students}
    CardSignIn.objects.bulk_create(
        CardSignIn(student_id=student_id, token_hash=_hash(token)) for student_id, token in tokens.items()
    )
    return tokens


def card_tokens_revoke(student) -> None:
    CardSignIn.objects.filter(student=student, revoked_at__isnull=True).update(revoked_at=timezone.now())


def pupil_for_token(token: str) -> User | None:
    """The active pupil this token signs in, or None: unknown, ended, or a
    person who is more than a pupil."""
    if not token or len(token) > 64:
        return None
    row = (
        CardSignIn.objects.select_related("student")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, student__is_active=True)
        .first()
    )
    if row is None:
        return None
    user = row.student
    roles = roles_of(user)
    if not is_student(user) or needs_mfa(user) or roles.has(Role.TEACHER) or roles.is_parent or user.is_staff:
        return None
    return user


def redact(path: str) -> str:
    """A request path with a card token cut out, for logs."""
    parts = path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "card" and index + 1 < len(parts) and parts[index + 1]:
            parts[index + 1] = "…"
    return "/".join(parts)
