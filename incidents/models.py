"""Anonymous incident reports and the counselors' case records.

A report belongs to a school and is routed either to the school's counselors
or, when school staff are involved, to the district's safety officers. It
stores nothing about the reporter's device or network: no address, no user
agent, no account. Everything a person wrote is an ``EncryptedTextField``.
The receipt is kept only as an argon2id hash (see ``incidents.receipts``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .crypto import EncryptedTextField


class Category(models.TextChoices):
    FAKE_OF_ME = "fake_of_me", _("Someone made or shared a sexual fake image or video of me")
    FAKE_OF_SOMEONE = "fake_of_someone", _("Someone made or shared a sexual fake of someone I know")
    THREAT = "threat", _("Someone is threatening or blackmailing me")
    SHARING_ROOM = "sharing_room", _("A chat room or channel is sharing such images")
    ASKED_TO_MAKE = "asked_to_make", _("Someone asked me to make or share one")
    OTHER = "other", _("Something else")


class Platform(models.TextChoices):
    KAKAOTALK = "kakaotalk", _("KakaoTalk")
    TELEGRAM = "telegram", _("Telegram")
    INSTAGRAM = "instagram", _("Instagram")
    DISCORD = "discord", _("Discord")
    FACEBOOK = "facebook", _("Facebook")
    X = "x", _("X (Twitter)")
    TIKTOK = "tiktok", _("TikTok")
    YOUTUBE = "youtube", _("YouTube")
    BAND = "band", _("Naver Band")
    LINE = "line", _("LINE")
    OTHER = "other", _("Another app or site")
    NOT_SURE = "not_sure", _("I don't know")


class WhenHappened(models.TextChoices):
    TODAY = "today", _("Today")
    THIS_WEEK = "this_week", _("This week")
    THIS_MONTH = "this_month", _("This month")
    EARLIER = "earlier", _("Earlier than that")
    NOT_SURE = "not_sure", _("I'm not sure")


class Affected(models.TextChoices):
    ME = "me", _("Me")
    FRIEND = "friend", _("A friend or classmate")
    STAFF_MEMBER = "staff_member", _("A teacher or other school staff member")
    SEVERAL = "several", _("Several people")
    NOT_SURE = "not_sure", _("I'm not sure")


class StaffInvolved(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_SURE = "not_sure", _("I'm not sure")


class Urgency(models.IntegerChoices):
    # Lower is more urgent, so ordering by urgency puts urgent reports first.
    URGENT = 0, _("Urgent: it is happening now, or someone is threatening me")
    SOON = 1, _("Soon: please look at it within a day")
    NOT_URGENT = 2, _("Not urgent")


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("report status", "New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("report status", "Acknowledged")
    INVESTIGATING = "investigating", pgettext_lazy("report status", "Investigating")
    REFERRED = "referred", pgettext_lazy("report status", "Referred")
    CLOSED = "closed", pgettext_lazy("report status", "Closed")
    REOPENED = "reopened", pgettext_lazy("report status", "Reopened")


# The statuses a case may move to from each status. Closing is possible from
# anywhere (spam, duplicates); a closed case can only be reopened.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REFERRED, Status.CLOSED),
    Status.ACKNOWLEDGED: (Status.INVESTIGATING, Status.REFERRED, Status.CLOSED),
    Status.INVESTIGATING: (Status.REFERRED, Status.CLOSED),
    Status.REFERRED: (Status.INVESTIGATING, Status.CLOSED),
    Status.CLOSED: (Status.REOPENED,),
    Status.REOPENED: (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REFERRED, Status.CLOSED),
}
# A case in one of these statuses waits for a first response.
AWAITING_RESPONSE = (Status.NEW, Status.REOPENED)


class ClosingReason(models.TextChoices):
    """Why a case was closed: required when closing, counted in the statistics."""

    SUPPORTED = "supported", _("Handled at school: support given")
    REFERRED = "referred", _("Handed over to another agency")
    NO_REPLY = "no_reply", _("The reporter did not reply")
    WITHDRAWN = "withdrawn", _("The reporter asked to stop")
    DUPLICATE = "duplicate", _("Same as another report")
    NOT_AN_INCIDENT = "not_an_incident", _("Not an incident (a test, a mistake or spam)")
    OTHER = "other", _("Another reason")


class Routing(models.TextChoices):
    SCHOOL = "school", _("School counselors")
    DISTRICT = "district", _("District safety officers")


class SpamReason(models.TextChoices):
    NONE = "", _("Not suspected")
    HONEYPOT = "honeypot", _("A hidden field was filled in (likely a program)")
    TOO_FAST = "too_fast", _("Sent faster than a person can fill in the form")
    NO_TIMESTAMP = "no_timestamp", _("The form's time stamp was missing or altered")
    FLOOD = "flood", _("Many reports for this school in a short time")
    REPLAYED = "replayed", _("The form's time stamp had already been used")


# Strong signs of a program rather than a person: such reports sort last and
# send no email, but they are kept and visible, so nothing real is lost.
BOT_REASONS = (SpamReason.HONEYPOT, SpamReason.TOO_FAST, SpamReason.NO_TIMESTAMP, SpamReason.REPLAYED)


class IncidentReport(models.Model):
    """One anonymous report and its case state."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="incident_reports")
    district = models.ForeignKey("schools.District", on_delete=models.PROTECT, related_name="incident_reports")
    routed_to = models.CharField(_("handled by"), max_length=10, choices=Routing.choices, default=Routing.SCHOOL)

    category = models.CharField(_("what happened"), max_length=20, choices=Category.choices)
    platform = models.CharField(_("where"), max_length=20, choices=Platform.choices, blank=True)
    platform_other = EncryptedTextField(_("other app or site"), blank=True, default="")
    room_link = EncryptedTextField(_("room or channel link"), blank=True, default="")
    account_handle = EncryptedTextField(_("account name"), blank=True, default="")
    when = models.CharField(_("when"), max_length=20, choices=WhenHappened.choices)
    affected = models.CharField(_("who is affected"), max_length=20, choices=Affected.choices)
    staff_involved = models.CharField(_("school staff involved"), max_length=10, choices=StaffInvolved.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    details = EncryptedTextField(_("what the reporter wrote"), blank=True, default="")
    contact = EncryptedTextField(_("how to reach the reporter"), blank=True, default="")

    # The receipt: a truncated keyed hash to find the row, and an argon2id
    # hash (with its own random salt) to prove it. See incidents.receipts.
    receipt_lookup = models.CharField(max_length=16, db_index=True)
    receipt_hash = models.CharField(max_length=128)

    spam_reason = models.CharField(_("possible spam"), max_length=20, choices=SpamReason.choices, blank=True)
    # HMAC (with the pepper) of the school, the content and the minute it was
    # sent: the same report sent twice (a double tap, five concurrent posts)
    # is stored once. Unique, so the database settles a race. Never plaintext.
    duplicate_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    bot_suspect = models.BooleanField(default=False)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_incident_reports",
    )
    created_at = models.DateTimeField(_("received"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.CharField(_("closing reason"), max_length=20, choices=ClosingReason.choices, blank=True)
    unread_reporter_messages = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        indexes = [
            models.Index(
                fields=["school", "routed_to", "bot_suspect", "urgency", "-created_at"], name="incident_inbox"
            ),
            models.Index(
                fields=["district", "routed_to", "bot_suspect", "urgency", "-created_at"], name="incident_district"
            ),
            models.Index(fields=["status", "closed_at"], name="incident_retention"),
            models.Index(fields=["status", "response_due_at"], name="incident_due"),
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE

    @property
    def past_promise(self) -> bool:
        """Not acknowledged and past its response target (for urgent reports
        the promise made to the reporter, INCIDENT_URGENT_RESPONSE_MINUTES)."""
        due = self.response_due_at
        return self.awaiting_response and due is not None and due < timezone.now()

    def allowed_next_statuses(self) -> tuple[str, ...]:
        return ALLOWED_TRANSITIONS.get(self.status, ())


class CaseMessage(models.Model):
    """The anonymous two-way conversation between a reporter and staff."""

    class Sender(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        STAFF = "staff", _("Counselor")

    class Kind(models.TextChoices):
        REPLY = "reply", _("Message")
        INFO = "info", _("Added information")

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPLY)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = EncryptedTextField(blank=True, default="")
    link = EncryptedTextField(blank=True, default="")
    handle = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_sender_display()} #{self.pk}"


class CaseNote(models.Model):
    """A note only staff read."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"note #{self.pk}"


class Agency(models.TextChoices):
    POLICE = "police", _("Police")
    SUPPORT_CENTER = "support_center", _("Digital Sexual Crime Victims Support Center")
    KCSC = "kcsc", _("Korea Communications Standards Commission (KCSC)")
    TAKE_IT_DOWN = "take_it_down", _("NCMEC Take It Down")


class Referral(models.Model):
    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="referrals")
    agency = models.CharField(_("referred to"), max_length=20, choices=Agency.choices)
    referred_on = models.DateField(_("date"))
    note = EncryptedTextField(_("note"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["referred_on", "id"]

    def __str__(self):
        return f"{self.get_agency_display()} {self.referred_on}"


class CaseEvent(models.Model):
    """The history of a case for its printable summary: what changed, by
    whom, when. It never holds what anyone wrote."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Report received")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        REFERRAL = "referral", _("Referral recorded")
        STAFF_MESSAGE = "staff_message", _("Message to the reporter")
        REPORTER_MESSAGE = "reporter_message", _("Message from the reporter")
        REPORTER_INFO = "reporter_info", _("Information added by the reporter")
        NOTE = "note", _("Internal note")
        ESCALATED = "escalated", _("Response target missed; escalated")
        TAGS = "tags", _("Tags changed")

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.kind} #{self.report_id}"


