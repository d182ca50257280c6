"""A file of schools read and checked, waiting for the officer to confirm.

Holds the parsed rows between the preview and the "create and update schools"
button, like a class roster import. Unconfirmed imports are deleted after a
day; staff addresses are cleared once the invitations are sent."""

from datetime import timedelta

from django.conf import settings
from django.db import models

from schools.models import District


class SchoolImport(models.Model):
    KEEP_FOR = timedelta(days=1)

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="school_imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    # [{"line": 2, "name": "...", "code": "...", "level": "middle", "counselors": [...], "admins": [...],
    #   "errors": ["..."], "change": "new" | "update" | "same"}]
    rows = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"schools for {self.district_id} ({len(self.rows)} rows)"

    @property
    def has_problems(self) -> bool:
        return any(row.get("errors") for row in self.rows)
