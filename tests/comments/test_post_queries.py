"""What posting a comment costs the database: a fixed few queries, and one commit (the
comment, its log entry, its used form token and the moderators' mail go together)."""

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, ModerationLogEntry, ModeratorMail, UsedFormToken
from tests.comments.helpers import comment_data, form_timestamp, make_comment, post_url
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The article (a few fields); then in one transaction: the advisory locks on the commenter
# (PostgreSQL only); one statement for the earlier comments, an approved one and the
# blocklist entries of this email, domain and IP (on PostgreSQL it also records the used
# form token and takes the comment's id, so the comment starts its thread as it is
# inserted); on SQLite the used form token, and the comment's thread once it has an id; the
# comment, the log entry, the moderators' mail it schedules and that mail's task (under a
# savepoint). In a test's own transaction the post's transaction is itself a savepoint: two
# more statements.
HELD_POST_QUERIES = {"postgresql": 11, "sqlite": 12}
# A held post that joins a moderators' mail waiting already: no mail row, no task.
JOINING_POST_QUERIES = {vendor: count - 4 for vendor, count in HELD_POST_QUERIES.items()}
# The article; the transaction opened (a savepoint in a test), the locks (PostgreSQL), the
# earlier comments and the blocklist, rolled back (two statements for a savepoint); then the
# article page again with the form and its message (10 queries, as in
# tests/comments/test_queries.py).
DUPLICATE_POST_QUERIES = {"postgresql": 6 + 10, "sqlite": 5 + 10}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def form(client, article, **fields) -> dict:
    """A filled-in form with its token, fetched as the page's script fetches it."""
    return comment_data(timestamp=form_timestamp(client, article), **fields)


def test_a_held_post_costs_a_fixed_few_queries(
    client, article, database_tasks, django_assert_num_queries
):
    make_comment(ArticleFactory(), email="someone@example.com", body="Elsewhere")
    data = form(client, article, name="Олена", body="Привіт 👋 שלום")
    with django_assert_num_queries(HELD_POST_QUERIES[connection.vendor]):
        response = client.post(post_url(article), data)
    assert response.status_code == 302
    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.PENDING
    assert ModerationLogEntry.objects.filter(comment=comment).count() == 1
    assert UsedFormToken.objects.count() == 1
    assert DBTaskResult.objects.get().args_kwargs == {"args": [], "kwargs": {}}
    assert ModeratorMail.objects.filter(sent_at__isnull=True).count() == 1


def test_a_held_post_joining_a_waiting_mail_queues_no_task(
    client, article, database_tasks, django_assert_num_queries
):
    ModeratorMail.objects.create(due_at=timezone.now())  # waiting for its task
    data = form(client, article, name="דנה", body="תודה 🙏")
    with django_assert_num_queries(JOINING_POST_QUERIES[connection.vendor]):
        response = client.post(post_url(article), data)
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert not DBTaskResult.objects.exists()
    assert ModeratorMail.objects.filter(sent_at__isnull=True).count() == 1


def test_a_refused_duplicate_costs_a_fixed_few_queries(
    client, article, database_tasks, django_assert_num_queries
):
    make_comment(article, email="ada@example.com", body="Same words 🙂")
    data = form(client, article, body="Same words 🙂")
    with django_assert_num_queries(DUPLICATE_POST_QUERIES[connection.vendor]):
        response = client.post(post_url(article), data)
    assert response.status_code == 409
    assert Comment.objects.count() == 1
    assert not UsedFormToken.objects.exists()  # the form can be sent again
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_held_post_commits_once_with_its_task(client, database_tasks):
    article = ArticleFactory()
    data = form(client, article)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(post_url(article), data)
    assert response.status_code == 302
    statements = [query["sql"].upper() for query in captured]
    assert statements.count("COMMIT") == 1, statements
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert DBTaskResult.objects.get().task_path == "comments.tasks.send_moderator_mail"


def test_a_queue_that_refuses_the_task_does_not_fail_the_post(
    client, article, database_tasks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise DatabaseError("the queue's table is missing")

    monkeypatch.setattr(DBTaskResult.objects, "create", refuse)
    response = client.post(post_url(article), form(client, article))
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert "Could not queue send_moderator_mail" in caplog.text


def test_the_duplicate_rule_finds_an_articles_earlier_texts_by_index(client, article):
    """An article with many comments: the duplicate rule's lookup reads the index on the
    text's start (Comment.Meta), not every comment of the article. PostgreSQL's plan names
    the condition on the start; SQLite's planner uses that index for the article alone."""
    if connection.vendor != "postgresql":
        pytest.skip("Reads PostgreSQL's plan")
    for number in range(300):
        make_comment(article, email=f"r{number}@example.com", body=f"Коментар {number} 🌧")
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        data = form(client, article, email="r7@example.com", body="Коментар 7 🌧")
        response = client.post(post_url(article), data)
    assert response.status_code == 409  # the duplicate, found
    gather = next(
        connection.ops.compose_sql(sql, params)
        for sql, params in statements
        if "'earlier' AS part" in sql
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
        cursor.execute(f"EXPLAIN {gather}")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "comment_article_body_start" in plan
    assert '"left"(body, 100) =' in plan
