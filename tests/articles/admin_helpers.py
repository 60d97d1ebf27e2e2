"""Helpers for the article admin tests: roles, forms as a browser sends them, the workflow log."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleRevision, ArticleTransition, Byline
from authors.models import Author
from tests.factories import ArticleFactory, AuthorFactory
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
