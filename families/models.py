"""The families app's own rows: a school's consent roster between its
preview and the school admin's confirmation, and what the school's roster
said about each consent it recorded (the consent itself is an
accounts.GuardianConsent with the method "school roster")."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentRosterImport(models.Model):
    """A consent roster file read and checked, waiting for the school admin
    to confirm. The rows (pupils' names) are cleared once the consents are
    recorded; unconfirmed imports are deleted after a day."""

    KEEP_FOR = timedelta(days=1)

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="consent_roster_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    # [{"line": 2, "student_id": 7, "name": "...", "method": "...", "date": "2026-03-02", "errors": [...]}]
    rows = models.JSONField(default=list)
    recorded_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"consent roster for {self.school_id} ({len(self.rows)} rows)"

    @property
    def has_problems(self) -> bool:
        return any(row.get("errors") for row in self.rows)


class ConsentRosterEntry(models.Model):
    """What the school's roster said about one consent: how the school
    collected it and on which day. Who recorded it and when is on the
    consent row (recorded_by, created_at)."""

    consent = models.OneToOneField("accounts.GuardianConsent", on_delete=models.CASCADE, related_name="roster_entry")
    roster_import = models.ForeignKey(ConsentRosterImport, on_delete=models.SET_NULL, null=True, related_name="+")
    school_method = models.CharField(_("how the school collected consent"), max_length=100)
    consented_on = models.DateField(_("consent date"))

    def __str__(self):
        return f"{self.consent_id}: {self.school_method} {self.consented_on}"
