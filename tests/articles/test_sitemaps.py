"""The sitemap index: a fixed number of queries however many articles, tags and authors,
its lastmod from one aggregate, and served from the cache once built."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SourceFactory

pytestmark = pytest.mark.django_db

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


def test_index_is_served_from_the_cache_with_its_headers(client, django_assert_num_queries):
    ArticleFactory(tags=["Energy"])
    first = client.get("/sitemap.xml")

    with django_assert_num_queries(0):
        again = client.get("/sitemap.xml")

    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["X-Robots-Tag"] == first["X-Robots-Tag"]


def test_index_is_rebuilt_when_its_cache_entry_is_gone(client):
    ArticleFactory()
    before = client.get("/sitemap.xml").content
    ArticleFactory(tags=["Energy"], published_at=timezone.now() + timedelta(days=400))

    cache.clear()  # what the timeout does

    assert client.get("/sitemap.xml").content == before  # the future article changes nothing
    assert client.get("/sitemap.xml", HTTP_HOST="127.0.0.1").status_code == 200


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
