"""The queue's article filter and what the queue reads: a fixed cost with any number of
articles (it once listed every article with its body)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory
from tests.helpers import staff_in

from .helpers import make_comment, parse, text_of

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/comment/?status=pending"
PARAM = "article__id__exact"
# Session, user, the moderator's permissions (two); the status filter's four capped counts;
# the article filter's choices; the paginator's capped count; the page of comments with
# their articles, parents and commenters' records; the readers' open reports of that page.
QUEUE_QUERIES = 12
ARTICLE_FILTER = "#changelist-filter details[data-filter-title=article]"


@pytest.fixture
def mod_client(client):
    client.force_login(staff_in("Moderators"))
    return client


def held(article, n: int = 1) -> list[Comment]:
    return [make_comment(article, status=Comment.Status.PENDING) for _ in range(n)]


def article_choices(response) -> list[str]:
    """The article filter's entries, in order (without "All")."""
    links = parse(response).select(f"{ARTICLE_FILTER} a[href*='{PARAM}=']")
    return [text_of(link) for link in links]


def test_lists_only_articles_with_held_comments_most_held_first(mod_client):
    quiet = ArticleFactory(title="Quiet story")
    make_comment(quiet)  # approved only: nothing to moderate there
    busy, busier = ArticleFactory(title="Busy story"), ArticleFactory(title="Busier story")
    held(busy, 2)
    held(busier, 3)

    choices = article_choices(mod_client.get(QUEUE))

    assert choices == ["Busier story (3 held)", "Busy story (2 held)"]


def test_choosing_an_article_shows_only_its_comments(mod_client):
    one, other = ArticleFactory(title="One"), ArticleFactory(title="Other")
    mine = held(one, 2)
    held(other, 1)

    response = mod_client.get(f"{QUEUE}&{PARAM}={one.pk}")

    rows = [int(box["value"]) for box in parse(response).select("input[name=_selected_action]")]
    assert sorted(rows) == sorted(c.pk for c in mine)
    selected = parse(response).select_one(f"{ARTICLE_FILTER} li.selected a")
    assert text_of(selected) == "One (2 held)"


def test_an_article_without_held_comments_can_still_be_chosen_by_its_id(mod_client):
    held(ArticleFactory(title="Busy"))
    calm = ArticleFactory(title="Calm")
    approved = make_comment(calm)

    response = mod_client.get(f"/admin/comments/comment/?status=all&{PARAM}={calm.pk}")

    assert "Calm" in article_choices(response)
    rows = [int(box["value"]) for box in parse(response).select("input[name=_selected_action]")]
    assert rows == [approved.pk]


@pytest.mark.parametrize("value", ["abc", "1 OR 1=1", "9" * 40])
def test_a_bad_article_id_is_the_admins_usual_error_not_a_500(mod_client, value):
    response = mod_client.get("/admin/comments/comment/", {"status": "pending", PARAM: value})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_filter_lists_the_articles_at_the_front_of_a_long_queue(mod_client, settings):
    from comments import admin as comments_admin

    old, recent = ArticleFactory(title="Old news"), ArticleFactory(title="Recent news")
    for comment in held(old, 2):
        Comment.objects.filter(pk=comment.pk).update(
            submitted_at=timezone.now() - timedelta(days=1)
        )
    held(recent, 3)

    original = comments_admin.ARTICLE_FILTER_SCAN
    comments_admin.ARTICLE_FILTER_SCAN = 2
    try:
        choices = article_choices(mod_client.get(QUEUE))
    finally:
        comments_admin.ARTICLE_FILTER_SCAN = original

    assert choices == ["Old news (2 held)"]


def queue_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("n_articles", [1, 15], ids=["one article", "many articles"])
def test_queue_costs_the_same_queries_with_any_number_of_articles(
    mod_client, django_assert_num_queries, n_articles
):
    for _ in range(n_articles):
        article = ArticleFactory()
        first = held(article, 2)[0]
        make_comment(article, parent=first, status=Comment.Status.PENDING)
        make_comment(article, email=first.email)  # a record to show beside the commenter
    ArticleFactory.create_batch(3)  # articles without comments cost nothing either

    with django_assert_num_queries(QUEUE_QUERIES):
        response = mod_client.get(QUEUE)

    rows = parse(response).select("input[name=_selected_action]")
    assert len(rows) == 3 * n_articles
    assert len(article_choices(response)) == n_articles


def test_queue_never_reads_article_bodies_or_search_vectors(mod_client):
    article = ArticleFactory(body="<p>A very long body.</p>")
    parent = held(article)[0]
    make_comment(article, parent=parent, status=Comment.Status.PENDING)

    queries = queue_queries(mod_client)

    assert any('"articles_article"' in sql for sql in queries)  # the join is there
    for sql in queries:
        assert '"articles_article"."body"' not in sql
        assert '"search_vector"' not in sql


# --- the queue's counts ------------------------------------------------------------------

STATUS_FILTER = "#changelist-filter details[data-filter-title=status]"


def test_status_filter_counts_each_status_up_to_the_cap(mod_client, monkeypatch):
    monkeypatch.setattr("comments.admin.COUNT_CAP", 2)
    article = ArticleFactory()
    held(article, 2)
    for _ in range(3):
        make_comment(article)  # approved, with its commenter's record in the queue's columns
    make_comment(article, status=Comment.Status.SPAM)

    entries = [text_of(a) for a in parse(mod_client.get(QUEUE)).select(f"{STATUS_FILTER} a")]

    assert entries[:4] == ["Pending (2)", "Approved (2+)", "Spam (1)", "Removed (0)"]


def test_queue_says_how_many_comments_it_holds_up_to_the_paginators_bound(mod_client, monkeypatch):
    monkeypatch.setattr("comments.admin.CappedPaginator.limit", 3)
    article = ArticleFactory()
    held(article, 2)

    assert "2 comments" in text_of(parse(mod_client.get(QUEUE)).find(class_="paginator"))

    held(article, 2)

    assert "3 comments" in text_of(parse(mod_client.get(QUEUE)).find(class_="paginator"))
