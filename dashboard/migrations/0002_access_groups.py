"""Create the `analysts` group (may view the dashboard, campaigns and participants) and the
`exporters` group (may also download participants' personal data).

Permissions are normally created after `migrate` finishes (post_migrate), so this migration
creates the ones it needs itself.
"""

from django.db import migrations

GROUPS = {
    "analysts": ("view_dashboard", "Can view the dashboard, campaigns and participants"),
    "exporters": ("export_participants", "Can download participants' personal data (CSV)"),
}


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="dashboard", model="participantexport"
    )
    for group_name, (codename, name) in GROUPS.items():
        permission, _ = Permission.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": name}
        )
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(permission)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
