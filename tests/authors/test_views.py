"""The public author page: who the author is, and what they have published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, image_file
from tests.helpers import is_rendition_of, parse, text_of

pytestmark = pytest.mark.django_db


def listed_titles(response) -> list[str]:
    main = parse(response).find("main")
    return [text_of(teaser.find("h2")) for teaser in main.find_all("article")]


@pytest.fixture
def jane():
    return AuthorFactory(
        name="Jane Doe",
        slug="jane-doe",
        job_title="Kyiv correspondent",
        bio="Jane has covered Ukraine since 2014.\n\nShe lives in Kyiv.\nWith two cats.",
        photo=image_file("jane.jpg", size=(200, 200)),
        website="https://janedoe.example/",
        email="jane@newsroom.example",
        social_links="https://mastodon.social/@jane\nhttps://bsky.app/profile/jane.example",
    )


def test_author_page_introduces_the_author(client, jane):
    response = client.get("/authors/jane-doe/")

    assert response.status_code == 200
    soup = parse(response)
    header = soup.find("main").find("header")

    (h1,) = soup.find_all("h1")
    assert text_of(h1) == "Jane Doe"

    photo = header.find("img")
    assert is_rendition_of(photo["src"], jane.photo)
    assert "Jane Doe" in photo["alt"]

    paragraphs = [text_of(p) for p in header.find_all("p")]
    assert paragraphs == [
        "Kyiv correspondent",
        "Jane has covered Ukraine since 2014.",
        "She lives in Kyiv.With two cats.",  # a single line break stays a <br>
    ]
    assert header.find_all("p")[-1].find("br") is not None

    links = {a["href"]: text_of(a) for a in header.find_all("a")}
    assert links["https://janedoe.example/"] == "Website"
    assert links["mailto:jane@newsroom.example"] == "jane@newsroom.example"
    assert links["https://mastodon.social/@jane"] == "mastodon.social/@jane"
    assert links["https://bsky.app/profile/jane.example"] == "bsky.app/profile/jane.example"
    assert len(links) == 4


def test_author_page_without_photo_or_links_shows_neither(client):
    AuthorFactory(name="John Roe", slug="john-roe", job_title="", bio="")

    response = client.get("/authors/john-roe/")

    assert response.status_code == 200
    header = parse(response).find("main").find("header")
    assert text_of(header.find("h1")) == "John Roe"
    assert header.find("img") is None
    assert header.find("a") is None
    assert header.find("ul") is None


def test_author_page_lists_only_their_published_articles_newest_first(client, jane):
    colleague = AuthorFactory(name="John Roe")
    now = timezone.now()
    ArticleFactory(title="Jane, last week", authors=[jane], published_at=now - timedelta(days=7))
    ArticleFactory(
        title="Jane with John", authors=[colleague, jane], published_at=now - timedelta(days=1)
    )
    ArticleFactory(title="Jane's draft", authors=[jane], draft=True)
    ArticleFactory(title="Jane's embargoed story", authors=[jane], scheduled=True)
    ArticleFactory(title="John alone", authors=[colleague])
    ArticleFactory(title="Nobody's byline")

    response = client.get("/authors/jane-doe/")

    assert listed_titles(response) == ["Jane with John", "Jane, last week"]
    html = response.content.decode()
    for hidden in ("Jane&#x27;s draft", "Jane&#x27;s embargoed story", "John alone"):
        assert hidden not in html


def test_author_who_has_left_keeps_their_page_and_articles(client, jane):
    jane.is_active = False
    jane.save()
    ArticleFactory(title="From the archive", authors=[jane])

    response = client.get("/authors/jane-doe/")

    assert response.status_code == 200
    assert listed_titles(response) == ["From the archive"]


@pytest.mark.parametrize(
    "fields",
    [{"social_links": "javascript:alert(1)"}, {"website": "javascript:alert(1)"}],
    ids=["social-link", "website"],
)
def test_author_page_never_links_to_javascript(client, fields):
    AuthorFactory(slug="mallory", **fields)  # saved without full_clean()

    response = client.get("/authors/mallory/")

    assert response.status_code == 200
    hrefs = [a["href"] for a in parse(response).find_all("a", href=True)]
    assert not [href for href in hrefs if href.strip().lower().startswith("javascript:")]


def test_author_page_with_nothing_published_says_so(client, jane):
    ArticleFactory(authors=[jane], draft=True)

    response = client.get("/authors/jane-doe/")

    assert response.status_code == 200
    assert listed_titles(response) == []
    assert "No published articles yet." in text_of(parse(response).find("main"))


def test_unknown_author_is_404(client, jane):
    response = client.get("/authors/nobody/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.fixture
def five_stories(jane, settings):
    """Five published stories by Jane, newest first, two to a page (pages 1–3)."""
    settings.NEWSROOM_PAGE_SIZE = 2
    now = timezone.now()
    for n in range(1, 6):
        ArticleFactory(title=f"Story {n}", authors=[jane], published_at=now - timedelta(hours=n))


def test_author_page_paginates(client, five_stories):
    first = client.get("/authors/jane-doe/")
    older = parse(first).find("main").find("a", rel="next")["href"]

    second = client.get("/authors/jane-doe/" + older)

    assert listed_titles(first) == ["Story 1", "Story 2"]
    assert listed_titles(second) == ["Story 3", "Story 4"]


@pytest.mark.parametrize("query", [{"page": "abc"}, {"older": "abc"}, {"newer": "0-0"}])
def test_author_page_bad_page_addresses_show_a_real_page(client, five_stories, query):
    response = client.get("/authors/jane-doe/", query)

    assert response.status_code == 200
    # Never an error: the first page, or the real page such a cursor points at.
    titles = listed_titles(response)
    assert titles and set(titles) <= {f"Story {n}" for n in range(1, 6)}
