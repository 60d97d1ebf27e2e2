"""Who may do what: the newsroom's roles, their permissions, and every "may this user …?".

Three roles, each a group: **Editors** (edit, publish and delete any article, add corrections,
moderate comments), **Writers** (write and submit their own articles) and **Moderators**
(moderate comments, list published articles). ``GROUP_PERMISSIONS`` is the one list of what
each group is granted: the migration comments 0004 and the demo loader both apply it through
``ensure_role_groups()``, and a test checks the migrated groups hold exactly these permissions.

The predicates ask for permissions, not group names, so a superuser is every role and a group
an administrator builds from the same permissions behaves the same. They live in accounts, the
lowest app, so the admin, views and workflow of every app above may ask them; an article is
therefore described here by what is asked of it (``RoleArticle``), not imported.
"""

from typing import Protocol

from django.apps import apps as global_apps

EDITORS = "Editors"
WRITERS = "Writers"
MODERATORS = "Moderators"

PUBLISH_ARTICLE = "articles.publish_article"
CHANGE_ARTICLE = "articles.change_article"
ADD_ARTICLE = "articles.add_article"
MODERATE_COMMENT = "comments.moderate_comment"


def _every(app_label: str, *models: str) -> set[str]:
    return {
        f"{app_label}.{action}_{model}"
        for model in models
        for action in ("add", "change", "delete", "view")
    }


# "app_label.codename", as user.has_perm() takes them.
GROUP_PERMISSIONS: dict[str, frozenset[str]] = {
    EDITORS: frozenset(
        {PUBLISH_ARTICLE, MODERATE_COMMENT}
        | _every(
            "articles",
            "article",
            "articlenote",
            "articlerevision",
            "articletransition",
            "byline",
            "previewlink",
            "section",
            "source",
        )
        | _every("authors", "author")
        | _every("comments", "blockedcommenter", "comment", "moderationlogentry")
        | _every("images", "image")
        | _every("taggit", "tag", "taggeditem")
    ),
    WRITERS: frozenset(
        {
            ADD_ARTICLE,
            CHANGE_ARTICLE,
            "articles.view_article",
            # The byline is an inline of the article form: writers credit themselves there.
            "articles.add_byline",
            "articles.change_byline",
            "articles.delete_byline",
            "articles.view_byline",
            "articles.view_section",
            "articles.view_source",
            "authors.view_author",
            # Writers upload and describe images; only editors delete one.
            "images.add_image",
            "images.change_image",
            "images.view_image",
            "taggit.add_tag",
            "taggit.view_tag",
        }
    ),
    MODERATORS: frozenset(
        {
            "articles.view_article",  # to list what readers see; opening an article is refused
            MODERATE_COMMENT,
            "comments.view_comment",
            "comments.change_comment",  # editing a comment's text (the original is kept)
            "comments.view_moderationlogentry",
        }
        | _every("comments", "blockedcommenter")
    ),
}


def ensure_role_groups(apps=global_apps) -> dict:
    """Create the role groups that are missing and grant each the permissions it lacks.

    Takes nothing away: a permission dropped from ``GROUP_PERMISSIONS`` needs a migration
    that revokes it (the roles test fails until the groups match). A permission that does not
    exist (a typo, a model not migrated yet) is an error, never skipped. ``apps`` is a
    migration's historical registry; the permissions must exist already.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = set().union(*GROUP_PERMISSIONS.values())
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={name.split(".")[0] for name in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    if missing := sorted(wanted - found.keys()):
        raise LookupError(f"Role permissions not found: {', '.join(missing)}.")
    groups = {}
    for name, permissions in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*(found[permission] for permission in sorted(permissions)))
        groups[name] = group
    return groups


class RoleArticle(Protocol):
    """What the roles ask of an article (articles.models.Article)."""

    created_by_id: int | None

    @property
    def is_with_writer(self) -> bool: ...


def is_editor(user) -> bool:
    """Edits, publishes, schedules, unpublishes and deletes any article; features it and
    opens or closes its comments; shares previews; adds corrections. Moderates comments too."""
    return user.is_active and user.has_perm(PUBLISH_ARTICLE)


def is_writer(user) -> bool:
    """Writes articles but does not publish them: sees and edits only their own."""
    return user.has_perm(ADD_ARTICLE) and not is_editor(user)


def is_moderator(user) -> bool:
    """Approves, rejects and edits comments and blocks commenters (editors may too)."""
    return user.is_active and user.has_perm(MODERATE_COMMENT)


def can_edit(user, article: RoleArticle) -> bool:
    """Editors edit anything; writers only their own drafts and returned articles."""
    if not user.is_active or not user.has_perm(CHANGE_ARTICLE):
        return False
    if is_editor(user):
        return True
    return article.created_by_id == user.pk and article.is_with_writer


def can_open_articles(user) -> bool:
    """Whether an article's admin page opens at all (editors any, writers their own; the
    admin narrows it per article). Moderators list published articles but open none."""
    return is_editor(user) or is_writer(user)


def can_preview(user, article: RoleArticle) -> bool:
    """Who may see an unpublished article (or learn its address): editors any, a writer
    their own. Moderators and staff without a role never do."""
    if not (user.is_active and user.is_staff and user.has_perm(CHANGE_ARTICLE)):
        return False
    return is_editor(user) or article.created_by_id == user.pk


def can_use_media_library(user) -> bool:
    """Writers and editors browse, upload and describe library images; moderators do not."""
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("images.view_image") or user.has_perm("images.change_image"))
    )
