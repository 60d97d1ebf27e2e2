"""RSS and Atom feeds (articles/feeds.py): what each scope lists, in which order, and the pages
that announce them."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from articles.models import Article
from authors.models import Author
from tests.factories import ArticleFactory, AuthorFactory
from tests.helpers import (
    absolute,
    parse,
    parse_xml,
    same_second,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"

# --- feeds -------------------------------------------------------------------------------

# Each scope: its feed URLs and the published articles it holds, newest first.
FEED_SCOPES = {
    "latest": (lambda w: "/feeds/", lambda w: ["new", "other_section", "old"]),
    "section": (lambda w: "/sections/politics/", lambda w: ["new", "old"]),
    "tag-elections": (lambda w: "/tags/elections/", lambda w: ["new", "old"]),
    "tag-kyiv": (lambda w: "/tags/kyiv/", lambda w: ["other_section", "old"]),
    "author-olena": (lambda w: "/authors/olena/", lambda w: ["other_section", "old"]),
    "author-mark": (lambda w: "/authors/mark/", lambda w: ["new", "old"]),
}


def expected_categories(article: Article) -> list[str]:
    return sorted([article.section.name, *article.tags.names()])


@pytest.mark.parametrize("scope", FEED_SCOPES)
def test_rss_feed_lists_exactly_the_published_articles_of_its_scope(client, world, scope):
    base, keys = FEED_SCOPES[scope]
    expected = [world[key] for key in keys(world)]
    root = parse_xml(client.get(base(world) + "rss/"))
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title")
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [
        absolute(article.get_absolute_url()) for article in expected
    ]
    for item, article in zip(items, expected, strict=True):
        assert item.findtext("title") == article.title
        assert item.findtext("description") == article.dek
        assert same_second(parsedate_to_datetime(item.findtext("pubDate")), article.published_at)
        assert item.findtext(f"{DC}creator") == ", ".join(a.name for a in article.byline_authors)
        assert sorted(c.text for c in item.findall("category")) == expected_categories(article)


@pytest.mark.parametrize("scope", FEED_SCOPES)
def test_atom_feed_lists_exactly_the_published_articles_of_its_scope(client, world, scope):
    base, keys = FEED_SCOPES[scope]
    expected = [world[key] for key in keys(world)]
    root = parse_xml(client.get(base(world) + "atom/"))
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title")
    entries = root.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}link").get("href") for entry in entries] == [
        absolute(article.get_absolute_url()) for article in expected
    ]
    for entry, article in zip(entries, expected, strict=True):
        assert entry.findtext(f"{ATOM}title") == article.title
        assert entry.findtext(f"{ATOM}summary") == article.dek
        published = datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
        updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert same_second(published, article.published_at)
        assert same_second(updated, max(article.updated_at, article.published_at))
        names = entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
        assert names == ", ".join(a.name for a in article.byline_authors)
        terms = sorted(c.get("term") for c in entry.findall(f"{ATOM}category"))
        assert terms == expected_categories(article)


def test_feed_authors_follow_byline_order(client, world):
    item = parse_xml(client.get("/authors/olena/rss/")).find("channel").findall("item")[-1]
    assert item.findtext(f"{DC}creator") == "Olena Kovalenko, Mark Smith"


def test_atom_author_of_a_single_byline_links_to_the_author_page(client, world):
    feed_url = absolute("/authors/mark/atom/")
    entries = parse_xml(client.get(feed_url)).findall(f"{ATOM}entry")
    single = entries[0].find(f"{ATOM}author")  # "New politics story", by Mark alone
    assert single.findtext(f"{ATOM}name") == "Mark Smith"
    # Relative or absolute, it must resolve (against the feed's address) to the author page.
    assert urljoin(feed_url, single.findtext(f"{ATOM}uri")) == absolute("/authors/mark/")
    shared = entries[1].find(f"{ATOM}author")  # two authors: a name list, no single page
    assert shared.find(f"{ATOM}uri") is None


def test_feed_holds_the_newest_thirty_articles(client):
    now = timezone.now()
    articles = [
        ArticleFactory(published_at=now - timedelta(minutes=n + 1), section=None) for n in range(32)
    ]
    items = parse_xml(client.get("/feeds/rss/")).find("channel").findall("item")
    assert [item.findtext("link") for item in items] == [
        absolute(a.get_absolute_url()) for a in articles[:30]
    ]
    # Without a section the categories are the tags alone (here none).
    assert items[0].findall("category") == []


@pytest.mark.parametrize(
    "url",
    [
        "/sections/nowhere/rss/",
        "/sections/nowhere/atom/",
        "/tags/nowhere/rss/",
        "/tags/nowhere/atom/",
        "/authors/nowhere/rss/",
        "/authors/nowhere/atom/",
    ],
)
def test_feed_of_unknown_slug_is_404(client, world, url):
    assert client.get(url).status_code == 404


def test_feed_of_a_scope_with_nothing_published_is_empty(client, world):
    """A tag carried only by a draft and an author with drafts only give empty feeds."""
    for url in ["/tags/drafty/rss/", "/authors/only-drafts/rss/"]:
        assert parse_xml(client.get(url)).find("channel").findall("item") == []
    for url in ["/tags/drafty/atom/", "/authors/only-drafts/atom/"]:
        assert parse_xml(client.get(url)).findall(f"{ATOM}entry") == []


def feed_links(response) -> dict[str, list[str]]:
    soup = parse(response)
    return {
        kind: [link["href"] for link in soup.find_all("link", rel="alternate", type=kind)]
        for kind in ("application/rss+xml", "application/atom+xml")
    }


@pytest.mark.parametrize(
    ("page", "own_rss", "own_atom"),
    [
        ("/", None, None),
        ("/sections/politics/", "/sections/politics/rss/", "/sections/politics/atom/"),
        ("/tags/elections/", "/tags/elections/rss/", "/tags/elections/atom/"),
        ("/authors/olena/", "/authors/olena/rss/", "/authors/olena/atom/"),
    ],
)
def test_pages_announce_their_feeds(client, world, page, own_rss, own_atom):
    response = client.get(page)
    assert response.status_code == 200
    links = feed_links(response)
    assert "/feeds/rss/" in links["application/rss+xml"]
    assert "/feeds/atom/" in links["application/atom+xml"]
    if own_rss:
        assert own_rss in links["application/rss+xml"]
        assert own_atom in links["application/atom+xml"]
    # Every announced feed actually answers.
    for href in links["application/rss+xml"] + links["application/atom+xml"]:
        assert client.get(href).status_code == 200


def test_feeds_and_sitemaps_survive_control_characters_saved_outside_the_forms(client):
    author = AuthorFactory(name="Bad\x0bName")
    Author.objects.filter(pk=author.pk).update(name="Bad\x0bName")
    article = ArticleFactory(authors=[author], tags=["ok"])
    Article.objects.filter(pk=article.pk).update(title="bad\x0btitle", dek="a\x01dek")

    feeds_and_sitemaps = (
        "/feeds/rss/",
        "/feeds/atom/",
        f"{author.get_absolute_url()}rss/",
        "/news-sitemap.xml",
    )
    for url in feeds_and_sitemaps:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)  # well-formed XML
        assert "badtitle" in ET.tostring(root, encoding="unicode")
