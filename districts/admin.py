from django.contrib import admin

from .models import ExternalId, IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = ("district", "match_by", "id_claim", "enabled", "updated_at")
    raw_id_fields = ("district", "app")


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ("district", "value", "user")
    search_fields = ("value",)
    raw_id_fields = ("district", "user")
