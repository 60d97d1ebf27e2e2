"""Every <time datetime> on the public pages is a valid HTML global date and time string.

``|date:'c'`` printed microseconds (``…T21:53:52.922279+00:00``); HTML allows at most three
fractional digits, so the Nu HTML Checker reported each one as an error.
"""

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from comments.models import Comment
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, SectionFactory
from tests.helpers import parse

pytestmark = pytest.mark.django_db

# The HTML standard's "valid global date and time string": a date, "T" or a space, a time
# (seconds optional, one to three fractional digits), then "Z" or an offset.
GLOBAL_DATE_AND_TIME = re.compile(
    r"\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]"
    r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?"
    r"(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)"
)
# A moment with microseconds, the kind |date:'c' printed with six digits.
PRECISE = datetime(2026, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


@pytest.fixture
def pages():
    section = SectionFactory(slug="world")
    author = AuthorFactory(slug="olena")
    article = ArticleFactory(
        slug="precise",
        title="Convoy reaches Kharkiv",
        body="<p>The convoy reached Kharkiv at night.</p>",
        section=section,
        authors=[author],
        tags=["kharkiv"],
        published_at=PRECISE,
    )
    ArticleFactory(title="Related story", section=section, published_at=PRECISE)
    CommentFactory(
        article=article,
        name="Halyna",
        email="halyna@example.com",
        body="Thank you for this report.",
        status=Comment.Status.APPROVED,
    )
    return [
        "/",
        article.get_absolute_url(),
        "/search/?q=convoy",
        "/authors/olena/",
        "/sections/world/",
        "/tags/kharkiv/",
        "/archive/2026/",
        "/archive/2026/3/",
    ]


def test_every_time_element_has_a_valid_datetime(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        times = parse(response).select("time")
        assert times, f"no <time> on {url}"
        for element in times:
            value = element["datetime"]
            assert GLOBAL_DATE_AND_TIME.fullmatch(value), f"{value!r} on {url}"


def test_article_comment_times_are_valid(client, pages):
    response = client.get(pages[1])
    page = parse(response)
    comment_time = page.select_one(".comment time")["datetime"]
    assert GLOBAL_DATE_AND_TIME.fullmatch(comment_time)


@pytest.mark.parametrize(
    ("time_zone", "expected"),
    [("UTC", "2026-03-14T09:26:53+00:00"), ("Europe/Kyiv", "2026-03-14T11:26:53+02:00")],
)
def test_iso_datetime_drops_microseconds_in_the_current_time_zone(settings, time_zone, expected):
    settings.TIME_ZONE = time_zone
    template = Template("{% load articles_tags %}{{ moment|iso_datetime }}")
    assert template.render(Context({"moment": PRECISE})) == expected


def test_iso_datetime_of_nothing_is_empty():
    template = Template("{% load articles_tags %}[{{ moment|iso_datetime }}]")
    assert template.render(Context({"moment": None})) == "[]"
