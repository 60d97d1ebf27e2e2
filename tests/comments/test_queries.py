"""The article page costs the same few queries however many comments it shows; posting a
comment costs a fixed number."""

import pytest
from django.db import connection

from comments.models import BlockedCommenter, Comment, CommentSubscription, NotificationAddress
from tests.comments.helpers import comment_data, form_timestamp, make_comment, parse, post_url
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


# --- posting ---------------------------------------------------------------------------------

# The article; one query for the same text and the same sender (the refusal rules), an
# approved comment of the address and the blocklist entries of this sender (the policy);
# the used form token (insert); the comment (insert, its thread) and its log entry; the
# moderators' mail it schedules (none is waiting); for mail: the address (get or create), the
# subscription and the claim of the confirmation mail. Savepoints count as queries. The
# reader's own held comment is remembered in a cookie.
POST_ASKING_FOR_MAIL_QUERIES = 15
# A blocked address is spam: no mail is asked for, nothing of the address is stored.
POST_BLOCKED_QUERIES = 8


def post_queries(expected: int) -> int:
    """On PostgreSQL, posts from one commenter wait for each other: advisory locks on the
    email, the name and the IP address, taken in one statement. The statement that reads
    the earlier comments also records the used form token and takes the new comment's id,
    so the comment starts its own thread as it is inserted: two statements fewer."""
    return expected + (1 - 2 if connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize("blocked", [False, True], ids=["asks-for-mail", "blocked"])
def test_posting_a_comment_costs_a_fixed_number_of_queries(
    client, settings, django_assert_num_queries, blocked
):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    article = ArticleFactory()
    if blocked:
        BlockedCommenter.objects.create(kind=BlockedCommenter.Kind.EMAIL, value="olena@example.com")
    data = comment_data(
        name="Олена Коваль",
        email="olena@example.com",
        body="Дякую за статтю 🌻 ‎שלום",
        notify_approval="on",
        notify_replies="on",
    )
    data["timestamp"] = form_timestamp(client, article)

    expected = POST_BLOCKED_QUERIES if blocked else POST_ASKING_FOR_MAIL_QUERIES
    with django_assert_num_queries(post_queries(expected)):
        response = client.post(post_url(article), data)

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == "Дякую за статтю 🌻 ‎שלום"
    if blocked:
        assert comment.status == Comment.Status.SPAM
        assert not NotificationAddress.objects.exists()
        assert not CommentSubscription.objects.exists()
    else:
        assert comment.status == Comment.Status.PENDING
        subscription = CommentSubscription.objects.get()
        assert (subscription.on_approval, subscription.on_reply) == (True, True)
        assert NotificationAddress.objects.get().confirmation_sent_at is not None
