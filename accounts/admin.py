from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import GuardianConsent, GuardianLink, Invitation, ParentProfile, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Platform", {"fields": ("display_name", "preferred_language", "is_parent", "birth_year")}),
    )
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "school", "role", "created_at", "expires_at", "used_at")
    exclude = ("token_hash",)


admin.site.register(GuardianLink)


@admin.register(GuardianConsent)
class GuardianConsentAdmin(admin.ModelAdmin):
    """Consent records are evidence: they are read here, never edited."""

    list_display = ("student", "decision", "method", "guardian", "text_version", "created_at", "ended_at")
    list_filter = ("method", "decision")
    raw_id_fields = ("student", "guardian", "recorded_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ParentProfile)
class ParentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "email_updates", "digest_sent_at")
    raw_id_fields = ("user",)