class AuditEvent(models.Model):
    """Who did what to which report, when. Kept after the report is deleted,
    so the report is an id, not a foreign key. Never holds content."""

    class Action(models.TextChoices):
        VIEW = "view", _("Read the report")
        PRINT = "print", _("Printed or exported the case summary")
        STATUS = "status", _("Changed the status")
        ASSIGN = "assign", _("Assigned the case")
        REFERRAL = "referral", _("Recorded a referral")
        MESSAGE = "message", _("Sent a message to the reporter")
        NOTE = "note", _("Wrote an internal note")
        ESCALATE = "escalate", _("Escalated a missed response target")
        DELETE = "delete", _("Deleted after the retention period")
        TAG = "tag", _("Changed the tags")
        KEY_REPLACED = "key_replaced", _("Replaced a reading key (password reset)")
        GRANT = "grant", _("Granted access to sealed reports")
        REVOKE = "revoke", _("Access to sealed reports ended")
        RECOVERY_SHEET = "recovery_sheet", _("Made the recovery sheet")
        RECOVER = "recover", _("Used the recovery sheet")
        SEAL = "seal", _("Sealed reports written before sealing")
        KEY_MADE = "key_made", _("Made a reading key with a reading passphrase")
        UNLOCK_FAILED = "unlock_failed", _("Typed a wrong secret to unlock a reading key")
        PASSPHRASE = "passphrase", _("Changed the reading passphrase")
        RECOVERY_REPLACED = "recovery_replaced", _("Replaced the recovery sheet")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("schools.District", on_delete=models.PROTECT, related_name="+")
    # District cases are about school staff: their trail is not shown to the school.
    routed_to = models.CharField(max_length=10, choices=Routing.choices, default=Routing.SCHOOL)
    report_id = models.PositiveBigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["school", "routed_to", "-at"], name="incident_audit_school")]

    def __str__(self):
        return f"{self.action} #{self.report_id}"


