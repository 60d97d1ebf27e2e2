# The groups' permissions as granted at the time; today's list is accounts/roles.py
# GROUP_PERMISSIONS, applied by comments 0005_role_groups.
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Writers and editors both upload and describe images; only editors delete one (and an image
# in use cannot be deleted at all). Moderators get nothing here.
WRITER_CODENAMES = ["add_image", "change_image", "view_image"]
EDITOR_CODENAMES = [*WRITER_CODENAMES, "delete_image"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in [("Writers", WRITER_CODENAMES), ("Editors", EDITOR_CODENAMES)]:
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    image_permissions = Permission.objects.filter(content_type__app_label="images")
    for group in Group.objects.filter(name__in=["Writers", "Editors"]):
        group.permissions.remove(*image_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0019_remove_old_image_columns"),
        ("articles", "0004_writer_and_editor_roles"),
        ("comments", "0002_moderator_and_editor_groups"),
        ("images", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
