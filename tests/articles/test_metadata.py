"""What search engines and link previews read: titles, descriptions, canonical links, social
tags, and the JSON-LD of articles/structured_data.py."""

from datetime import datetime

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    image_file,
)
from tests.helpers import (
    HOST,
    absolute,
    form_errors,
    form_fields,
    json_ld,
    meta_content,
    parse,
    save_change,
)

pytestmark = pytest.mark.django_db


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