class DeletionRecord(models.Model):
    """What is left of a report deleted after its retention period: its id,
    school and dates, nothing else."""

    report_id = models.PositiveBigIntegerField(unique=True)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    deleted_at = models.DateTimeField()

    def __str__(self):
        return f"deleted #{self.report_id}"


class OutboxMessage(models.Model):
    """A notification to send, written in the same transaction as its cause,
    so a broker outage delays it but never loses it."""

    class Kind(models.TextChoices):
        NEW_REPORT = "new_report", _("New report")
        REPORTER_MESSAGE = "reporter_message", _("New message from a reporter")
        ESCALATION = "escalation", _("Response target missed")
        FLOOD = "flood", _("Many reports in a short time")
        UNHANDLED = "unhandled", _("A report that nobody is set up to read")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    routed_to = models.CharField(max_length=10, choices=Routing.choices, default=Routing.SCHOOL)
    # Said in the subject ("Urgent: ..."); never any content.
    urgent = models.BooleanField(default=False)
    # The school the message is about, named in escalations (the district's
    # officers oversee many schools). Never the report or its content.
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "attempts"], name="incident_outbox_pending")]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"


# --- the counselors' tools: reply templates, tags, browser push ----------------------------


class ReplyTemplate(models.Model):
    """A reply a school's counselors wrote once and start from again. It is
    the school's own wording, not a report's content: stored as written."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="reply_templates")
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"), max_length=4000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "title"], name="incident_template_title")]

    def __str__(self):
        return self.title


class CaseTag(models.Model):
    """A label a school's counselors put on cases ("group chat", "year 2")
    to find them again. Only counselors of the school see it."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="case_tags")
    name = models.CharField(_("tag"), max_length=40)
    reports = models.ManyToManyField(IncidentReport, related_name="tags", blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="incident_tag_name")]

    def __str__(self):
        return self.name


