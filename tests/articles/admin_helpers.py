"""Helpers for the article admin tests: roles, forms as a browser sends them, the workflow log."""

import re
from datetime import timedelta

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleRevision, ArticleTransition, Byline
from authors.models import Author
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, UserFactory, image_file
from tests.helpers import NEW_DRAFT_FORM, parse, text_of

Status = Article.Status
ADD_URL = "/admin/articles/article/add/"
CHANGELIST_URL = "/admin/articles/article/"
NOTE = "Add a second source for the casualty figure."


def delete_url(article) -> str:
    return reverse("admin:articles_article_delete", args=[article.pk])


def history_url(article) -> str:
    return reverse("admin:articles_article_revisions", args=[article.pk])


def make_article(status: str, owner, **fields) -> Article:
    """A complete article (section, dek, body, byline) in ``status``, written by ``owner``."""
    profile = Author.objects.filter(user=owner).first() if owner else None
    fields.setdefault("authors", [profile or AuthorFactory()])
    published = status in {Status.PUBLISHED, Status.UNPUBLISHED}
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1) if published else None)
    return ArticleFactory(status=status, created_by=owner, updated_by=owner, **fields)


def local_parts(value) -> tuple[str, str]:
    if value is None:
        return "", ""
    value = timezone.localtime(value)
    return f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"


def form_data(article: Article | None = None, *, authors=(), **fields) -> dict:
    """What the admin form sends: ``article`` as stored (or a new draft), plus ``fields``.

    The byline inline is the ``bylines`` formset; an existing article sends its rows back.
    """
    if article is None:
        data = {
            **NEW_DRAFT_FORM,
            "workflow_note": "",
            "loaded_version": "0",
            "bylines-TOTAL_FORMS": str(len(authors)),
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
        for index, (author, position) in enumerate(authors):
            data[f"bylines-{index}-author"] = str(author.pk)
            data[f"bylines-{index}-position"] = str(position)
    else:
        article.refresh_from_db()
        bylines = list(article.bylines.order_by("position", "id"))
        date, time = local_parts(article.published_at)
        data = {
            "title": article.title,
            "slug": article.slug,
            "dek": article.dek,
            "body": article.body,
            "image": str(article.image_id or ""),
            "section": str(article.section_id or ""),
            "tags": ", ".join(article.tags.names()),
            "source": str(article.source_id or ""),
            "source_url": article.source_url,
            "published_at_0": date,
            "published_at_1": time,
            "workflow_note": "",
            "loaded_version": str(article.version),
            "bylines-TOTAL_FORMS": str(len(bylines)),
            "bylines-INITIAL_FORMS": str(len(bylines)),
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        }
        if article.comments_enabled:
            data["comments_enabled"] = "on"
        for index, byline in enumerate(bylines):
            data[f"bylines-{index}-id"] = str(byline.pk)
            data[f"bylines-{index}-article"] = str(article.pk)
            data[f"bylines-{index}-author"] = str(byline.author_id)
            data[f"bylines-{index}-position"] = str(byline.position)
    data.update(fields)
    return data


def db_state() -> dict:
    """Everything a refused request must leave as it was."""
    return {
        "articles": list(
            Article.objects.order_by("pk").values(
                "pk",
                "title",
                "dek",
                "body",
                "section",
                "status",
                "published_at",
                "version",
                "updated_at",
                "updated_by",
            )
        ),
        "bylines": list(Byline.objects.order_by("pk").values_list("article", "author", "position")),
        "transitions": list(ArticleTransition.objects.order_by("pk").values_list("pk", flat=True)),
        "revisions": list(ArticleRevision.objects.order_by("pk").values_list("pk", flat=True)),
    }


def messages_of(response, level: str) -> list[str]:
    """The messages of one level ("success", "error") shown on the page."""
    return [text_of(li) for li in parse(response).select(f"ul.messagelist li.{level}")]


def workflow_messages(response) -> list[str]:
    """The successes of the workflow (Django adds its own "was changed successfully")."""
    return [m for m in messages_of(response, "success") if not m.endswith("successfully.")]


def workflow_buttons(response) -> list[str]:
    return [text_of(button) for button in parse(response).select("button[name=_workflow]")]


def future_time(days: int = 3):
    return (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)


def assert_transition(transition, *, actor, from_status, to_status, note=""):
    assert (transition.actor, transition.from_status, transition.to_status, transition.note) == (
        actor,
        from_status,
        to_status,
        note,
    )


def management_form(admin_client) -> dict[str, str]:
    """The byline formset's management form, as the add page serves it."""
    response = admin_client.get(ADD_URL)
    assert response.status_code == 200
    form = parse(response).find("form", id="article_form")
    total = form.find("input", attrs={"name": re.compile(r"-TOTAL_FORMS$")})
    prefix = total["name"].removesuffix("-TOTAL_FORMS")
    assert prefix == "bylines"
    return {
        field["name"]: field.get("value", "")
        for field in form.find_all("input", attrs={"name": re.compile(rf"^{prefix}-[A-Z_]+$")})
    }


def article_post_data(admin_client, authors=(), **fields) -> dict:
    """What the add form sends for a draft with a title, slug and dek, plus ``fields``."""
    data = management_form(admin_client)
    data.update(
        {
            **NEW_DRAFT_FORM,
            "bylines-TOTAL_FORMS": str(len(authors)),
        }
    )
    for index, (author, position) in enumerate(authors):
        data[f"bylines-{index}-author"] = str(author.pk)
        data[f"bylines-{index}-position"] = str(position)
    # Status is not a form field: the "Publish / schedule" button sends _workflow=publish.
    if fields.pop("status", "draft") == "published":
        fields["_workflow"] = "publish"
    data.update(fields)
    return data


def full_article_data(admin_client, filing, **fields) -> dict:
    return article_post_data(
        admin_client,
        authors=[(filing["first"], 0), (filing["second"], 1)],
        body="<p>Hello</p><script>x</script>",
        section=str(filing["section"].pk),
        tags="Ukraine, Energy",
        source=str(filing["source"].pk),
        source_url="https://www.kyivpost.com/post/123",
        status="published",
        image=str(
            ImageFactory(
                file=image_file("grid.jpg"),
                alt_text="Engineers at a substation",
                caption="Repairs in Kyiv.",
                credit="Photo: Olena Kovalenko",
            ).pk
        ),
        **fields,
    )


def article_data(client, filing, **changes) -> dict:
    """A complete article, published, as the add form sends it; then ``changes``."""
    data = full_article_data(client, filing)
    data.update(changes)
    return data


COMPLETE_BODY = "<p>Engineers restored power to the eastern districts overnight.</p>"


def logged_in_editor(client):
    """The client, logged in as a new member of Editors, and that editor."""
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client, editor
