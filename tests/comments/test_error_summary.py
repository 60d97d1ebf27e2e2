"""A refused comment lands on its errors: title prefix, error summary, the form's #respond."""

import pytest

from comments.models import Comment
from tests.comments.helpers import comment_data, parse, post_comment, post_url, text_of
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(title="Winter aid convoy reaches Kharkiv")


def summary_of(response):
    return parse(response).find(id="error-summary")


def test_form_action_lands_on_the_form(client, article):
    page = parse(client.get(article.get_absolute_url()))
    form = page.find("form", class_="comment-form")
    assert form["action"] == f"{post_url(article)}#respond"
    assert form.find_parent(id="respond") is not None


def test_article_page_has_no_error_summary_or_prefix(client, article):
    response = client.get(article.get_absolute_url())
    assert summary_of(response) is None
    assert not parse(response).title.get_text().startswith("Error:")


def test_refused_post_prefixes_the_title(client, article):
    response = post_comment(client, article, email="олена@")
    assert response.status_code == 400
    title = parse(response).title.get_text()
    assert title.startswith("Error: Winter aid convoy reaches Kharkiv")


def test_error_summary_links_each_error_to_its_field(client, article):
    response = post_comment(client, article, name="", email="олена@", body="")
    assert response.status_code == 400
    summary = summary_of(response)
    assert summary is not None
    assert summary["role"] == "alert"
    assert summary["tabindex"] == "-1"
    assert text_of(summary.find(["h2", "h3", "h4"])) == "There is a problem"
    links = [(a["href"], text_of(a)) for a in summary.select("li a")]
    assert [href for href, _ in links] == ["#id_name", "#id_email", "#id_body"]
    assert links[0][1] == "Please enter your name."
    assert links[2][1] == "Please write a comment."
    page = parse(response)
    for href, _ in links:
        assert page.find(id=href[1:]) is not None, href
    # The summary sits at the top of the form, before the first field.
    form = page.find("form", class_="comment-form")
    assert form.find(id="error-summary") is not None
    first_field = form.find(id="id_name")
    assert summary.find_all_next(id="id_name") == [first_field]
    assert Comment.objects.count() == 0


def test_fields_keep_their_own_errors_and_typed_values(client, article):
    response = post_comment(client, article, email="олена@", body="Still here.")
    page = parse(response)
    email_error = page.find(id="id_email_error")
    assert email_error is not None and text_of(email_error)
    assert email_error.get("role") is None  # the summary is the one alert
    assert page.find(id="id_email")["value"] == "олена@"
    assert page.find(id="id_name")["value"] == "Ada Reader"
    assert text_of(page.find(id="id_body")) == "Still here."
    assert [a["href"] for a in summary_of(response).select("li a")] == ["#id_email"]


def test_form_wide_error_is_listed_without_a_link(client, article, settings):
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 15
    post_comment(client, article)
    response = post_comment(client, article, name="Other", email="o@example.com", body="Again")
    assert response.status_code == 429
    summary = summary_of(response)
    assert "too quickly" in text_of(summary)
    assert summary.select("li a") == []
    assert parse(response).title.get_text().startswith("Error: ")


def test_closed_comments_summary_lists_only_the_closing(client):
    article = ArticleFactory(comments_enabled=False)
    response = client.post(post_url(article), comment_data(name="", timestamp="x"))
    assert response.status_code == 403
    summary = summary_of(response)
    assert text_of(summary.find("ul")) == "Comments are closed."
    assert parse(response).title.get_text().startswith("Error: ")
