"""Shared helpers for the comment tests."""

from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.factories import CommentFactory
from tests.helpers import parse, text_of  # noqa: F401 (the comment tests import them from here)


def post_url(article) -> str:
    return reverse("comments:post", args=[article.slug])


def form_tokens(client: Client, article) -> dict:
    """What the page's script fetches when the reader starts writing: the CSRF token and the
    signed form token (the page itself, the same for every reader, carries neither)."""
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    answer = client.get(reverse("comments:form_tokens", args=[article.slug]))
    assert answer.status_code == 200
    return answer.json()


def form_timestamp(client: Client, article) -> str:
    return form_tokens(client, article)["timestamp"]


def comment_data(**overrides) -> dict:
    data = {
        "name": "Ada Reader",
        "email": "ada@example.com",
        "website": "",
        "body": "A thoughtful comment.",
    }
    data.update(overrides)
    return data


def post_comment(client: Client, article, **overrides):
    """GET the page for a fresh signed timestamp, then POST the comment form."""
    data = comment_data(**overrides)
    data.setdefault("timestamp", form_timestamp(client, article))
    return client.post(post_url(article), {k: v for k, v in data.items() if v is not None})


def make_comment(article, *, parent=None, status=Comment.Status.APPROVED, **fields) -> Comment:
    """A stored comment; saving places it in its thread, as for a posted one."""
    return CommentFactory(article=article, parent=parent, status=status, **fields)


def post_with_meta(client, article, meta: dict, **overrides):
    """Post the comment form with extra request headers / WSGI environ entries."""
    data = comment_data(**overrides)
    data["timestamp"] = form_timestamp(client, article)
    return client.post(post_url(article), data, **meta)
