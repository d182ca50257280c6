"""Django's admin shows no report content: reading a report must go through
the counselors' case page, which checks the school and writes the audit
trail. Operators see only the content-free outbox and audit rows."""

from django.contrib import admin

from .models import AuditEvent, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "recipient", "created_at", "sent_at", "attempts")
    list_filter = ("kind", "sent_at")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "actor", "school", "report_id")
    list_filter = ("action",)
