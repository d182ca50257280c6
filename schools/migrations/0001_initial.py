"""Districts, schools, memberships and ended memberships move here from the
classroom app. Only Django's picture of the models moves: the tables stay
where they are (renamed in 0002), so an existing database keeps every row."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ROLE_CHOICES = [
    ("student", "Student"),
    ("teacher", "Teacher"),
    ("counselor", "Counselor"),
    ("school_admin", "School admin"),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("classroom", "0004_notices_rosters_ended_memberships"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="District",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        ("code", models.CharField(max_length=20, unique=True, verbose_name="code")),
                        (
                            "safety_officers",
                            models.ManyToManyField(
                                blank=True, related_name="districts_as_safety_officer", to=settings.AUTH_USER_MODEL
                            ),
                        ),
                    ],
                    options={"db_table": "classroom_district"},
                ),
                migrations.CreateModel(
                    name="School",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "code",
                            models.CharField(
                                max_length=12,
                                unique=True,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^[A-Z0-9]{4,12}$", "Use 4 to 12 capital letters and digits."
                                    )
                                ],
                                verbose_name="school code",
                            ),
                        ),
                        (
                            "level",
                            models.CharField(
                                choices=[
                                    ("elementary", "Elementary school"),
                                    ("middle", "Middle school"),
                                    ("high", "High school"),
                                ],
                                default="middle",
                                max_length=12,
                                verbose_name="school level",
                            ),
                        ),
                        (
                            "jurisdiction",
                            models.CharField(
                                choices=[
                                    ("KR", "South Korea"),
                                    ("US", "United States"),
                                    ("UK", "United Kingdom"),
                                    ("AU", "Australia"),
                                ],
                                default="KR",
                                max_length=2,
                                verbose_name="jurisdiction",
                            ),
                        ),
                        (
                            "default_language",
                            models.CharField(
                                choices=[("ko", "한국어"), ("en", "English")],
                                default="ko",
                                max_length=8,
                                verbose_name="default language",
                            ),
                        ),
                        (
                            "district",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, related_name="schools", to="schools.district"
                            ),
                        ),
                    ],
                    options={"ordering": ["name"], "db_table": "classroom_school"},
                ),
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=ROLE_CHOICES, max_length=20, verbose_name="role")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="schools.school",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "classroom_membership",
                        "indexes": [models.Index(fields=["school", "role"], name="classroom_m_school__3f54ed_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("user", "school", "role"), name="unique_membership")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="EndedMembership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=ROLE_CHOICES, max_length=20, verbose_name="role")),
                        ("ended_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "ended_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="ended_memberships",
                                to="schools.school",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"ordering": ["-ended_at"], "db_table": "classroom_endedmembership"},
                ),
            ],
        )
    ]
