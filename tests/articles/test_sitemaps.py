"""Sitemaps and robots.txt (articles/sitemaps.py): only what readers may see; the news window."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory
from tests.helpers import (
    HOST,
    absolute,
    parse_xml,
    sitemap_locs,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

# --- sitemaps and robots.txt ---------------------------------------------------------------


def test_sitemap_index_lists_every_sitemap(client, world):
    root = parse_xml(client.get("/sitemap.xml"))
    assert root.tag == f"{SITEMAP}sitemapindex"
    locs = {s.findtext(f"{SITEMAP}loc") for s in root.findall(f"{SITEMAP}sitemap")}
    assert locs == {
        absolute(f"/sitemap-{name}.xml")
        for name in ("articles", "sections", "tags", "authors", "sources")
    }
    for loc in locs:
        assert client.get(loc.removeprefix(HOST)).status_code == 200


def test_article_sitemap_lists_exactly_the_published_articles(client, world):
    root = parse_xml(client.get("/sitemap-articles.xml"))
    urls = root.findall(f"{SITEMAP}url")
    by_loc = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in urls}
    assert len(urls) == len(by_loc) == 3
    assert set(by_loc) == {absolute(a.get_absolute_url()) for a in world["published"]}
    for article in world["published"]:
        lastmod = by_loc[absolute(article.get_absolute_url())]
        assert lastmod
        expected = max(article.updated_at, article.published_at)
        # Django's sitemap template gives the day (W3C date), in the site's time zone.
        assert lastmod == f"{timezone.localtime(expected):%Y-%m-%d}"


def test_section_sitemap_lists_sections(client, world):
    assert set(sitemap_locs(client.get("/sitemap-sections.xml"))) == {
        absolute("/sections/politics/"),
        absolute("/sections/sport/"),
    }


def test_tag_sitemap_lists_only_tags_with_published_articles(client, world):
    locs = sitemap_locs(client.get("/sitemap-tags.xml"))
    assert sorted(locs) == [absolute("/tags/elections/"), absolute("/tags/kyiv/")]


def test_author_sitemap_lists_only_authors_with_published_articles(client, world):
    locs = sitemap_locs(client.get("/sitemap-authors.xml"))
    assert sorted(locs) == [absolute("/authors/mark/"), absolute("/authors/olena/")]


def test_source_sitemap_lists_only_sources_with_published_articles(client, world):
    locs = sitemap_locs(client.get("/sitemap-sources.xml"))
    assert locs == [absolute("/sources/kyiv-post/")]


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_news_sitemap_lists_only_the_last_48_hours(client):
    with time_machine.travel(NOW, tick=False):
        recent = ArticleFactory(
            title="Recent & <bold> news", slug="recent", published_at=NOW - timedelta(hours=47)
        )
        ArticleFactory(slug="too-old", published_at=NOW - timedelta(hours=49))
        ArticleFactory(slug="future", published_at=NOW + timedelta(hours=1))
        ArticleFactory(slug="draft", draft=True)
        ArticleFactory(
            slug="unpublished",
            status=Article.Status.UNPUBLISHED,
            published_at=NOW - timedelta(hours=2),
        )
        response = client.get("/news-sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    root = parse_xml(response)
    urls = root.findall(f"{SITEMAP}url")
    assert [url.findtext(f"{SITEMAP}loc") for url in urls] == [absolute(recent.get_absolute_url())]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Newsroom"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    published = datetime.fromisoformat(news.findtext(f"{NEWS}publication_date"))
    assert published == NOW - timedelta(hours=47)
    assert news.findtext(f"{NEWS}title") == "Recent & <bold> news"


def test_news_sitemap_window_moves_with_time(client):
    with time_machine.travel(NOW, tick=False):
        article = ArticleFactory(slug="recent", published_at=NOW - timedelta(hours=47))
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert sitemap_locs(client.get("/news-sitemap.xml")) == []
    # A scheduled article enters the news sitemap once its time has come.
    with time_machine.travel(NOW, tick=False):
        scheduled = ArticleFactory(slug="later", published_at=NOW + timedelta(hours=1))
        assert sitemap_locs(client.get("/news-sitemap.xml")) == [
            absolute(article.get_absolute_url())
        ]
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        assert sitemap_locs(client.get("/news-sitemap.xml")) == [
            absolute(scheduled.get_absolute_url())
        ]


def test_robots_txt_disallows_admin_and_names_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
