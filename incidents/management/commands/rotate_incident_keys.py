"""Re-encrypt every stored incident text still under the Fernet keys with the
newest key. Sealed texts (docs/sealing.md) are not touched: the Fernet keys
do not open them.

Rotation: put a new key first in INCIDENT_ENCRYPTION_KEYS (keep the old ones
after it), deploy, run this command, then remove the old keys. Rows are read
with any configured key and written back with the first one, in batches,
each batch in its own transaction.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from incidents import crypto, sealing
from incidents.crypto import EncryptedTextField


def encrypted_models():
    for model in apps.get_app_config("incidents").get_models():
        fields = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt all incident texts with the first key of INCIDENT_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        total = 0
        for model, fields in encrypted_models():
            count = 0
            last_pk = 0
            while True:
                with transaction.atomic():
                    batch = list(
                        model.objects.select_for_update()
                        .filter(pk__gt=last_pk)
                        .order_by("pk")
                        .only("pk", *fields)[:batch_size]
                    )
                    if not batch:
                        break
                    for row in batch:
                        for name in fields:
                            value = getattr(row, name)
                            if value is not None and not sealing.is_sealed(value):
                                setattr(row, name, crypto.decrypt(value))  # a plain str: stored with the newest key
                    model.objects.bulk_update(batch, fields)
                last_pk = batch[-1].pk
                count += len(batch)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use the newest key."))
