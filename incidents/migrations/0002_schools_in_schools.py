"""Schools and districts are now ``schools.School`` and ``schools.District``
(the same tables): only Django's picture of the foreign keys changes."""

import django.db.models.deletion
from django.db import migrations, models


def _fk(to: str, related_name: str):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name=related_name, to=to)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("schools", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField("deletionrecord", "school", _fk("schools.school", "+")),
                migrations.AlterField("incidentreport", "school", _fk("schools.school", "incident_reports")),
                migrations.AlterField("incidentreport", "district", _fk("schools.district", "incident_reports")),
                migrations.AlterField("auditevent", "school", _fk("schools.school", "+")),
                migrations.AlterField("auditevent", "district", _fk("schools.district", "+")),
            ],
        )
    ]
