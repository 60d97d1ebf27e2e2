"""accounts.roles: who may do what, for each role, and the groups the migrations create."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.management import call_command

from accounts import roles
from articles.models import Article
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Article.Status
WHO = ["editor", "writer", "moderator", "superuser", "staff without a role", "anonymous"]


def person(who: str):
    if who == "anonymous":
        return AnonymousUser()
    user = UserFactory(username=who.replace(" ", "-"), is_staff=True)
    if who == "superuser":
        user.is_superuser = True
        user.save()
    group = {"editor": roles.EDITORS, "writer": roles.WRITERS, "moderator": roles.MODERATORS}
    if who in group:
        user.groups.add(Group.objects.get(name=group[who]))
    return user


# Each predicate about a user alone, for each role: True for the roles listed.
USER_PREDICATES = {
    "is_editor": {"editor", "superuser"},
    "is_writer": {"writer"},
    "is_moderator": {"moderator", "editor", "superuser"},
    "can_open_articles": {"editor", "writer", "superuser"},
    "can_use_media_library": {"editor", "writer", "superuser"},
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("predicate", USER_PREDICATES)
def test_user_predicates_for_each_role(predicate, who):
    user = person(who)

    assert getattr(roles, predicate)(user) is (who in USER_PREDICATES[predicate])


@pytest.mark.parametrize("predicate", USER_PREDICATES)
def test_a_deactivated_editor_may_do_nothing(predicate):
    editor = person("editor")
    editor.is_active = False
    editor.save()

    assert not getattr(roles, predicate)(editor)


def article_of(owner, status: str) -> Article:
    published = status in {Status.PUBLISHED, Status.UNPUBLISHED}
    return ArticleFactory(status=status, created_by=owner, **({} if published else {"draft": 1}))


EDITORS_ALL = {"editor", "superuser"}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("status", "own", "may_edit"),
    [
        (Status.DRAFT, True, EDITORS_ALL | {"writer"}),
        (Status.RETURNED, True, EDITORS_ALL | {"writer"}),
        (Status.IN_REVIEW, True, EDITORS_ALL),  # with the editor now
        (Status.PUBLISHED, True, EDITORS_ALL),
        (Status.UNPUBLISHED, True, EDITORS_ALL),
        (Status.DRAFT, False, EDITORS_ALL),  # another writer's draft
    ],
)
def test_can_edit(who, status, own, may_edit):
    user = person(who)
    other = UserFactory(username="other-writer")
    article = article_of(user if own and user.is_authenticated else other, status)

    assert roles.can_edit(user, article) is (who in may_edit)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.UNPUBLISHED])
@pytest.mark.parametrize(
    ("own", "may_preview"),
    [(True, EDITORS_ALL | {"writer"}), (False, EDITORS_ALL)],
)
def test_can_preview(who, status, own, may_preview):
    user = person(who)
    other = UserFactory(username="other-writer")
    article = article_of(user if own and user.is_authenticated else other, status)

    assert roles.can_preview(user, article) is (who in may_preview)


def test_a_writer_who_is_not_staff_previews_nothing():
    writer = UserFactory(username="not-staff", is_staff=False)
    writer.groups.add(Group.objects.get(name=roles.WRITERS))

    assert not roles.can_preview(writer, article_of(writer, Status.DRAFT))


def permissions_of(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_migrated_groups_have_exactly_the_listed_permissions():
    # The test database is built by the migrations: this fails when GROUP_PERMISSIONS changes
    # without a migration that brings the groups along.
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.GROUP_PERMISSIONS)
    for name, permissions in roles.GROUP_PERMISSIONS.items():
        assert permissions_of(Group.objects.get(name=name)) == permissions, name


def test_ensure_role_groups_restores_what_is_missing_and_keeps_additions():
    editors = Group.objects.get(name=roles.EDITORS)
    editors.permissions.remove(Permission.objects.get(codename="publish_article"))
    extra = Permission.objects.get(codename="view_usedformtoken")
    editors.permissions.add(extra)
    Group.objects.get(name=roles.MODERATORS).delete()

    groups = roles.ensure_role_groups()

    assert set(groups) == set(roles.GROUP_PERMISSIONS)
    assert permissions_of(editors) == roles.GROUP_PERMISSIONS[roles.EDITORS] | {
        "comments.view_usedformtoken"
    }
    moderators = Group.objects.get(name=roles.MODERATORS)
    assert permissions_of(moderators) == roles.GROUP_PERMISSIONS[roles.MODERATORS]


def test_an_unknown_permission_is_an_error_not_skipped(monkeypatch):
    monkeypatch.setitem(
        roles.GROUP_PERMISSIONS, roles.WRITERS, frozenset({"articles.publish_articel"})
    )

    with pytest.raises(LookupError, match="articles.publish_articel"):
        roles.ensure_role_groups()


def test_the_demo_content_grants_the_same_permissions():
    for group in Group.objects.all():
        group.permissions.clear()

    call_command("seed_demo", stdout=io.StringIO())

    for name, permissions in roles.GROUP_PERMISSIONS.items():
        assert permissions_of(Group.objects.get(name=name)) == permissions, name
