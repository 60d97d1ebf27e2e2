"""Posting on a reader's way: the article the page was served from is used again, and on
PostgreSQL the post's statements go in a few round trips (comments/moderation/actions.py,
``pipelined``), while every rule still reads what is stored now."""

import re
import tempfile
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext, isolate_apps
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from psycopg import pq

from articles.models import Article
from comments.models import Comment, ModerationLogEntry, UsedFormToken
from comments.moderation import actions
from comments.moderation.actions import _insert_statement, gather, insert_unreturned, pipelined
from comments.moderation.rules import Submission
from comments.views import CLOSED_MESSAGE
from tests.comments.helpers import comment_data, form_timestamp, make_comment, post_url, text_of
from tests.comments.test_post_queries import DATABASE_TASKS, HELD_POST_QUERIES
from tests.factories import ArticleFactory
from tests.helpers import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    """Pages' fragments and articles kept, as the site runs."""
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    settings.TASKS = DATABASE_TASKS


def article_queries(captured) -> list[str]:
    """Statements that read the article on their own (not within the post's history)."""
    return [
        q["sql"]
        for q in captured
        if q["sql"].startswith('SELECT "articles_article"."id"') and "'earlier'" not in q["sql"]
    ]


def test_a_post_from_the_page_reads_no_article_of_its_own(client, kept):
    article = ArticleFactory(title="Київ уночі")
    data = comment_data(
        name="Олена", body="Дякую за текст 🌙 شكرا", timestamp=form_timestamp(client, article)
    )
    with CaptureQueriesContext(connection) as captured:
        response = client.post(post_url(article), data)
    assert response.status_code == 302
    assert Comment.objects.get().body == "Дякую за текст 🌙 شكرا"
    assert article_queries(captured) == []
    assert len(captured) == HELD_POST_QUERIES[connection.vendor] - 1


def test_a_post_to_an_article_not_kept_reads_it(client, article, settings):
    settings.TASKS = DATABASE_TASKS
    data = comment_data(timestamp=form_timestamp(client, article))
    with CaptureQueriesContext(connection) as captured:
        response = client.post(post_url(article), data)
    assert response.status_code == 302
    assert len(article_queries(captured)) == 1


LONG_AGO = timezone.now() - timedelta(days=400)


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"comments_enabled": False}, 403),
        ({"published_at": LONG_AGO}, 403),  # past the automatic closing time
        ({"status": Article.Status.DRAFT}, 404),
    ],
    ids=["comments switched off", "closed by age", "unpublished"],
)
def test_an_article_closed_since_its_page_was_kept_takes_no_comment(
    client, kept, settings, change, status
):
    """The kept copy still says "open" (the change reached the database, not yet this
    server's copy): the post's own transaction reads the article again and refuses. The
    page says why while the article is public; an unpublished one is not found."""
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 30
    article = ArticleFactory()
    data = comment_data(body="Ще встигну? 🕐", timestamp=form_timestamp(client, article))
    Article.objects.filter(pk=article.pk).update(**change)  # no version bump: the copy stays
    response = client.post(post_url(article), data)
    assert response.status_code == status
    if status == 403:
        assert CLOSED_MESSAGE in text_of(parse(response))
    assert not Comment.objects.exists()
    assert not UsedFormToken.objects.exists()
    assert not ModerationLogEntry.objects.exists()


@contextmanager
def sent_messages():
    """The protocol messages the connection sends, read from libpq's trace: each line is the
    message's name and its fields. The connection is kept open across the request, as the
    site's persistent connections are (CONN_MAX_AGE), so the trace follows it throughout."""
    sent: list[str] = []
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            yield sent
        finally:
            pgconn.untrace()
        trace.seek(0)
        lines = [line.split("\t") for line in trace if line.startswith("F\t")]
    sent += ["\t".join(fields[2:]).strip() for fields in lines]


@contextmanager
def database_waits():
    """How many times the connection waits for PostgreSQL's answer: each simple query and
    each pipeline sync or flush (a flush right after a sync is the same wait)."""
    waits: list[int] = []
    with sent_messages() as sent:
        yield waits
    names = [message.split("\t")[0] for message in sent]
    count = 0
    for previous, name in zip(["", *names], names, strict=False):
        if name in ("Query", "Sync") or (name == "Flush" and previous != "Sync"):
            count += 1
    waits.append(count)


