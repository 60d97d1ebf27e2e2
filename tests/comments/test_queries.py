"""The article page costs the same few queries however many comments it shows."""

import pytest

from tests.comments.helpers import make_comment, parse
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# article, bylines, tags, notes; paginator count, top-level page, replies; comment count;
# related articles from the section (the article has no tags); nav.
ARTICLE_PAGE_QUERIES = 10


def big_thread(article, total: int = 200) -> list:
    """A chain of replies down to depth 5, then siblings hung off every level."""
    chain = [make_comment(article, body="root")]
    while len(chain) < 5:
        chain.append(make_comment(article, parent=chain[-1], body=f"depth {len(chain) + 1}"))
    comments = list(chain)
    while len(comments) < total:
        parent = chain[len(comments) % 4]  # depths 1-4, so replies reach depth 5 at most
        comments.append(make_comment(article, parent=parent, body=f"sibling {len(comments)}"))
    return comments


def test_one_comment(client, django_assert_num_queries):
    article = ArticleFactory()
    make_comment(article)
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())
    assert len(parse(response).select("li.comment")) == 1


def test_two_hundred_comments_in_one_thread(client, django_assert_num_queries, settings):
    settings.NEWSROOM_COMMENT_REPLIES_SHOWN = 200  # all of them, to see the whole tree
    article = ArticleFactory()
    comments = big_thread(article)
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())
    soup = parse(response)
    assert len(soup.select("li.comment")) == 200
    assert soup.find(id="comments-heading").get_text(strip=True) == "200 Comments"
    deepest = soup.find(id=f"comment-{comments[4].pk}")
    assert len(deepest.find_parents("li", class_="comment")) == 4


def test_second_comment_page_same_queries(client, django_assert_num_queries):
    article = ArticleFactory()
    big_thread(article, total=60)
    for _ in range(60):
        make_comment(article)
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        client.get(f"{article.get_absolute_url()}?cpage=2")
