"""The date archive: /archive/<year>/ and /archive/<year>/<month>/."""

from datetime import UTC, datetime

import pytest

from articles.models import Article
from tests.factories import ArticleFactory
from tests.helpers import parse, text_of

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def titles(response) -> list[str]:
    page = parse(response)
    return [link.get_text(strip=True) for link in page.select(".teaser__title a")]


@pytest.fixture
def stories():
    ArticleFactory(title="March story", published_at=at(2025, 3))
    ArticleFactory(title="May story", published_at=at(2025, 5))
    ArticleFactory(title="Late May story", published_at=at(2025, 5, 20))
    ArticleFactory(title="Next year", published_at=at(2026, 1))
    ArticleFactory(title="Draft of May", status=Article.Status.DRAFT, published_at=at(2025, 5))


def test_year_lists_its_published_articles_newest_first_and_its_months(client, stories):
    response = client.get("/archive/2025/")

    assert response.status_code == 200
    assert titles(response) == ["Late May story", "May story", "March story"]
    page = parse(response)
    months = [a.get_text(strip=True) for a in page.select(".archive-months a")]
    assert months == ["May", "March"]
    assert page.select_one(".archive-months a")["href"] == "/archive/2025/5/"


def test_month_lists_only_that_month(client, stories):
    response = client.get("/archive/2025/5/")

    assert titles(response) == ["Late May story", "May story"]
    assert "May 2025" in response.content.decode()


def test_empty_period_says_so(client, stories):
    response = client.get("/archive/2024/2/")

    assert response.status_code == 200
    assert titles(response) == []
    assert "Nothing was published in this period." in response.content.decode()


@pytest.mark.parametrize("url", ["/archive/2025/13/", "/archive/2025/0/", "/archive/0/"])
def test_impossible_periods_are_404(client, url):
    assert client.get(url).status_code == 404


def test_archive_pages_older_by_cursor(client, stories, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    first = client.get("/archive/2025/")
    older = parse(first).find("a", rel="next")["href"]

    second = client.get("/archive/2025/" + older)

    assert titles(first) == ["Late May story", "May story"]
    assert titles(second) == ["March story"]


@pytest.mark.parametrize("count", [1, 15])
def test_archive_query_count_is_constant(client, django_assert_num_queries, count):
    for day in range(count):
        ArticleFactory(published_at=at(2025, 5, 1 + day))
    # months of the year, the page of articles, their bylines, the section navigation
    with django_assert_num_queries(4):
        assert client.get("/archive/2025/").status_code == 200


# --- 3. the date archive in any time zone ------------------------------------------------------


TIME_ZONES = ["UTC", "Europe/Kyiv", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"]


@pytest.mark.parametrize("time_zone", TIME_ZONES)
@pytest.mark.parametrize(
    "url",
    [
        "/archive/1/",
        "/archive/1/1/",
        "/archive/999/",
        "/archive/999/12/",
        "/archive/9001/",
        "/archive/9001/1/",
        "/archive/9999/",
        "/archive/9999/12/",
        "/archive/99999999999999999999/",
    ],
)
def test_archive_years_no_news_site_has_are_404_in_any_time_zone(client, settings, time_zone, url):
    settings.TIME_ZONE = time_zone

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("time_zone", TIME_ZONES)
@pytest.mark.parametrize(
    "url", ["/archive/1000/", "/archive/1000/1/", "/archive/9000/", "/archive/9000/12/"]
)
def test_archive_first_and_last_years_answer_in_any_time_zone(client, settings, time_zone, url):
    settings.TIME_ZONE = time_zone

    response = client.get(url)

    assert response.status_code == 200
    assert "Nothing was published in this period." in response.content.decode()


@pytest.mark.parametrize("time_zone", ["Europe/Kyiv", "America/New_York"])
def test_archive_lists_articles_by_local_date(client, settings, time_zone):
    settings.TIME_ZONE = time_zone
    ArticleFactory(title="Spring story", published_at=datetime(2025, 5, 10, 12, tzinfo=UTC))

    for url in ("/archive/2025/", "/archive/2025/5/"):
        response = client.get(url)
        assert response.status_code == 200
        titles = [text_of(a) for a in parse(response).select(".teaser__title a")]
        assert titles == ["Spring story"]
