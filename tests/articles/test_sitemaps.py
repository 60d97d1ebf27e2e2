"""Sitemaps and robots.txt (articles/sitemaps.py): only what readers may see; the news window;
the index costs a fixed number of queries and is served from the page cache, which every
change refreshes."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.utils import timezone

from articles import workflow
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SourceFactory
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


# --- the index's cost ------------------------------------------------------------------

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# The articles' latest lastmod, then the number of items of each of the five sitemaps
# (articles, sections, tags, authors, sources).
INDEX_QUERIES = 6


def index_entries(response) -> dict[str, str | None]:
    root = ElementTree.fromstring(response.content)
    return {
        entry.findtext(f"{SITEMAP}loc").rsplit("/", 1)[-1]: entry.findtext(f"{SITEMAP}lastmod")
        for entry in root.findall(f"{SITEMAP}sitemap")
    }


@pytest.mark.parametrize("n_articles", [1, 12], ids=["one", "twelve"])
def test_index_query_count_is_constant(client, django_assert_num_queries, n_articles):
    for n in range(n_articles):
        ArticleFactory(
            tags=[f"Tag {n}", "Common"],
            authors=AuthorFactory.create_batch(2),
            source=SourceFactory(),
        )

    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert set(index_entries(response)) == {
        f"sitemap-{name}.xml" for name in ("articles", "sections", "tags", "authors", "sources")
    }


def test_index_lastmod_is_the_latest_change_of_a_published_article(client):
    now = timezone.now().replace(microsecond=0)
    recent = ArticleFactory(published_at=now - timedelta(days=3))
    edited = ArticleFactory(published_at=now - timedelta(days=5))
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    Article.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(days=3))
    Article.objects.filter(pk=edited.pk).update(updated_at=now - timedelta(days=1))
    Article.objects.filter(pk=draft.pk).update(updated_at=now)  # readers never see it

    lastmod = index_entries(client.get("/sitemap.xml"))["sitemap-articles.xml"]

    assert lastmod == (now - timedelta(days=1)).isoformat()


@pytest.fixture
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


def test_index_is_served_from_the_page_cache_with_its_headers(
    client, django_assert_num_queries, page_cache_on
):
    ArticleFactory(tags=["Energy"])
    first = client.get("/sitemap.xml")

    with django_assert_num_queries(0):
        again = client.get("/sitemap.xml")

    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"]


@pytest.mark.parametrize("page_cache_seconds", [600, 0], ids=["page-cache", "no-page-cache"])
def test_index_shows_a_publication_at_once(client, editor, settings, page_cache_seconds):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = page_cache_seconds
    now = timezone.now().replace(microsecond=0)
    ArticleFactory(published_at=now - timedelta(days=3))
    Article.objects.update(updated_at=now - timedelta(days=3))
    before = index_entries(client.get("/sitemap.xml"))["sitemap-articles.xml"]
    draft = ArticleFactory(draft=True, title="Міст знову відкрито 🌉", authors=[AuthorFactory()])

    workflow.transition(draft, action="publish", actor=editor)

    after = index_entries(client.get("/sitemap.xml"))["sitemap-articles.xml"]
    assert before == (now - timedelta(days=3)).isoformat()
    assert after != before
    assert datetime.fromisoformat(after) >= now


def test_index_shows_a_scheduled_article_once_it_is_live(client, page_cache_on):
    with time_machine.travel(NOW, tick=False):
        ArticleFactory(published_at=NOW - timedelta(days=3))
        Article.objects.update(updated_at=NOW - timedelta(days=3))
        ArticleFactory(published_at=NOW + timedelta(hours=1))
        Article.objects.filter(published_at__gt=NOW).update(updated_at=NOW)
        before = index_entries(client.get("/sitemap.xml"))["sitemap-articles.xml"]
    with time_machine.travel(NOW + timedelta(hours=1, seconds=1), tick=False):
        after = index_entries(client.get("/sitemap.xml"))["sitemap-articles.xml"]

    assert before == (NOW - timedelta(days=3)).isoformat()
    assert after == (NOW + timedelta(hours=1)).isoformat()


def test_index_answers_each_host_with_its_own_addresses(client, page_cache_on):
    ArticleFactory()
    client.get("/sitemap.xml")

    other = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1")

    assert other["X-Cache"] == "miss"
    assert set(index_entries(other)) == {
        f"sitemap-{name}.xml" for name in ("articles", "sections", "tags", "authors", "sources")
    }
    locs = [
        entry.findtext(f"{SITEMAP}loc")
        for entry in ElementTree.fromstring(other.content).findall(f"{SITEMAP}sitemap")
    ]
    assert all(loc.startswith("http://127.0.0.1/") for loc in locs)


@pytest.mark.parametrize("kind", ["tags", "authors", "sources"])
def test_listed_once_however_many_published_articles(client, kind):
    author, source = AuthorFactory(), SourceFactory()
    for _ in range(3):
        ArticleFactory(tags=["Energy"], authors=[author], source=source)

    locs = [
        loc.text
        for loc in ElementTree.fromstring(client.get(f"/sitemap-{kind}.xml").content).iter(
            f"{SITEMAP}loc"
        )
    ]

    assert len(locs) == 1
