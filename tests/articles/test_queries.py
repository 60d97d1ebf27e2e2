"""Database queries per public page: a fixed number, however many articles, tags or authors.

Each page is measured on its first request (there is no page or query cache to warm), and
the same constant is asserted for a small and a large page, so an N+1 query shows up as a
failure on the large one. The numbers are the same on SQLite and PostgreSQL.
"""

import pytest

from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    image_file,
)
from tests.helpers import parse

pytestmark = pytest.mark.django_db

# Article page (no comments yet): the article with its section and source (one join), its
# bylines with their authors, its tags, its corrections and updates, the comment paginator's
# count, the visible comment count, related articles (by shared tags, then filled from the
# section), and the section navigation.
ARTICLE_PAGE_QUERIES = 9
# Home page: the featured articles, the page of articles with sections and sources (keyset:
# no COUNT), their bylines with authors, and the section navigation.
HOME_PAGE_QUERIES = 4
# Author page: the author, the page of articles, their bylines, the navigation.
AUTHOR_PAGE_QUERIES = 4
# Section, tag and source pages: the same shape as the author page.
LISTING_PAGE_QUERIES = 4


@pytest.mark.parametrize(("n_tags", "n_authors"), [(1, 1), (10, 3)], ids=["small", "large"])
def test_article_page_query_count_is_constant(client, django_assert_num_queries, n_tags, n_authors):
    SectionFactory.create_batch(3)  # the navigation lists every section
    authors = [AuthorFactory(photo=image_file(f"author{n}.jpg")) for n in range(n_authors)]
    article = ArticleFactory(
        authors=authors,
        tags=[f"Tag {n}" for n in range(n_tags)],
        source=SourceFactory(),
        source_url="https://www.source.example/post/1",
        image=ImageFactory(
            file=image_file("featured.jpg"),
            alt_text="Something",
        ),
    )

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    main = parse(response).find("main")
    assert len(main.find_all("a", rel="tag")) == n_tags
    assert len(main.find_all("aside")) == n_authors
    assert len(main.select("aside img")) == n_authors
    assert main.find("figure").find("img") is not None


@pytest.mark.parametrize("n_articles", [1, 30], ids=["small", "large"])
def test_home_page_query_count_is_constant(client, django_assert_num_queries, settings, n_articles):
    settings.NEWSROOM_PAGE_SIZE = 30
    for _ in range(n_articles):
        ArticleFactory(
            authors=AuthorFactory.create_batch(2),
            section=SectionFactory(),
            source=SourceFactory(),
            tags=["Ukraine"],
        )

    with django_assert_num_queries(HOME_PAGE_QUERIES):
        response = client.get("/")

    assert response.status_code == 200
    teasers = parse(response).find("main").find_all("article")
    assert len(teasers) == n_articles
    for teaser in teasers:
        assert len(teaser.find_all("a", rel="author")) == 2
        assert teaser.find("a", href=lambda href: href and href.startswith("/sections/"))


@pytest.mark.parametrize("n_articles", [1, 20], ids=["small", "large"])
def test_author_page_query_count_is_constant(client, django_assert_num_queries, n_articles):
    author = AuthorFactory(photo=image_file("author.jpg"))
    for _ in range(n_articles):
        ArticleFactory(authors=[author, AuthorFactory()], section=SectionFactory())

    with django_assert_num_queries(AUTHOR_PAGE_QUERIES):
        response = client.get(author.get_absolute_url())

    assert response.status_code == 200
    teasers = parse(response).find("main").find_all("article")
    assert len(teasers) == n_articles
    for teaser in teasers:
        assert len(teaser.find_all("a", rel="author")) == 2


@pytest.mark.parametrize("n_articles", [1, 20], ids=["small", "large"])
@pytest.mark.parametrize("kind", ["section", "tag", "source"])
def test_listing_page_query_count_is_constant(client, django_assert_num_queries, kind, n_articles):
    section, source = SectionFactory(slug="world"), SourceFactory(slug="wire")
    for _ in range(n_articles):
        ArticleFactory(
            section=section,
            source=source,
            tags=["Energy", "Kyiv"],
            authors=[AuthorFactory(), AuthorFactory()],
        )
    url = {"section": "/sections/world/", "tag": "/tags/energy/", "source": "/sources/wire/"}[kind]

    with django_assert_num_queries(LISTING_PAGE_QUERIES):
        response = client.get(url)

    assert len(parse(response).select(".teaser")) == n_articles
