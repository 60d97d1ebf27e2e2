"""The role groups get their permissions from accounts.roles.GROUP_PERMISSIONS, the one list.

Earlier migrations (comments 0002, articles 0004 and 0020) created the groups with the lists
of their day and stay as they ran. This one applies the current list, adding what a group
lacks; a later change to the roles is a new migration calling ``ensure_role_groups`` again.
It lives in comments, the top app, because it needs the permissions of every app below.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import ensure_role_groups


def grant_role_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_comment_network_data_index"),
        ("articles", "0020_image_library_roles"),
        ("authors", "0002_no_control_characters"),
        ("images", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    # Going back leaves the groups as they are: this migration only added what was missing.
    operations = [migrations.RunPython(grant_role_permissions, migrations.RunPython.noop)]
