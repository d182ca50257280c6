from allauth.socialaccount import admin as socialaccount_admin  # registers SocialApp first
from allauth.socialaccount.models import SocialApp
from django.contrib import admin

from .client_secrets import seal
from .models import IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ("district", "match_by", "id_claim", "enabled", "updated_at")
    raw_id_fields = ("district", "app")


class EncryptedSecretSocialAppAdmin(socialaccount_admin.SocialAppAdmin):
    """allauth's admin for apps, except that a secret typed here is stored
    encrypted like the office's settings page stores it (districts.client_secrets)."""

    def save_model(self, request, obj, form, change):
        obj.secret = seal(obj.secret)
        super().save_model(request, obj, form, change)


admin.site.unregister(SocialApp)
admin.site.register(SocialApp, EncryptedSecretSocialAppAdmin)
