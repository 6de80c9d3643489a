"""Let the `reviewers` group read the review audit trail (`ReviewDecision`) in the admin.

The admin shows the trail read-only to users holding `review.view_reviewdecision`; the demo
points its user there. The permission is created here because post_migrate runs only after
`migrate` has finished.
"""

from django.db import migrations

GROUP = "reviewers"
CODENAME = "view_reviewdecision"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="review", model="reviewdecision")
    permission, _ = Permission.objects.get_or_create(
        codename=CODENAME, content_type=content_type, defaults={"name": "Can view review decision"}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(*group.permissions.filter(codename=CODENAME))


class Migration(migrations.Migration):
    dependencies = [("review", "0002_reviewers_group")]

    operations = [migrations.RunPython(grant, revoke)]