class PushSubscription(models.Model):
    """A counselor's browser that asked for push notifications. The push
    carries no content ("new report" or "urgent report"); it is signed with
    the VAPID key of ``key_scope`` (a school or a district, see
    incidents.push), the key the browser subscribed with."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    key_scope = models.CharField(max_length=40)
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"push {self.user_id}"


# --- sealed reports (incidents.sealing, incidents.keys, docs/sealing.md) ----------------


class PersonKey(models.Model):
    """A reader's X25519 key pair (counselors, district safety officers). The
    private half is stored only wrapped with a key derived by Argon2id from
    their password, or from a reading passphrase for people who sign in
    with a school account; the server alone cannot open it."""

    class Secret(models.TextChoices):
        PASSWORD = "password", _("Your account password")
        PASSPHRASE = "passphrase", _("Your reading passphrase")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_key_pair")
    wrapped_with = models.CharField(max_length=10, choices=Secret.choices, default=Secret.PASSWORD)
    public_key = models.CharField(max_length=64)
    wrapped_private_key = models.TextField()
    kdf_salt = models.CharField(max_length=64)
    kdf_time_cost = models.PositiveIntegerField()
    kdf_memory_cost = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return f"key of {self.user_id}"


class RecoveryKey(models.Model):
    """The public half of a school's (or, for reports about staff, an
    education office's) recovery key. The private half is only on the
    printed recovery sheet, shown once. A place has one current key; a
    replaced one (``replaced_at``) stays only while reports are sealed to it
    that nobody could re-seal to the new one yet."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="report_recovery_keys"
    )
    district = models.ForeignKey(
        "schools.District", on_delete=models.CASCADE, null=True, blank=True, related_name="report_recovery_keys"
    )
    public_key = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school__isnull=False, district__isnull=True)
                | models.Q(school__isnull=True, district__isnull=False),
                name="recovery_key_one_place",
            ),
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(school__isnull=False, replaced_at__isnull=True),
                name="recovery_key_current_school",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=models.Q(district__isnull=False, replaced_at__isnull=True),
                name="recovery_key_current_district",
            ),
        ]

    def __str__(self):
        return f"recovery key of {self.school_id or self.district_id}"


class ReportSeal(models.Model):
    """A report's own public key: everything written into the report is
    sealed to it. ``escrow`` holds the report's private key encrypted with
    the server's key only while nobody can be sealed to (no reader has keys
    and there is no recovery sheet yet); it is emptied as soon as someone can."""

    report = models.OneToOneField(IncidentReport, on_delete=models.CASCADE, related_name="seal")
    public_key = models.CharField(max_length=64)
    escrow = models.TextField(blank=True, default="")
    sealed_at = models.DateTimeField()

    def __str__(self):
        return f"seal of #{self.report_id}"


class SealedReportKey(models.Model):
    """A report's private key sealed to one holder: a reader, the recovery
    key, or the reporter (the key derived from the receipt). Deleting the
    row takes that holder's access away at once."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="sealed_keys")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    recovery = models.ForeignKey(RecoveryKey, on_delete=models.CASCADE, null=True, related_name="sealed_keys")
    reporter = models.BooleanField(default=False)
    sealed_to = models.CharField(max_length=64)
    sealed_key = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "holder"], condition=models.Q(holder__isnull=False), name="sealed_key_holder"
            ),
            models.UniqueConstraint(
                fields=["report", "recovery"], condition=models.Q(recovery__isnull=False), name="sealed_key_recovery"
            ),
            models.UniqueConstraint(fields=["report"], condition=models.Q(reporter=True), name="sealed_key_reporter"),
        ]
        indexes = [models.Index(fields=["holder", "report"], name="sealed_key_by_holder")]

    def __str__(self):
        return f"key of #{self.report_id}"
