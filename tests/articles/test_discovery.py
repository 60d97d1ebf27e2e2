"""How readers, feed readers and search engines discover articles: RSS and Atom feeds,
sitemaps, robots.txt, page metadata and JSON-LD, slug redirects, related and featured articles."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleSlugRedirect
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    image_file,
)
from tests.helpers import form_fields, parse, save_change

pytestmark = pytest.mark.django_db

HOST = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


# --- helpers -----------------------------------------------------------------------------


def parse_xml(response) -> ET.Element:
    assert response.status_code == 200, response.content[:500]
    return ET.fromstring(response.content)


def absolute(path: str) -> str:
    return HOST + path


def same_second(shown: datetime, stored: datetime) -> bool:
    """A time as a feed or sitemap shows it (maybe without microseconds) matches the stored one."""
    return abs(shown - stored) < timedelta(seconds=1) and shown.utcoffset() is not None


def meta_content(soup: BeautifulSoup, **attrs) -> str | None:
    tag = soup.find("meta", attrs=attrs)
    return tag.get("content") if tag else None


def json_ld(response) -> dict:
    scripts = parse(response).find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


# --- a small newsroom --------------------------------------------------------------------


@pytest.fixture
def world():
    """Published articles in two sections, plus everything readers must not see."""
    now = timezone.now()
    politics = SectionFactory(name="Politics", slug="politics")
    sport = SectionFactory(name="Sport", slug="sport")
    olena = AuthorFactory(name="Olena Kovalenko", slug="olena")
    mark = AuthorFactory(name="Mark Smith", slug="mark")
    lonely = AuthorFactory(name="Only Drafts", slug="only-drafts")
    quiet = AuthorFactory(name="No Articles", slug="no-articles")
    kyiv_post = SourceFactory(name="Kyiv Post", slug="kyiv-post")
    hidden_source = SourceFactory(name="Hidden Source", slug="hidden-source")
    idle_source = SourceFactory(name="Idle Source", slug="idle-source")

    old = ArticleFactory(
        title="Old politics story",
        slug="old-politics",
        dek="The oldest published story.",
        section=politics,
        published_at=now - timedelta(hours=5),
        authors=[olena, mark],
        tags=["Elections", "Kyiv"],
        source=kyiv_post,
        source_url="https://www.kyivpost.com/post/1",
    )
    other_section = ArticleFactory(
        title="Sport story",
        slug="sport-story",
        dek="A story in another section.",
        section=sport,
        published_at=now - timedelta(hours=3),
        authors=[olena],
        tags=["Kyiv"],
    )
    new = ArticleFactory(
        title="New politics story",
        slug="new-politics",
        dek="The newest published story.",
        section=politics,
        published_at=now - timedelta(hours=1),
        authors=[mark],
        tags=["Elections"],
    )
    hidden = [
        ArticleFactory(
            draft=True,
            slug="a-draft",
            section=politics,
            authors=[olena, lonely],
            tags=["Elections", "Drafty"],
            source=hidden_source,
        ),
        ArticleFactory(
            status=Article.Status.IN_REVIEW,
            published_at=None,
            slug="in-review",
            section=politics,
            authors=[mark],
            tags=["Elections"],
        ),
        ArticleFactory(
            status=Article.Status.RETURNED,
            published_at=None,
            slug="returned",
            section=politics,
            authors=[mark],
            tags=["Kyiv"],
        ),
        ArticleFactory(
            status=Article.Status.UNPUBLISHED,
            published_at=now - timedelta(hours=2),
            slug="unpublished",
            section=politics,
            authors=[olena],
            tags=["Elections", "Pulled"],
            source=hidden_source,
        ),
        ArticleFactory(
            scheduled=True,
            slug="scheduled",
            section=politics,
            authors=[olena, lonely],
            tags=["Elections", "Tomorrow"],
            source=hidden_source,
        ),
    ]
    return {
        "politics": politics,
        "sport": sport,
        "olena": olena,
        "mark": mark,
        "lonely": lonely,
        "quiet": quiet,
        "kyiv_post": kyiv_post,
        "hidden_source": hidden_source,
        "idle_source": idle_source,
        "old": old,
        "other_section": other_section,
        "new": new,
        "published": [new, other_section, old],
        "hidden": hidden,
    }


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


# --- sitemaps and robots.txt ---------------------------------------------------------------


def sitemap_locs(response) -> list[str]:
    root = parse_xml(response)
    assert root.tag == f"{SITEMAP}urlset"
    return [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]


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


# --- page metadata ---------------------------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/articles/old-politics/",
    "/sections/politics/",
    "/tags/elections/",
    "/authors/olena/",
    "/sources/kyiv-post/",
    "/search/?q=politics",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_title_description_canonical_and_social_tags(client, world, path):
    response = client.get(path)
    assert response.status_code == 200
    soup = parse(response)
    assert soup.title and soup.title.get_text().strip()
    assert meta_content(soup, name="description")
    canonical = soup.find_all("link", rel="canonical")
    assert len(canonical) == 1
    assert canonical[0]["href"].startswith(HOST + "/")
    assert meta_content(soup, property="og:title")
    assert meta_content(soup, property="og:description")
    assert meta_content(soup, property="og:url").startswith(HOST + "/")
    assert meta_content(soup, name="twitter:card") in {"summary", "summary_large_image"}


def test_listing_pages_are_canonical_at_their_own_address(client, world):
    for path in PUBLIC_PAGES[2:6]:
        soup = parse(client.get(path))
        assert soup.find("link", rel="canonical")["href"] == absolute(path)
        assert meta_content(soup, property="og:url") == absolute(path)


def test_article_page_metadata(client, world):
    article = world["old"]
    soup = parse(client.get(article.get_absolute_url()))
    assert article.title in soup.title.get_text()
    assert meta_content(soup, name="description") == article.dek
    assert meta_content(soup, property="og:title") == article.title
    assert meta_content(soup, property="og:description") == article.dek
    assert meta_content(soup, property="og:url") == absolute(article.get_absolute_url())
    assert soup.find("link", rel="canonical")["href"] == absolute(article.get_absolute_url())
    # No image: the small card, and no og:image.
    assert meta_content(soup, name="twitter:card") == "summary"
    assert soup.find("meta", property="og:image") is None


def test_article_with_image_offers_large_card_with_absolute_image(client, world):
    article = ArticleFactory(
        slug="with-image",
        image=ImageFactory(file=image_file("grid.jpg"), alt_text="Engineers at work"),
    )
    soup = parse(client.get(article.get_absolute_url()))
    image_url = meta_content(soup, property="og:image")
    assert image_url == absolute(article.image.file.url)
    assert meta_content(soup, name="twitter:card") == "summary_large_image"
    assert meta_content(soup, name="twitter:image") == image_url
    assert client.get(image_url.removeprefix(HOST)).status_code == 200


def test_article_json_ld_describes_the_news_article(client, world):
    first, second = world["mark"], world["olena"]
    article = ArticleFactory(
        title="Grid repairs continue",
        slug="grid-repairs",
        dek="Engineers worked all night.",
        section=world["politics"],
        authors=[first, second],
        tags=["Energy", "Kyiv"],
        source=world["kyiv_post"],
        source_url="https://www.kyivpost.com/post/42",
        image=ImageFactory(
            file=image_file("grid.jpg"),
            alt_text="Engineers",
        ),
    )
    article.refresh_from_db()
    data = json_ld(client.get(article.get_absolute_url()))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Grid repairs continue"
    assert data["description"] == "Engineers worked all night."
    assert data["url"] == absolute(article.get_absolute_url())
    assert data["image"] == [absolute(article.image.file.url)]
    assert datetime.fromisoformat(data["datePublished"]) == article.published_at
    assert datetime.fromisoformat(data["dateModified"]) == max(
        article.updated_at, article.published_at
    )
    assert data["author"] == [
        {
            "@type": "Person",
            "name": author.name,
            "url": absolute(author.get_absolute_url()),
            "jobTitle": author.job_title,
        }
        for author in (first, second)
    ]
    assert data["publisher"]["name"] == "Newsroom"
    assert data["publisher"]["url"] == absolute("/")
    assert data["articleSection"] == "Politics"
    assert sorted(data["keywords"]) == ["Energy", "Kyiv"]
    assert data["isBasedOn"]["url"] == "https://www.kyivpost.com/post/42"
    assert data["isBasedOn"]["publisher"]["name"] == "Kyiv Post"


def test_json_ld_of_a_plain_article_leaves_out_what_it_lacks(client):
    article = ArticleFactory(slug="plain", section=None)
    data = json_ld(client.get(article.get_absolute_url()))
    assert data["@type"] == "NewsArticle"
    assert data["author"] == []
    for key in ("image", "articleSection", "keywords", "isBasedOn"):
        assert key not in data


def test_title_cannot_break_out_of_the_json_ld_script(client):
    title = "Breaking </script><script>alert(1)</script> & <!-- news"
    article = ArticleFactory(slug="breaking", title=title, dek="Dek </script><script>x()</script>")
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "</script><script>alert" not in html
    assert "<script>x()" not in html
    soup = parse(response)
    assert [s.get("type") for s in soup.find_all("script") if not s.get("src")] == [
        "application/ld+json"
    ]
    data = json_ld(response)
    assert data["headline"] == title
    assert data["description"] == "Dek </script><script>x()</script>"
    assert soup.find("h1").get_text() == title


@pytest.mark.parametrize(
    ("canonical_is_source", "source_url", "expected"),
    [
        (True, "https://www.kyivpost.com/post/7", "https://www.kyivpost.com/post/7"),
        (False, "https://www.kyivpost.com/post/7", None),
        (True, "", None),  # stored without a URL (e.g. from the shell): our own address
    ],
)
def test_canonical_link_follows_the_editors_choice(
    client, world, canonical_is_source, source_url, expected
):
    article = ArticleFactory(
        slug="republished",
        source=world["kyiv_post"],
        source_url=source_url,
        canonical_is_source=canonical_is_source,
    )
    soup = parse(client.get(article.get_absolute_url()))
    canonical = soup.find_all("link", rel="canonical")
    assert len(canonical) == 1
    assert canonical[0]["href"] == (expected or absolute(article.get_absolute_url()))


def form_errors(response) -> dict:
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_admin_refuses_canonical_is_source_without_source_url_on_change(admin_client, world):
    article = ArticleFactory(slug="republished", source=world["kyiv_post"], source_url="")
    response = save_change(admin_client, article, canonical_is_source="on", source_url="")
    assert "canonical_is_source" in form_errors(response)
    article.refresh_from_db()
    assert article.canonical_is_source is False
    # With the URL given, the same choice is accepted and the page follows it.
    response = save_change(
        admin_client,
        article,
        canonical_is_source="on",
        source_url="https://www.kyivpost.com/post/9",
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.canonical_is_source is True
    soup = parse(admin_client.get(article.get_absolute_url()))
    assert soup.find("link", rel="canonical")["href"] == "https://www.kyivpost.com/post/9"


def test_admin_refuses_canonical_is_source_without_source_url_on_add(admin_client):
    data = form_fields(admin_client.get(reverse("admin:articles_article_add")))
    data.update(
        {
            "title": "Republished",
            "slug": "republished",
            "dek": "From elsewhere.",
            "canonical_is_source": "on",
        }
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    errors = form_errors(response)
    assert list(errors) == ["canonical_is_source"]
    assert not Article.objects.exists()


# --- slug redirects -----------------------------------------------------------------------


def test_changing_a_published_slug_redirects_the_old_address(admin_client, client):
    article = ArticleFactory(slug="original-slug", title="Moving story")
    response = save_change(admin_client, article, slug="better-slug")
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.slug == "better-slug"

    response = client.get("/articles/original-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/better-slug/"
    response = client.get("/articles/better-slug/")
    assert response.status_code == 200
    assert parse(response).find("h1").get_text() == "Moving story"
    # The old address remains only a redirect, never a listed page.
    assert absolute("/articles/original-slug/") not in sitemap_locs(
        client.get("/sitemap-articles.xml")
    )


def test_changing_a_drafts_slug_records_nothing(admin_client, client):
    article = ArticleFactory(slug="draft-slug", draft=True)
    response = save_change(admin_client, article, slug="draft-renamed")
    assert response.status_code == 302, form_errors(response)
    assert ArticleSlugRedirect.objects.count() == 0
    assert client.get("/articles/draft-slug/").status_code == 404


def test_changing_the_slug_back_serves_the_original_address_directly(admin_client, client):
    article = ArticleFactory(slug="first-slug", title="Back and forth")
    assert save_change(admin_client, article, slug="second-slug").status_code == 302
    assert save_change(admin_client, article, slug="first-slug").status_code == 302

    response = client.get("/articles/first-slug/")
    assert response.status_code == 200
    assert parse(response).find("h1").get_text() == "Back and forth"
    response = client.get("/articles/second-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/first-slug/"
    response = client.get("/articles/second-slug/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/articles/first-slug/", 301)]
    assert list(ArticleSlugRedirect.objects.values_list("old_slug", flat=True)) == ["second-slug"]


def test_redirects_chain_to_the_latest_slug_in_one_step(admin_client, client):
    article = ArticleFactory(slug="slug-a")
    assert save_change(admin_client, article, slug="slug-b").status_code == 302
    assert save_change(admin_client, article, slug="slug-c").status_code == 302
    for old in ("slug-a", "slug-b"):
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/slug-c/"


# --- related and featured articles -----------------------------------------------------------


def related_links(client, article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    aside = parse(response).find("aside", class_="related")
    if aside is None:
        return []
    return [a["href"] for a in aside.find_all("a")]


def test_related_articles_rank_shared_tags_then_section(client):
    now = timezone.now()
    section = SectionFactory()
    elsewhere = SectionFactory()
    article = ArticleFactory(slug="subject", section=section, tags=["t1", "t2", "t3"])

    def make(slug, hours, **fields):
        fields.setdefault("section", elsewhere)
        return ArticleFactory(slug=slug, published_at=now - timedelta(hours=hours), **fields)

    three = make("three-tags", 30, tags=["t1", "t2", "t3", "x"])
    two = make("two-tags", 20, tags=["t2", "t3"])
    one = make("one-tag", 2, tags=["t1", "y", "z"])
    same_section = make("same-section", 1, section=section)
    make("older-same-section", 3, section=section)  # beyond the limit of four
    make("unrelated", 0.5, tags=["other"])
    make("draft-three-tags", 0, draft=True, tags=["t1", "t2", "t3"])
    ArticleFactory(slug="scheduled-three-tags", scheduled=True, tags=["t1", "t2", "t3"])
    ArticleFactory(slug="scheduled-section", scheduled=True, section=section)
    ArticleFactory(slug="draft-section", draft=True, section=section)
    make(
        "unpublished-tags",
        1,
        status=Article.Status.UNPUBLISHED,
        tags=["t1", "t2", "t3"],
        section=section,
    )

    assert related_links(client, article) == [
        a.get_absolute_url() for a in (three, two, one, same_section)
    ]


def test_related_articles_are_at_most_four_and_never_the_article_itself(client):
    now = timezone.now()
    article = ArticleFactory(slug="subject", tags=["shared"])
    sharers = [
        ArticleFactory(slug=f"sharer-{n}", tags=["shared"], published_at=now - timedelta(hours=n))
        for n in range(2, 8)
    ]
    links = related_links(client, article)
    assert links == [a.get_absolute_url() for a in sharers[:4]]
    assert article.get_absolute_url() not in links


def test_related_articles_fall_back_to_the_section_newest_first(client):
    now = timezone.now()
    section = SectionFactory()
    article = ArticleFactory(slug="subject", section=section)
    older = ArticleFactory(section=section, published_at=now - timedelta(hours=5))
    newer = ArticleFactory(section=section, published_at=now - timedelta(hours=2))
    ArticleFactory(section=SectionFactory(), published_at=now - timedelta(minutes=5))
    assert related_links(client, article) == [newer.get_absolute_url(), older.get_absolute_url()]


def test_related_article_matching_both_ways_is_listed_once(client):
    now = timezone.now()
    section = SectionFactory()
    article = ArticleFactory(slug="subject", section=section, tags=["a", "b"])
    both = ArticleFactory(section=section, tags=["a", "b"], published_at=now - timedelta(hours=3))
    section_only = ArticleFactory(section=section, published_at=now - timedelta(hours=2))
    assert related_links(client, article) == [
        both.get_absolute_url(),
        section_only.get_absolute_url(),
    ]


def test_article_without_tags_or_section_has_no_related_block(client):
    ArticleFactory(section=None)
    article = ArticleFactory(slug="alone", section=None)
    assert related_links(client, article) == []


def featured_links(response) -> list[str] | None:
    section = parse(response).find("section", class_="featured")
    if section is None:
        return None
    assert section.find(id="featured-heading").get_text() == "Featured"
    return [a["href"] for a in section.select(".teaser__title a")]


def test_featured_article_shows_on_home_page_one_only(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    now = timezone.now()
    featured = ArticleFactory(
        slug="featured", is_featured=True, published_at=now - timedelta(hours=10)
    )
    for n in range(4):
        ArticleFactory(published_at=now - timedelta(hours=n + 1))
    ArticleFactory(slug="featured-draft", is_featured=True, draft=True)
    ArticleFactory(slug="featured-scheduled", is_featured=True, scheduled=True)
    ArticleFactory(
        slug="featured-unpublished",
        is_featured=True,
        status=Article.Status.UNPUBLISHED,
        published_at=now - timedelta(hours=1),
    )

    response = client.get("/")
    assert response.status_code == 200
    assert featured_links(response) == [featured.get_absolute_url()]

    for _ in (2, 3):  # follow "Older" to pages 2 and 3
        older = parse(response).find("main").find("a", rel="next")["href"]
        response = client.get("/" + older)
        assert response.status_code == 200
        assert featured_links(response) is None
        assert "Featured" not in parse(response).find("main").get_text()
    # Page 3 still lists the featured article among the latest, as an ordinary teaser.
    listed = [a["href"] for a in parse(response).select("main .teaser__title a")]
    assert featured.get_absolute_url() in listed


def test_home_without_featured_articles_has_no_featured_area(client):
    ArticleFactory()
    assert featured_links(client.get("/")) is None
