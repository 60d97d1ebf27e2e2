"""Shared helpers for the comment tests."""

from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from comments.models import Comment


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def text_of(element) -> str:
    return " ".join(element.get_text().split())


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
    values = {"name": "Reader", "email": "reader@example.com", "body": "Stored comment."}
    values.update(fields)
    return Comment.objects.create(article=article, parent=parent, status=status, **values)
