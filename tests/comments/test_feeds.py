"""RSS and Atom feeds of comments: the site's latest, and one article's."""

import xml.etree.ElementTree as ET

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory

from .helpers import make_comment, parse

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_RSS = "/comments/feed/"
SITE_ATOM = "/comments/feed/atom/"


def rss_items(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).findall("channel/item")


def atom_entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def article_rss(article) -> str:
    return f"{article.get_absolute_url()}comments/feed/"


@pytest.fixture
def article():
    return ArticleFactory(title="Grid repairs")


def test_site_feed_lists_visible_comments_newest_first_and_nothing_else(client, article):
    older = make_comment(article, name="Олена", body="First.")
    newer = make_comment(article, name="מרים 🦊", body="Second.")
    make_comment(article, body="Held.", status=Comment.Status.PENDING)
    make_comment(article, body="Spam.", status=Comment.Status.SPAM)
    make_comment(article, body="Removed.", status=Comment.Status.REMOVED)
    make_comment(ArticleFactory(draft=True), body="On a draft.")
    make_comment(ArticleFactory(scheduled=True), body="On a scheduled article.")

    items = rss_items(client.get(SITE_RSS))

    assert [item.findtext("title") for item in items] == [
        "מרים 🦊 on “Grid repairs”",
        "Олена on “Grid repairs”",
    ]
    assert items[0].findtext("link") == (
        f"http://testserver{article.get_absolute_url()}?thread={newer.pk}#comment-{newer.pk}"
    )
    assert items[1].findtext("description") == "<p>First.</p>"
    assert older.pk != newer.pk


def test_no_email_address_ip_or_browser_is_ever_in_a_feed(client, article):
    make_comment(
        article,
        email="secret.reader@example.com",
        ip_address="203.0.113.7",
        user_agent="Firefox/140",
    )
    for url in (SITE_RSS, SITE_ATOM, article_rss(article), f"{article_rss(article)}atom/"):
        content = client.get(url).content.decode()
        assert "Reader" in content
        for secret in ("secret.reader", "example.com", "203.0.113.7", "Firefox"):
            assert secret not in content, url


def test_a_readers_markup_arrives_as_text(client, article):
    make_comment(
        article, name="<b>Bold</b> & co", body="<script>alert(1)</script>\nhttps://a.example/"
    )
    item = rss_items(client.get(SITE_RSS))[0]
    # After XML parsing, the description is HTML in which the reader's markup is escaped.
    description = item.findtext("description")
    assert "<script>" not in description
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in description
    assert 'rel="nofollow ugc noopener" href="https://a.example/"' in description
    assert item.findtext("title") == "<b>Bold</b> & co on “Grid repairs”"  # plain text


def test_replies_hidden_on_the_page_are_not_in_the_feed(client, article):
    removed = make_comment(article, body="Removed parent.", status=Comment.Status.REMOVED)
    make_comment(article, parent=removed, body="Reply under a removed comment.")
    root = make_comment(article, body="Visible root.")
    reply = make_comment(article, parent=root, body="Visible reply.")

    items = rss_items(client.get(SITE_RSS))

    assert [item.findtext("description") for item in items] == [
        "<p>Visible reply.</p>",
        "<p>Visible root.</p>",
    ]
    assert items[0].findtext("link").endswith(f"?thread={root.pk}#comment-{reply.pk}")


def test_article_feed_has_only_that_articles_comments(client, article):
    make_comment(article, body="Here.")
    make_comment(ArticleFactory(), body="Elsewhere.")

    items = rss_items(client.get(article_rss(article)))
    entries = atom_entries(client.get(f"{article_rss(article)}atom/"))

    assert [item.findtext("description") for item in items] == ["<p>Here.</p>"]
    assert len(entries) == 1
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "Reader"
    assert (
        ET.fromstring(client.get(article_rss(article)).content).findtext("channel/title")
        == "Comments on “Grid repairs” · Newsroom"
    )


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_no_feed_for_an_article_readers_cannot_see(client, trait):
    hidden = ArticleFactory(**{trait: True})
    make_comment(hidden, body="Not public.")
    assert client.get(article_rss(hidden)).status_code == 404
    assert client.get(f"{article_rss(hidden)}atom/").status_code == 404


def test_article_page_announces_its_comment_feeds(client, article):
    head = parse(client.get(article.get_absolute_url())).head
    feeds = {
        link["type"]: link["href"]
        for link in head.select("link[rel=alternate]")
        if "comments" in link["href"]
    }
    assert feeds == {
        "application/rss+xml": article_rss(article),
        "application/atom+xml": f"{article_rss(article)}atom/",
    }
    # The site's own article feeds are still announced.
    assert head.select_one("link[rel=alternate][href='/feeds/rss/']") is not None


@pytest.mark.parametrize("url", [SITE_RSS, SITE_ATOM, "article", "article-atom"])
def test_feed_query_count_is_constant(client, article, django_assert_num_queries, url):
    if url.startswith("article"):
        url = article_rss(article) + ("atom/" if url.endswith("atom") else "")
    queries = 2 if url.startswith("/articles/") else 1  # the article, then its comments
    root = make_comment(article, body="One.")
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    for n in range(40):
        make_comment(article, parent=root if n % 2 else None, body=f"Comment {n}.")
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.content.decode().count("Comment ") >= 30