@pytest.mark.django_db(transaction=True)
def test_a_held_post_waits_for_postgresql_four_times(client, kept, monkeypatch):
    """BEGIN; the locks and the history together; the comment, its log entry, the
    moderators' mail and its task together; COMMIT. Statement by statement, it waited nine times."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's protocol")
    article = ArticleFactory()
    data = comment_data(name="דנה", body="תודה 🙏", timestamp=form_timestamp(client, article))
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    connection.close()  # opened again persistent
    with database_waits() as waits:
        response = client.post(post_url(article), data)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.thread_id == comment.pk
    assert ModerationLogEntry.objects.get().comment_id == comment.pk
    assert DBTaskResult.objects.get().task_path == "comments.tasks.send_moderator_mail"
    assert waits == [4]


def parsed(sent: list[str]) -> list[str]:
    """The statements parsed by the server, by their text's start (prepared or not)."""
    return [
        re.match(r'Parse\s+"[^"]*" "(.{0,200})', message).group(1)
        for message in sent
        if message.startswith("Parse")
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "unprepared"])
def test_posting_statements_are_parsed_once_per_connection(client, kept, monkeypatch, prepared):
    """Each statement of a post is parsed and planned on its connection's first post only;
    later posts send their values, and run the plan made then. With prepared statements
    off (DATABASE_PREPARED_STATEMENTS, for a pooler that does not keep them), every post has
    them parsed, and posts work."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's protocol")
    if not prepared:
        options = {**connection.settings_dict["OPTIONS"], "prepare_threshold": None}
        monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    connection.close()  # opened again persistent, with these options
    article = ArticleFactory()
    parses = []
    for number, (name, address) in enumerate([("Олена", "192.0.2.1"), ("محمد", "2001:db8::7")]):
        data = comment_data(
            name=name,
            email=f"reader{number}@example.com",
            body=f"Дякую 🙏 شكرا {number}",
            timestamp=form_timestamp(client, article),
        )
        with sent_messages() as sent:
            response = client.post(post_url(article), data, REMOTE_ADDR=address)
        assert response.status_code == 302
        parses.append(parsed(sent))
    first, second = parses
    assert any("pg_advisory_xact_lock(" in text for text in first)
    assert any(text.startswith("WITH used AS (INSERT") for text in first)
    assert any(text.startswith('INSERT INTO "comments_comment"') for text in first)
    if prepared:
        assert second == ['BEGIN" 0']  # psycopg's own, with no parameter
        # Each run on the generic plan made once: none planned for a post's own values.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE 'WITH used AS (INSERT%%'"
            )
            assert cursor.fetchall() == [(2, 0)]
    else:
        assert len(second) == len(first) - 4  # no moderators' mail, task, or task's savepoint
    assert list(Comment.objects.order_by("pk").values_list("name", "ip_address")) == [
        ("Олена", "192.0.2.1"),
        ("محمد", "2001:db8::7"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_post_after_a_migration_changed_a_column_the_history_returns_is_stored(
    client, kept, monkeypatch, caplog
):
    """An app server's connection prepared posting's statements, then a migration changed the
    type of a column the history returns (here the email's, made text). PostgreSQL refuses
    to run the stale statement; the post runs again on statements prepared afresh, and the
    reader's comment is taken, not answered with an error page."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    # Prepared whatever DATABASE_PREPARED_STATEMENTS says where the suite runs.
    options = {**connection.settings_dict["OPTIONS"], "prepare_threshold": 2**31 - 1}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    connection.close()  # opened again persistent, as an app server's, with these options
    article = ArticleFactory()
    runs = []
    store_comment = actions._store_comment

    def counted_store_comment(**arguments):
        runs.append(arguments["submission"].name)
        return store_comment(**arguments)

    monkeypatch.setattr(actions, "_store_comment", counted_store_comment)

    def post(name: str, email: str, address: str):
        data = comment_data(
            name=name,
            email=email,
            body=f"{name}: дякую 🙏",
            timestamp=form_timestamp(client, article),
        )
        return client.post(post_url(article), data, REMOTE_ADDR=address)

    assert post("Олена", "olena@example.com", "192.0.2.1").status_code == 302  # prepares them
    field = Comment._meta.get_field("email")
    alter = f'ALTER TABLE "{Comment._meta.db_table}" ALTER COLUMN "{field.column}" TYPE {{}}'

    def migrate(column_type: str) -> None:
        # From a connection of its own, as `manage.py migrate` runs beside the app servers
        # (psycopg forgets its prepared statements when its own connection says ALTER).
        params = connection.get_connection_params()
        with psycopg.connect(**params, autocommit=True) as migrating:
            migrating.execute("SET lock_timeout = '5s'")  # fails rather than hangs
            migrating.execute(alter.format(column_type))

    migrate("text")
    try:
        response = post("محمد", "mohammed@example.com", "2001:db8::7")
    finally:
        migrate(field.db_type(connection))
        connection.close()  # its statements were prepared for the text column
    assert response.status_code == 302
    assert runs == ["Олена", "محمد", "محمد"]  # refused once, then run afresh
    assert "posting again" in caplog.text
    assert list(Comment.objects.order_by("pk").values_list("name", "email")) == [
        ("Олена", "olena@example.com"),
        ("محمد", "mohammed@example.com"),
    ]


def stored(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_a_row_inserted_unreturned_is_the_row_save_writes(article):
    """The statement written once per model stores what ``save()`` stores: each value made
    ready by its field (the list of reasons as JSON, the address, the times), in Cyrillic,
    Hebrew and emoji."""
    fields = {
        "article": article,
        "name": "Олена Коваль",
        "email": "olena@приклад.укр",
        "body": "Дякую! תודה 👋\n«Цитата»",
        "status": Comment.Status.PENDING,
        "hold_reasons": ["first-time commenter", "містить посилання"],
        "ip_address": "2001:db8::7",
        "user_agent": "Mozilla/5.0 (Ελληνικά)",
    }
    saved = Comment(**fields)
    saved.save(force_insert=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM comments_comment")
        next_id = cursor.fetchone()[0] + 1
    inserted = Comment(id=next_id, **fields)
    inserted.prepare_insert()
    insert_unreturned(inserted)
    assert not inserted._state.adding
    one, other = stored(Comment, saved.pk), stored(Comment, inserted.pk)
    assert other.pop("id") == other.pop("thread_id") == next_id
    assert one.pop("id") == one.pop("thread_id") == saved.pk
    assert abs(one.pop("submitted_at") - other.pop("submitted_at")).total_seconds() < 60
    assert one == other

    entry = ModerationLogEntry(comment=inserted, action="submitted", to_status="pending",
                               reason="first-time commenter; містить посилання")  # fmt: skip
    insert_unreturned(entry)  # no id of its own yet: the database gives it one
    row = ModerationLogEntry.objects.get(comment=inserted)
    assert (row.action, row.to_status, row.reason) == (
        "submitted",
        "pending",
        "first-time commenter; містить посилання",
    )
    assert row.created_at is not None


@isolate_apps("comments")
def test_a_row_that_needs_more_than_plain_placeholders_is_left_to_the_orm():
    class Stamped(models.Model):  # noqa: DJ008 - never shown
        made_at = models.DateTimeField(db_default=Now())

        class Meta:
            app_label = "comments"

    class Shown(Comment):  # noqa: DJ008 - never shown
        class Meta:
            app_label = "comments"
            proxy = True

    try:
        assert _insert_statement(Stamped, False, connection.alias)[0] is None
        assert _insert_statement(Shown, True, connection.alias)[0] is None
        assert _insert_statement(Comment, True, connection.alias)[0].startswith("INSERT")
    finally:
        _insert_statement.cache_clear()  # the test's models are not the site's


def test_a_row_whose_id_the_database_gives_is_not_marked_saved(article):
    """So a later save() of it inserts nothing twice by mistake for an existing row."""
    comment = Comment.objects.create(article=article, name="Ада", email="a@example.com",
                                     body="Так 👍")  # fmt: skip
    entry = ModerationLogEntry(comment=comment, action="submitted", to_status="pending")
    insert_unreturned(entry)
    assert entry.pk is None and entry._state.adding
    assert ModerationLogEntry.objects.filter(comment=comment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_error_at_the_pipelines_end_is_djangos_and_nothing_is_stored():
    """A statement the database refuses is answered only when the pipeline ends: it is
    raised there as Django's error, and the transaction stores nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pipeline")
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), pipelined():
        first = ModerationLogEntry(comment_id=None, action="submitted", to_status="pending")
        entry = Comment(id=10**9, article=article, name="Олена", email="o@example.com",
                        body="Перший 👋")  # fmt: skip
        entry.prepare_insert()
        insert_unreturned(entry)
        insert_unreturned(first)  # no comment: NOT NULL refused at the end
    assert not Comment.objects.exists()
    assert not ModerationLogEntry.objects.exists()


def test_history_holds_each_earlier_comment_once(article):
    """One stored comment that is the same text, from the same email and from the same
    address comes back from each of the history's three lookups (UNION ALL): the rules see
    it once."""
    stored = make_comment(
        article, email="olena@example.com", body="Слава 🌻", ip_address="203.0.113.9"
    )
    submission = Submission(
        article_id=article.pk,
        name="Олена",
        email="olena@example.com",
        body="Слава 🌻",
        ip_address="203.0.113.9",
        form_token=None,
        received_at=timezone.now(),
    )
    with transaction.atomic():
        history = gather(submission, flood_seconds=60, form_token_digest=None)
    assert [comment.body for comment in history.earlier] == [stored.body]
    assert history.article_open
