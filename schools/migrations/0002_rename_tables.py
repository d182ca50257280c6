"""The moved tables take the ``schools_`` names (the many-to-many table of
safety officers follows its district), and their content types follow the
models, so permissions given on them are kept."""

from django.db import migrations

MOVED = ("district", "school", "membership", "endedmembership")


def content_types_follow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.filter(app_label="classroom", model=model).first()
        if old is None:
            continue
        if ContentType.objects.filter(app_label="schools", model=model).exists():
            old.delete()
        else:
            old.app_label = "schools"
            old.save(update_fields=["app_label"])


def content_types_go_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="schools", model__in=MOVED).update(app_label="classroom")


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0001_initial"),
        ("classroom", "0005_schools_move_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="district", table=None),
        migrations.AlterModelTable(name="school", table=None),
        migrations.AlterModelTable(name="membership", table=None),
        migrations.AlterModelTable(name="endedmembership", table=None),
        migrations.RenameIndex(
            model_name="membership", new_name="schools_mem_school__bc9518_idx", old_name="classroom_m_school__3f54ed_idx"
        ),
        migrations.RunPython(content_types_follow, content_types_go_back),
    ]
