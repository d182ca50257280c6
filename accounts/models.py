"""People: the custom user, staff invitations, guardian links and consent.

Roles are not a field on the user: a person's role at a school is a
``classroom.Membership``, a parent is a user with guardian links, and an editor
is a member of the CMS groups. ``accounts.permissions`` reads all of these.
"""

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Students sign in with a generated username and have no email; adults
    sign in with a verified email address."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_parent = models.BooleanField(_("signed up as a parent"), default=False)
    # Only the year: enough to know whether a guardian must consent
    # (accounts/consent.py), and no more than that is needed.
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    def get_short_name(self):
        return self.display_name or self.username

    def get_full_name(self):
        return self.display_name or self.username


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now(), waiting_for_approval=False
        )

    def for_token(self, token: str):
        return self.filter(token_hash=_hash_token(token))


# The education office's role: a district's safety officer reads the reports
# that involve school staff (schools.District.safety_officers). It is not a
# school role, so it is not in schools.Role.
SAFETY_OFFICER = "safety_officer"


class Invitation(models.Model):
    """A single-use, expiring link with which a school admin brings in staff,
    or a safety officer brings in another safety officer of the district.

    Only a hash of the token is stored: a database leak does not hand out
    working invitations. A school role names the school; the safety-officer
    role names the district instead."""

    VALID_FOR = timedelta(days=7)

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    district = models.ForeignKey(
        "schools.District", on_delete=models.CASCADE, related_name="invitations", null=True, blank=True
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Granting the counselor role needs a second person: such an invitation
    # is sent only once another school admin or the district's safety officer
    # (never the inviter) approves it (accounts.services.invitation_approve).
    waiting_for_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Or the second person says no: the invitation is never sent (and is
    # revoked: its status reads "revoked" wherever invitations are listed).
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False, district__isnull=True)
                | models.Q(school__isnull=True, district__isnull=False),
                name="invitation_to_a_school_or_a_district",
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.role})"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @property
    def place(self):
        """The school, or the education office, the person is invited to."""
        return self.school if self.school_id is not None else self.district

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.waiting_for_approval:
            return "waiting"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class InvitationEvent(models.Model):
    """The trail of a role being granted: who invited, who approved or
    declined, who accepted, and when. Kept when the invitation's person is
    deleted (the actor is then empty)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Invited")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        ACCEPTED = "accepted", _("Accepted")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} invitation {self.invitation_id}"


class GuardianLink(models.Model):
    """A parent who may see a student's assignments and completion."""

    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="children_links")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guardian", "student"], name="unique_guardian_link")]

    def __str__(self):
        return f"{self.guardian} → {self.student}"


GUARDIAN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def normalise_guardian_code(raw: str) -> str:
    """What a parent typed, without spaces, dashes or case (and with
    full-width letters, which some phone keyboards type, made plain)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", raw).upper() if ch.isalnum())


class GuardianCode(models.Model):
    """The code printed on a student's login card with which a parent links
    to the child. 12 characters from 32 symbols (60 bits): not guessable,
    single-use, stored only as a hash, and it expires."""

    VALID_FOR = timedelta(days=180)

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"guardian code for {self.student_id}"

    @staticmethod
    def hash(code: str) -> str:
        return hashlib.sha256(normalise_guardian_code(code).encode()).hexdigest()

    @classmethod
    def issue(cls, student) -> str:
        """A new code for the student; earlier unused codes stop working.
        Returns the code in readable groups (ABCD-EFGH-JKLM)."""
        raw = "".join(secrets.choice(GUARDIAN_CODE_ALPHABET) for _ in range(12))
        cls.objects.filter(student=student, used_at__isnull=True).update(expires_at=timezone.now())
        cls.objects.create(student=student, code_hash=cls.hash(raw), expires_at=timezone.now() + cls.VALID_FOR)
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class GuardianConsent(models.Model):
    """One decision about storing a student's learning results, as the law
    asks of a guardian when the student is under the consent age (Korea's
    Personal Information Protection Act: under 14).

    Rows are never edited, only ended: a newer decision by the same guardian,
    an unlink, or a teacher removing a paper record sets ``ended_at``. The
    rows without ``ended_at`` are the current decisions; consent is on file
    when one of them is "given"."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Online, by a linked guardian")
        PAPER = "paper", _("Paper form on file at school")
        # The school admin imported the school's own consent roster (families.consent_roster).
        SCHOOL_ROSTER = "roster", _("School roster")

    class Decision(models.TextChoices):
        GIVEN = "given", _("Consent given")
        DECLINED = "declined", _("Consent declined")

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_consents")
    # The guardian who decided online; empty for paper and school-roster consent.
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who entered it: the guardian online, the teacher for paper, the school admin for a roster.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    # The version of the consent text shown (accounts/consent.py), and in which language.
    text_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("guardian consent")
        verbose_name_plural = _("guardian consents")
        indexes = [models.Index(fields=["student", "ended_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=["paper", "roster"]) | models.Q(guardian__isnull=False),
                name="online_consent_has_guardian",
            ),
            models.UniqueConstraint(
                fields=["student", "guardian"],
                condition=models.Q(ended_at__isnull=True, method="online"),
                name="one_current_online_decision_per_guardian",
            ),
        ]

    def __str__(self):
        return f"{self.student_id}: {self.decision} ({self.method})"


class ParentProfile(models.Model):
    """A parent's own settings. Made the first time the parent changes one;
    without a row every setting has its default (no email)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_profile")
    # One opt-in for the weekly summary and the teachers' due-date reminders.
    email_updates = models.BooleanField(_("weekly summary and reminders by email"), default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("parent settings")
        verbose_name_plural = _("parent settings")

    def __str__(self):
        return f"parent settings of {self.user_id}"


class CardSignIn(models.Model):
    """The sign-in token in the QR code of a pupil's login card: a young
    pupil scans it on a school tablet and is signed in without typing.

    Only a hash is stored. One token per pupil works at a time: printing a
    new card (new passwords) ends the old one, and it never signs in anyone
    who is not only a pupil (accounts.card_signin)."""

    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_sign_ins")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["student", "revoked_at"])]

    def __str__(self):
        return f"card sign-in of {self.student_id}"


class ExternalId(models.Model):
    """A person's account id at their education office's identity provider
    (the "school account ID" column of a class roster). Signing in with a
    school account matches people by it (districts.signin). It lives here,
    with the people, so that the class roster (classroom) can fill it."""

    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, related_name="external_ids")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_ids")
    value = models.CharField(_("school account ID"), max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "value"], name="unique_external_id_per_district"),
            models.UniqueConstraint(fields=["district", "user"], name="one_external_id_per_person_per_district"),
        ]

    def __str__(self):
        return f"{self.district_id}:{self.value}"
