"""Sitemaps and robots.txt (articles/sitemaps.py): only what readers may see; the news window;
the index costs a fixed number of queries and is served from the page cache, which every
change refreshes."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.utils import timezone

from articles import workflow
from articles.models import Article
from articles.sitemaps import SITEMAPS, ArticleSitemap
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


# --- sections' pages: Django's output, read by key -----------------------------------------


class DjangoArticleSitemap(Sitemap):
    """The articles' sitemap as it was before its pages were read by key and written
    without a template: what Django's own view makes of it is the reference."""

    changefreq = "daily"
    limit = 2

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item):
        return max(item.updated_at, item.published_at)


def django_sitemap(rf, section: str, sitemap, page: str | None = None):
    request = rf.get(f"/sitemap-{section}.xml", {"p": page} if page else {})
    response = sitemap_views.sitemap(request, {section: sitemap}, section=section)
    response.render()
    return response


@pytest.fixture
def five_articles_two_a_page(monkeypatch):
    """Five published articles on three pages of two, two of them published at the same
    moment (the id orders them), one edited after it was published; a draft and a
    scheduled article that no page lists."""
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    now = timezone.now().replace(microsecond=0)
    same_moment = now - timedelta(days=2)
    articles = [
        ArticleFactory(slug="newest", published_at=now - timedelta(days=1)),
        ArticleFactory(slug="tied-first", published_at=same_moment),
        ArticleFactory(slug="tied-second", published_at=same_moment),
        ArticleFactory(slug="edited", published_at=now - timedelta(days=30)),
        ArticleFactory(slug="oldest", published_at=now - timedelta(days=400)),
    ]
    Article.objects.filter(slug="edited").update(updated_at=now - timedelta(hours=3))
    ArticleFactory(slug="draft", draft=True)
    ArticleFactory(slug="scheduled", scheduled=True)
    return articles


@pytest.mark.parametrize("page", [None, "1", "2", "3"])
def test_article_sitemap_page_is_what_djangos_view_made(client, rf, five_articles_two_a_page, page):
    response = client.get("/sitemap-articles.xml", {"p": page} if page else {})
    reference = django_sitemap(rf, "articles", DjangoArticleSitemap, page)

    assert response.status_code == 200
    assert response.content == reference.content
    for header in ("Content-Type", "Last-Modified", "X-Robots-Tag"):
        assert response[header] == reference[header]


def test_article_sitemap_pages_list_every_published_article_once_newest_first(
    client, five_articles_two_a_page
):
    pages = [sitemap_locs(client.get("/sitemap-articles.xml", {"p": p})) for p in (1, 2, 3)]

    assert pages == [
        [absolute("/articles/newest/"), absolute("/articles/tied-second/")],
        [absolute("/articles/tied-first/"), absolute("/articles/edited/")],
        [absolute("/articles/oldest/")],
    ]
    assert client.get("/sitemap-articles.xml", {"p": 4}).status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "4", str(10**30)])
def test_article_sitemap_refuses_pages_that_do_not_exist(client, five_articles_two_a_page, page):
    assert client.get("/sitemap-articles.xml", {"p": page}).status_code == 404


def test_article_sitemap_of_a_site_without_articles_is_an_empty_list(client, rf):
    response = client.get("/sitemap-articles.xml")

    assert response.status_code == 200
    assert sitemap_locs(response) == []
    assert response.content == django_sitemap(rf, "articles", DjangoArticleSitemap).content
    assert client.get("/sitemap-articles.xml", {"p": 2}).status_code == 404


@pytest.mark.parametrize("section", ["sections", "tags", "authors", "sources"])
def test_other_sitemaps_are_what_djangos_view_made(client, rf, section):
    author = AuthorFactory(slug="olena")
    ArticleFactory(
        tags=["Energy", "Україна", "R&D <lab>"], authors=[author], source=SourceFactory()
    )

    response = client.get(f"/sitemap-{section}.xml")
    reference = django_sitemap(rf, section, SITEMAPS[section])

    assert response.status_code == 200
    assert len(sitemap_locs(response)) >= 1
    assert response.content == reference.content
    assert response["Content-Type"] == reference["Content-Type"]
    assert response.has_header("Last-Modified") == reference.has_header("Last-Modified")


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-drafts.xml").status_code == 404


# The page's first article (from the ordering index), then its rows.
SITEMAP_PAGE_QUERIES = 2


@pytest.mark.parametrize(
    ("n_articles", "page"), [(1, 1), (7, 1), (7, 3)], ids=["one", "seven", "seven-last-page"]
)
def test_article_sitemap_page_query_count_is_constant(
    client, django_assert_num_queries, monkeypatch, n_articles, page
):
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    ArticleFactory.create_batch(n_articles)

    with django_assert_num_queries(SITEMAP_PAGE_QUERIES):
        response = client.get("/sitemap-articles.xml", {"p": page})

    assert len(sitemap_locs(response)) == min(3, n_articles - 3 * (page - 1))
