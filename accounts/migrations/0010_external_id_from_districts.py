"""ExternalId comes from districts (see districts' 0003): the same table,
renamed, with the same constraints."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_invitation_district_decline_events"),
        ("districts", "0003_external_id_moves_to_accounts"),
        ("schools", "0002_rename_tables"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE districts_externalid RENAME TO accounts_externalid",
                    "ALTER TABLE accounts_externalid RENAME TO districts_externalid",
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ExternalId",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("value", models.CharField(max_length=200, verbose_name="school account ID")),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="external_ids",
                                to="schools.district",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="external_ids",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(fields=("district", "value"), name="unique_external_id_per_district"),
                            models.UniqueConstraint(fields=("district", "user"), name="one_external_id_per_person_per_district"),
                        ],
                    },
                )
            ],
        ),
    ]
