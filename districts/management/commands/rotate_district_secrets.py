"""Re-encrypt the education offices' client secrets (districts.client_secrets)
with the newest key of INCIDENT_ENCRYPTION_KEYS, and encrypt any secret
still stored in plain text (for example one typed into Django admin).
Run it after ``rotate_incident_keys``, before removing the old key."""

from allauth.socialaccount.models import SocialApp
from django.core.management.base import BaseCommand
from django.db import transaction

from districts.client_secrets import seal, unseal


class Command(BaseCommand):
    help = "Re-encrypt the district identity providers' client secrets with the newest key."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for app in SocialApp.objects.select_for_update().filter(district_provider__isnull=False):
                app.secret = seal(unseal(app.secret)) if app.secret else ""
                app.save(update_fields=["secret"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} client secrets now use the newest key."))
