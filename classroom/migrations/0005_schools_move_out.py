"""Districts, schools, memberships and ended memberships now belong to the
``schools`` app. The classroom forgets them; their tables stay (``schools``
renames them in its next migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("classroom", "0004_notices_rosters_ended_memberships"),
        ("schools", "0001_initial"),
        ("accounts", "0005_invitation_school_in_schools"),
        ("incidents", "0002_schools_in_schools"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="classroom",
                    name="school",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="classrooms", to="schools.school"
                    ),
                ),
                migrations.DeleteModel(name="EndedMembership"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="School"),
                migrations.DeleteModel(name="District"),
            ],
        )
    ]
