"""The comment form on a page every reader shares: its tokens are fetched by the page's
script, and a reader without JavaScript is asked once to send the form again."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.views import SEND_AGAIN_MESSAGE
from tests.factories import ArticleFactory

from .helpers import comment_data, form_tokens, parse, post_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _published_at_once(settings):
    # Held comments and spam are told the same; published at once, a spam verdict shows.
    settings.NEWSROOM_COMMENT_MODERATION = "none"


@pytest.fixture
def article():
    return ArticleFactory(title="Ferry service resumes")


def served_form(response) -> dict:
    """What a browser sends for the comment form as served, with the reader's text typed in."""
    form = parse(response).find("form", class_="comment-form")
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name") and field.get("type") not in {"checkbox", "submit"}
    }
    data["body"] = form.find("textarea", attrs={"name": "body"}).get_text().lstrip("\n")
    return data


def test_the_article_page_carries_no_token_and_sets_no_cookie(article):
    response = Client(enforce_csrf_checks=True).get(article.get_absolute_url())
    form = parse(response).find("form", class_="comment-form")
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"})["value"] == ""
    assert form.find("input", attrs={"name": "timestamp"}).get("value", "") == ""
    assert form["data-tokens"] == reverse("comments:form_tokens", args=[article.slug])
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()


def test_the_tokens_are_the_readers_own_and_never_cached(article):
    client = Client(enforce_csrf_checks=True)
    response = client.get(reverse("comments:form_tokens", args=[article.slug]))
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    tokens = response.json()
    assert tokens["csrfmiddlewaretoken"] and tokens["timestamp"]
    again = client.get(reverse("comments:form_tokens", args=[article.slug])).json()
    assert again["timestamp"] != tokens["timestamp"]  # each form its own, single-use


def test_no_tokens_for_an_unpublished_article():
    draft = ArticleFactory(draft=True)
    response = Client().get(reverse("comments:form_tokens", args=[draft.slug]))
    assert response.status_code == 404


def test_with_the_fetched_tokens_the_comment_is_taken(article, settings):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    client = Client(enforce_csrf_checks=True)
    response = client.post(post_url(article), comment_data(**form_tokens(client, article)))
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_without_javascript_the_reader_sends_again_and_the_comment_is_taken(article):
    """The form as the shared page serves it, sent with no token: the answer is the form with
    the reader's text and both tokens; sending that (at once, with the default minimum time
    of a few seconds) stores the comment, once."""
    client = Client(enforce_csrf_checks=True)
    page = client.get(article.get_absolute_url())
    data = served_form(page) | comment_data(body="Finally, the ferry!")

    first = client.post(post_url(article), data)

    assert first.status_code == 403
    assert Comment.objects.count() == 0
    assert SEND_AGAIN_MESSAGE in first.content.decode()
    again = served_form(first)
    assert again["body"] == "Finally, the ferry!"
    assert again["name"] == "Ada Reader"
    assert again["csrfmiddlewaretoken"] and again["timestamp"]

    second = client.post(post_url(article), again)

    assert second.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == "Finally, the ferry!"
    assert comment.status == Comment.Status.APPROVED


def test_a_post_from_another_site_is_refused_without_the_form(article):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        post_url(article), comment_data(), HTTP_ORIGIN="https://attacker.example"
    )
    assert response.status_code == 403
    assert SEND_AGAIN_MESSAGE not in response.content.decode()
    assert 'class="comment-form"' not in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_forged_token_gets_the_form_again_and_stores_nothing(article):
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    data = comment_data(csrfmiddlewaretoken="b" * 32, timestamp="")
    response = client.post(post_url(article), data)
    assert response.status_code == 403
    assert SEND_AGAIN_MESSAGE in response.content.decode()
    assert Comment.objects.count() == 0
