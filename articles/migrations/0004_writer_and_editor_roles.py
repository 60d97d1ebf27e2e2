# The groups' permissions as granted at the time; today's list is accounts/roles.py
# GROUP_PERMISSIONS, applied by comments 0005_role_groups.
from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER_PERMISSIONS = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "add_byline"),
    ("articles", "change_byline"),
    ("articles", "delete_byline"),
    ("articles", "view_byline"),
    ("articles", "view_section"),
    ("articles", "view_source"),
    ("authors", "view_author"),
    ("taggit", "view_tag"),
    ("taggit", "add_tag"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.set(
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in WRITER_PERMISSIONS
    )
    # Editors do everything on articles, authors, sources, sections and tags (publishing
    # included, which did not exist when the group was made) and moderate comments.
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["articles", "authors", "taggit", "comments"]
        )
    )


def remove_writers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Writers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_workflow_revisions_previews_notes"),
        ("comments", "0002_moderator_and_editor_groups"),
    ]

    operations = [migrations.RunPython(create_roles, remove_writers)]
