"""Refused input: 400, the error next to the field, the typed values kept. Odd input kept intact."""

import pytest
from django.test import Client

from comments.models import Comment
from comments.moderation.actions import approve
from tests.comments.helpers import comment_data, parse, post_comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def refused(client, article, field: str, **overrides):
    """Post, expect 400, and return (error text next to `field`, the re-rendered form)."""
    response = post_comment(client, article, **overrides)
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    form = parse(response).find("form", class_="comment-form")
    error = form.find(id=f"id_{field}_error")
    assert error is not None, f"no error shown for {field}"
    # the error sits in the same paragraph as the field
    assert error.find_parent("p").find(attrs={"name": field}) is not None
    return error.get_text(" ", strip=True), form


def typed_value(form, field: str) -> str:
    element = form.find(attrs={"name": field})
    if element.name == "textarea":
        return element.get_text().removeprefix("\n")
    return element.get("value", "")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("name", "Please enter your name."),
        ("email", "Please enter your email."),
        ("body", "Please write a comment."),
    ],
)
def test_missing_required_field(client, article, field, message):
    error, form = refused(client, article, field, **{field: ""})
    assert error == message
    for other in {"name", "email", "body"} - {field}:
        assert typed_value(form, other) == comment_data()[other]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "n" * 246, "Name is too long: at most 245 characters (you typed 246)."),
        (
            "email",
            "a" * 90 + "@example.com",
            "Email is too long: at most 100 characters (you typed 102).",
        ),
        (
            "website",
            "https://example.com/" + "w" * 181,
            "Website is too long: at most 200 characters (you typed 201).",
        ),
        (
            "body",
            "b" * 65526,
            "Comment is too long: at most 65,525 characters (you typed 65526).",
        ),
    ],
)
def test_too_long(client, article, field, value, message):
    error, form = refused(client, article, field, **{field: value})
    assert "too long" in error
    assert error == message
    assert typed_value(form, field) == value


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "a @example.com", "@example.com"])
def test_invalid_email(client, article, email):
    error, form = refused(client, article, "email", email=email)
    assert error == "Enter a valid email address."
    assert typed_value(form, "email") == email


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "ftp://x.example", "data:text/html,hi", "http://"]
)
def test_bad_website(client, article, website):
    error, form = refused(client, article, "website", website=website)
    assert error == "Enter a web address starting with http:// or https://."
    assert typed_value(form, "website") == website


def test_website_without_scheme_gets_https(client, article):
    post_comment(client, article, website="ada.example")
    assert Comment.objects.get().website == "https://ada.example"


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x85"])
@pytest.mark.parametrize("field", ["name", "body"])
def test_control_characters_refused(client, article, field, char):
    response = post_comment(client, article, **{field: f"bad{char}value"})
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    error = parse(response).find(id=f"id_{field}_error")
    assert error is not None
    text = error.get_text(" ", strip=True)
    assert text in (
        "Remove the invisible control characters from this field.",
        "Null characters are not allowed.",
    )


def test_tabs_and_newlines_allowed(client, article):
    post_comment(client, article, body="line one\r\n\tline two")
    assert Comment.objects.get().body == "line one\n\tline two"


@pytest.mark.parametrize("field", ["name", "body"])
@pytest.mark.parametrize("value", ["   ", "\n\n", " \t "])
def test_whitespace_only_refused(client, article, field, value):
    error, form = refused(client, article, field, **{field: value})
    assert error in (
        "This field cannot be only spaces.",
        "Please enter your name.",
        "Please write a comment.",
    )


def test_name_stripped(client, article):
    post_comment(client, article, name="  Ada  ")
    assert Comment.objects.get().name == "Ada"


# Adversarial content stored and shown intact (escaped)

SCRIPT = "<script>alert(1)</script>"


def test_script_escaped_everywhere(client, article):
    post_comment(client, article, name=SCRIPT, body=SCRIPT, website=f"https://x.example/{SCRIPT}")
    comment = Comment.objects.get()
    assert comment.name == SCRIPT and comment.body == SCRIPT
    approve([comment], actor=None)
    page = Client().get(article.get_absolute_url())
    html = page.content.decode()
    assert "<script>alert" not in html
    li = parse(page).find(id=f"comment-{comment.pk}")
    assert SCRIPT in li.find(class_="comment__author").get_text()
    assert SCRIPT in li.find(class_="comment__body").get_text()


def test_script_escaped_in_refused_form(client, article):
    response = post_comment(client, article, name=SCRIPT, body=SCRIPT, email="bad")
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()


def test_javascript_link_in_body_not_linked(client, article):
    post_comment(client, article, body="click javascript:alert(1) now")
    approve(Comment.objects.all(), actor=None)
    li = parse(Client().get(article.get_absolute_url())).find(class_="comment__body")
    assert li.find("a") is None


def test_body_link_has_rel(client, article):
    post_comment(client, article, body="see https://a.example/page")
    approve(Comment.objects.all(), actor=None)
    link = parse(Client().get(article.get_absolute_url())).find(class_="comment__body").find("a")
    assert link["href"] == "https://a.example/page"
    assert set(link["rel"]) >= {"nofollow", "ugc", "noopener"}


def test_huge_body_refused_with_limit(client, article):
    body = "x" * 100_000
    response = post_comment(client, article, body=body)
    assert response.status_code == 400
    error = parse(response).find(id="id_body_error").get_text(" ", strip=True)
    assert "at most 65,525 characters" in error
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "text",
    ["abc\u202edef", "Great 👍🏽 work", "Cafe\u0301 e\u0301te\u0301", "שלום عربى mixed", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"],
)
def test_unicode_stored_and_shown_intact(client, article, text):
    response = post_comment(client, article, name=text, body=text)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.name == text and comment.body == text
    approve([comment], actor=None)
    li = parse(Client().get(article.get_absolute_url())).find(id=f"comment-{comment.pk}")
    assert li.find(class_="comment__author").get_text(strip=True) == text
    assert li.find(class_="comment__body").get_text(strip=True) == text


def test_non_ascii_digits_in_replytocom_are_not_a_500(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url(), {"replytocom": "\u00b2"})

    assert response.status_code == 200


def test_a_comment_name_must_fit_on_one_line(client, settings):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    article = ArticleFactory()

    response = post_comment(client, article, name="Ann\nEvil", email="a@example.com", body="Hi")

    assert response.status_code == 400
    assert "Your name must fit on one line." in response.content.decode()
