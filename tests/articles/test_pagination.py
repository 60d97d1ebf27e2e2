"""Keyset pages of the listings (articles/pagination.py): odd cursors, and dates before 1970."""

from datetime import UTC, datetime

import pytest

from tests.factories import ArticleFactory
from tests.helpers import parse

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    page = parse(response)
    return [a.get_text(strip=True) for a in page.select(".teaser__title a")]


@pytest.mark.parametrize("param", ["older", "newer"])
@pytest.mark.parametrize("url", ["/", "/archive/2025/"])
def test_non_ascii_digits_in_a_cursor_are_not_a_500(client, param, url):
    ArticleFactory(published_at=datetime(2025, 5, 1, tzinfo=UTC))

    response = client.get(url, {param: "1_\u00b2"})

    assert response.status_code == 200


def test_articles_before_1970_can_be_paged_through(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for day in range(1, 6):
        ArticleFactory(title=f"1969 day {day}", published_at=datetime(1969, 7, day, tzinfo=UTC))
    seen = []
    response = client.get("/")
    for _ in range(5):
        seen += titles(response)
        older = parse(response).find("a", rel="next")
        if older is None:
            break
        response = client.get("/" + older["href"])

    assert seen == [f"1969 day {day}" for day in range(5, 0, -1)]
