from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from edu_platform.urls_public import public_base_url

from .models import ExternalId, GuardianConsent, GuardianLink, Invitation, ParentProfile, User
from .services import InvitationError, invitation_approve


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Platform", {"fields": ("display_name", "preferred_language", "is_parent", "birth_year")}),
    )
    list_display = ("username", "display_name", "email", "is_active", "is_staff")
    search_fields = ("username", "display_name", "email")


@admin.action(description="Approve as the second person (sends the invitation)")
def approve_invitations(modeladmin, request, queryset):
    """A district with a single safety officer needs someone to approve the
    second one: a superuser, through the same service (never their own)."""
    for invitation in queryset.filter(waiting_for_approval=True):
        try:
            invitation_approve(invitation=invitation, approved_by=request.user, site_url=public_base_url(request))
        except InvitationError as error:
            modeladmin.message_user(request, f"{invitation.email}: {error}", level=messages.ERROR)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are granted through the two-person services only: here they
    are read, and a waiting one may be approved by a second person."""

    list_display = ("email", "school", "district", "role", "created_at", "waiting_for_approval", "used_at")
    readonly_fields = [field.name for field in Invitation._meta.fields if field.name != "token_hash"]
    exclude = ("token_hash",)
    actions = [approve_invitations]

    def has_add_permission(self, request):
        return False


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


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ("district", "value", "user")
    search_fields = ("value",)
    raw_id_fields = ("district", "user")
