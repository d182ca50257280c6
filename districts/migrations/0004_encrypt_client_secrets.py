"""The education offices' client secrets, stored in plain text by allauth
until now, are encrypted with the server's keys (districts.client_secrets)."""

from django.db import migrations

from districts.client_secrets import seal, unseal


def encrypt_secrets(apps, schema_editor):
    SocialApp = apps.get_model("socialaccount", "SocialApp")
    for app in SocialApp.objects.filter(district_provider__isnull=False).exclude(secret=""):
        app.secret = seal(app.secret)
        app.save(update_fields=["secret"])


def decrypt_secrets(apps, schema_editor):
    SocialApp = apps.get_model("socialaccount", "SocialApp")
    for app in SocialApp.objects.filter(district_provider__isnull=False).exclude(secret=""):
        app.secret = unseal(app.secret)
        app.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0003_external_id_moves_to_accounts"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
