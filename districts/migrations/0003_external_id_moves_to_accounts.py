"""ExternalId moves to accounts (the class roster fills it, and classroom
sits below districts). Only Django's idea of the model moves here; the
table is renamed by accounts' migration, rows and all."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0002_school_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ExternalId")]),
    ]
