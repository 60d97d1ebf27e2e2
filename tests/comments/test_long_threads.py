"""A thread with thousands of replies: the article page shows a bounded part of it.

2,000 replies once made a 1.6 MB article page for every reader. The page now shows the
earliest replies of each thread (NEWSROOM_COMMENT_REPLIES_SHOWN) and a "Show N more replies"
link, a plain link that works without JavaScript, to the thread's own pages.
"""

import pytest

from comments.models import Comment
from tests.comments.helpers import make_comment, parse, post_comment
from tests.factories import ArticleFactory

from .test_queries import ARTICLE_PAGE_QUERIES

pytestmark = pytest.mark.django_db

REPLIES = 2000


def add_replies(root: Comment, count: int, *, chain: int = 0) -> list[Comment]:
    """``count`` approved replies to ``root``, the first ``chain`` of them nested one in another.

    bulk_create skips save(), so thread and depth are set here as save() would.
    """
    nested = [root]
    for n in range(chain):
        nested.append(make_comment(root.article, parent=nested[-1], body=f"Вкладена відповідь {n}"))
    replies = [
        Comment(
            article=root.article,
            parent=root,
            thread=root,
            depth=2,
            name="Читач",
            email=f"reader{n}@example.com",
            body=f"Відповідь номер {n} 💬",
            status=Comment.Status.APPROVED,
        )
        for n in range(count - chain)
    ]
    return nested[1:] + Comment.objects.bulk_create(replies)


def comment_ids(response) -> list[int]:
    return [int(li["id"].removeprefix("comment-")) for li in parse(response).select("li.comment")]


def test_a_huge_thread_shows_its_first_replies_and_a_link(client, article):
    root = make_comment(article, name="Олена", body="Що ви думаєте?")
    replies = add_replies(root, REPLIES, chain=4)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert len(response.content) < 100_000
    assert comment_ids(response) == [root.pk] + [reply.pk for reply in replies[:20]]
    more = parse(response).find("p", class_="comment__more").find("a")
    assert " ".join(more.get_text().split()) == "Show 1980 more replies"
    assert parse(response).find(id="comments-heading").get_text(strip=True) == "2001 Comments"


def test_the_article_page_costs_the_same_queries_at_5_and_2000_replies(
    client, django_assert_num_queries
):
    small, large = ArticleFactory(), ArticleFactory()
    add_replies(make_comment(small), 5, chain=3)
    add_replies(make_comment(large), REPLIES, chain=4)
    for article in (small, large):
        with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
            client.get(article.get_absolute_url())


def test_show_more_leads_through_every_reply_without_javascript(client, article, settings):
    settings.NEWSROOM_COMMENT_REPLIES_PER_PAGE = 500
    root = make_comment(article, body="شكرا")
    replies = add_replies(root, REPLIES, chain=4)
    href = parse(client.get(article.get_absolute_url())).find("p", class_="comment__more").a["href"]

    seen, pages = [], 0
    url = article.get_absolute_url() + href
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.content) < 600_000
        ids = comment_ids(response)
        assert ids[0] == root.pk  # each page of the thread starts from what it answers
        seen += ids[1:]
        pages += 1
        later = parse(response).find("a", string=lambda text: text and "Later replies" in text)
        url = article.get_absolute_url() + later["href"] if later else None

    assert pages == 4
    assert sorted(seen) == sorted(reply.pk for reply in replies)


def test_a_thread_page_costs_the_same_queries_whatever_its_size(client, django_assert_num_queries):
    small, large = ArticleFactory(), ArticleFactory()
    small_root, large_root = make_comment(small), make_comment(large)
    add_replies(small_root, 5)
    add_replies(large_root, REPLIES)
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        client.get(f"{small.get_absolute_url()}?thread={small_root.pk}")
    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        client.get(f"{large.get_absolute_url()}?thread={large_root.pk}&rpage=7")


def test_a_reply_on_a_later_page_says_whom_it_answers(client, article, settings):
    settings.NEWSROOM_COMMENT_REPLIES_PER_PAGE = 2
    root = make_comment(article)
    first = make_comment(article, parent=root, name="אורי", body="first")
    make_comment(article, parent=root, body="second")
    answer = make_comment(article, parent=first, body="answer to the first")

    response = client.get(f"{article.get_absolute_url()}?thread={root.pk}&rpage=2")

    li = parse(response).find("li", id=f"comment-{answer.pk}")
    assert " ".join(li.find(class_="comment__in-reply-to").get_text().split()) == "In reply to אורי"


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "²"])
def test_an_unknown_thread_shows_the_article_page(client, article, value):
    make_comment(article)
    response = client.get(article.get_absolute_url(), {"thread": value, "rpage": "x"})
    assert response.status_code == 200
    assert len(comment_ids(response)) == 1


def test_a_reply_to_a_long_thread_lands_where_the_reader_sees_it(client, article):
    root = make_comment(article)
    add_replies(root, 60)
    make_comment(article, email="ada@example.com", body="approved before, so published now")

    response = post_comment(client, article, parent=root.pk, body="Моя відповідь 🌻")

    reply = Comment.objects.get(body="Моя відповідь 🌻")
    assert reply.status == Comment.Status.APPROVED
    page = client.get(response["Location"])
    assert reply.pk in comment_ids(page)
    assert reply.pk not in comment_ids(client.get(article.get_absolute_url()))
