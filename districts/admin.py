from django.contrib import admin

from .models import IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ("district", "match_by", "id_claim", "enabled", "updated_at")
    raw_id_fields = ("district", "app")
