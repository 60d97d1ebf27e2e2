"""Every page that lists articles is built on one layer, articles/listing_base.html, and every
paged list on the site (listings, search results, comments, a thread's replies) shows the one
pagination bar, templates/_pagination.html, drawn by {% pagination %}.

Bad ?page= and cursor values are tested with each page (test_views, test_search,
test_long_threads); here, that the pages share the bar and what it shows.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, SourceFactory
from tests.helpers import parse, text_of

pytestmark = pytest.mark.django_db

LISTING_LAYER = "articles/listing_base.html"
PAGINATION = "_pagination.html"


@pytest.fixture
def listings(settings) -> dict[str, str]:
    """Three articles in one section, tag, source and month, by one author; two to a page."""
    settings.NEWSROOM_PAGE_SIZE = 2
    section = SectionFactory(name="Energy", slug="energy")
    source = SourceFactory(name="Kyiv Post", slug="kyiv-post")
    author = AuthorFactory(name="Olena Kovalenko", slug="olena-kovalenko")
    for day in (10, 11, 12):
        ArticleFactory(
            title=f"Story of the {day}th",
            section=section,
            source=source,
            authors=[author],
            tags=["Grid"],
            published_at=datetime(2025, 5, day, 12, tzinfo=UTC),
        )
    return {
        "home": "/",
        "section": "/sections/energy/",
        "tag": "/tags/grid/",
        "author": "/authors/olena-kovalenko/",
        "source": "/sources/kyiv-post/",
        "archive year": "/archive/2025/",
        "archive month": "/archive/2025/5/",
    }


def template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def bar_of(response):
    """The page's one pagination bar: (its label, [(rel, text, href) for each entry])."""
    bars = parse(response).select("nav.pagination")
    assert len(bars) == 1
    entries = [
        (" ".join(item.get("rel", [])), text_of(item), item.get("href"))
        for item in bars[0].find_all(["a", "span"])
    ]
    return bars[0]["aria-label"], entries


@pytest.mark.parametrize(
    "name", ["home", "section", "tag", "author", "source", "archive year", "archive month"]
)
def test_every_listing_extends_the_layer_and_pages_with_the_one_bar(client, listings, name):
    url = listings[name]

    first = client.get(url)

    assert first.status_code == 200
    assert LISTING_LAYER in template_names(first)
    assert PAGINATION in template_names(first)
    label, entries = bar_of(first)
    assert label == "Pages"
    [(rel, text, older)] = entries
    assert (rel, text) == ("next", "Older →")
    assert older.startswith("?older=")

    second = client.get(url + older)

    assert [text_of(title) for title in parse(second).select(".teaser__title")] == [
        "Story of the 10th"
    ]
    label, entries = bar_of(second)
    assert label == "Pages"
    [(rel, text, newer), latest] = entries
    assert (rel, text) == ("prev", "← Newer")
    assert newer.startswith("?newer=")
    assert latest == ("", "Latest", url)


@pytest.mark.parametrize("name", ["home", "section", "tag", "author", "source", "archive month"])
def test_a_listing_of_one_page_has_no_bar(client, listings, settings, name):
    settings.NEWSROOM_PAGE_SIZE = 20

    response = client.get(listings[name])

    assert len(parse(response).select(".teaser")) == 3
    assert parse(response).select("nav.pagination") == []


def test_the_archive_names_its_period_in_title_meta_and_heading(client, listings):
    """The archive writes its period once (a partial) for title, og:title, description, h1."""
    page = parse(client.get(listings["archive month"]))

    assert page.title.string == "May 2025 · Archive · Newsroom"
    assert page.find("meta", property="og:title")["content"] == "Archive May 2025 · Newsroom"
    assert page.find("meta", attrs={"name": "description"})["content"] == (
        "Articles published in May 2025"
    )
    assert text_of(page.find("main").h1) == "May 2025"
    assert text_of(parse(client.get(listings["archive year"])).find("main").h1) == "2025"


def test_search_results_page_with_the_same_bar(client, listings):
    response = client.get("/search/", {"q": "story", "section": "energy"})

    assert PAGINATION in template_names(response)
    label, entries = bar_of(response)
    assert label == "Result pages"
    assert entries == [
        ("", "Page 1 of 2", None),
        ("next", "Next →", "?q=story&section=energy&author=&page=2"),
    ]


def test_comments_and_a_threads_replies_page_with_the_same_bar(client, settings):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 2
    settings.NEWSROOM_COMMENT_REPLIES_PER_PAGE = 1
    article = ArticleFactory()
    first = make_comment(article)
    make_comment(article, parent=first)
    make_comment(article, parent=first)
    make_comment(article)
    make_comment(article)
    url = article.get_absolute_url()

    comments = client.get(url, {"cpage": 2})
    replies = client.get(url, {"thread": first.pk, "rpage": 2})

    assert PAGINATION in template_names(comments)
    # Comment pages are not the article's own sequence: no rel="prev"/"next".
    assert bar_of(comments) == (
        "Comment pages",
        [
            ("", "← Earlier comments", "?cpage=1#comments"),
            ("", "Comments page 2 of 2", None),
        ],
    )
    assert bar_of(replies) == (
        "Reply pages",
        [
            ("", "← Earlier replies", f"?thread={first.pk}&rpage=1#comments"),
            ("", "Replies page 2 of 2", None),
            ("", "All comments", f"{url}#comments"),
        ],
    )


def test_no_template_draws_a_pagination_bar_of_its_own():
    templates = Path(django_settings.BASE_DIR) / "templates"
    drawing = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if 'class="pagination"' in path.read_text()
    ]

    assert drawing == [PAGINATION]
