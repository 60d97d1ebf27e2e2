"""Moderation workflows with side effects, shared by the posting view and the admin.

Every status change goes through ``change_status`` so it is logged: who, when, which
comment, from → to, and why.
"""

import enum
import functools
import ipaddress
import logging
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

import psycopg
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import F, Field, Model, Q
from django.tasks import Task
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks_db import DatabaseBackend

from articles.models import Article
from newsroom import pagecache

from ..models import (
    BODY_START_LENGTH,
    BlockedCommenter,
    Comment,
    CommentReport,
    CommentSubscription,
    ModerationLogEntry,
    ModeratorMail,
    NotificationAddress,
    UsedFormToken,
    normalise_email,
    normalise_ip,
)
from ..notifications import CONFIRMATION_INTERVAL
from ..tasks import (
    notify_comment_approved,
    notify_reply,
    send_moderator_mail,
    send_notification_confirmation,
)
from .locks import advisory_key
from .moderator_mail import MODERATOR_MAIL_LOCK, hold_moderator_mail_lock
from .rules import (
    Blocklist,
    EarlierComment,
    Mode,
    Outcome,
    Policy,
    Refusal,
    Submission,
    judge,
    refuse,
)

logger = logging.getLogger(__name__)

STATUS_FOR_OUTCOME = {
    Outcome.APPROVE: Comment.Status.APPROVED,
    Outcome.HOLD: Comment.Status.PENDING,
    Outcome.SPAM: Comment.Status.SPAM,
}


def current_policy(*, blocklist: Blocklist) -> Policy:
    """The rules' settings, with the blocklist entries that could match the submission
    (read with its history by ``gather``: its email, its domain, its IP)."""
    return Policy(
        mode=Mode(settings.NEWSROOM_COMMENT_MODERATION),
        max_links=settings.NEWSROOM_COMMENT_MAX_LINKS,
        moderation_keywords=tuple(settings.NEWSROOM_COMMENT_MODERATION_KEYWORDS),
        disallowed_keywords=tuple(settings.NEWSROOM_COMMENT_DISALLOWED_KEYWORDS),
        blocklist=blocklist,
        flood_seconds=settings.NEWSROOM_COMMENT_FLOOD_SECONDS,
        min_form_seconds=settings.NEWSROOM_COMMENT_MIN_SECONDS,
        max_form_age=settings.NEWSROOM_COMMENT_MAX_FORM_AGE,
    )


def blocklist_of(entries: Iterable[tuple[str, str]]) -> Blocklist:
    by_kind: dict[str, set[str]] = {kind: set() for kind in BlockedCommenter.Kind.values}
    for kind, value in entries:
        by_kind[kind].add(value)
    return Blocklist(
        emails=frozenset(by_kind["email"]),
        domains=frozenset(by_kind["domain"]),
        ips=frozenset(by_kind["ip"]),
    )


def blocklist_values(submission: Submission) -> list[str]:
    """The blocklist values that could match a submission: its email, domain and IP.

    Entries of another kind with the same value are harmless: each rule reads its kind.
    """
    email = submission.email.strip().lower()
    return sorted({email, email.rpartition("@")[2], submission.ip_address} - {None, ""})


USER_AGENT_MAX_LENGTH = 500


def clean_user_agent(user_agent: str) -> str:
    """The header without control characters (PostgreSQL refuses NUL in text), cut to fit."""
    printable = "".join(char for char in user_agent if unicodedata.category(char) != "Cc")
    return printable[:USER_AGENT_MAX_LENGTH]


class CommentRefused(Exception):
    """The comment is not stored; ``refusal`` says why, and the reader may try again."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def commenter_lock_keys(submission: Submission) -> list[int]:
    """What the refusal rules compare on, as 64-bit advisory lock keys.

    Sorted, so two posts that share some keys always take them in the same order (no
    deadlock).
    """
    keys = [f"email:{submission.email}", f"name:{submission.article_id}:{submission.name}"]
    if submission.ip_address:
        keys.append(f"ip:{submission.ip_address}")
    return sorted(advisory_key(key) for key in keys)


def serialize_commenter(submission: Submission) -> None:
    """Make concurrent posts from the same commenter wait for each other until commit.

    The refusal rules compare with what is stored, then the comment is inserted: without this,
    twenty identical posts at once all see "nothing yet" and several are stored. On
    PostgreSQL, transaction-scoped advisory locks on the commenter's email, name and IP
    serialize only posts that could conflict; one statement takes them all, in key order
    (a select list is evaluated left to right), after the moderators' mail's lock, shared.
    SQLite needs nothing here: its transactions begin IMMEDIATE (settings), so each one holds
    the database's single write lock from its first statement.
    """
    if connection.vendor != "postgresql":
        return
    keys = commenter_lock_keys(submission)
    # The moderators' mail's lock first, shared (see MODERATOR_MAIL_LOCK): the mail takes no
    # other lock, so the order cannot deadlock.
    locks = ", ".join(
        ["pg_advisory_xact_lock_shared(%s)", *["pg_advisory_xact_lock(%s)"] * len(keys)]
    )
    with prepared_cursor() as cursor:
        cursor.execute(f"SELECT {locks}", [MODERATOR_MAIL_LOCK, *keys])


@contextmanager
def pipelined() -> Iterator[None]:
    """On PostgreSQL, send the block's statements without waiting for each one's answer
    (psycopg's pipeline mode): the database runs them in order, and the block waits only
    where it reads a result, and once at its end, where any error is raised. Posting's
    locks and history go in one round trip (after psycopg's own for ``BEGIN``), and its
    comment, log entry and task rows in one more: each round trip cost the post about half
    a millisecond, more than most of its statements take to run. Elsewhere, statements run
    one by one."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    # An error the pipeline raises at its end is psycopg's own: raised as Django's (an
    # IntegrityError as django.db's), as a statement run through a cursor raises it.
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


class PreparingCursor(psycopg.Cursor):
    """Binds its parameters on the server and prepares each statement on its first run on a
    connection; later runs send only the values (psycopg's ``prepare=True``)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=prepare is not False, binary=binary)


def prepared_cursor() -> CursorWrapper:
    """Django's cursor (queries counted and logged as any), whose statements PostgreSQL
    parses and plans once per connection, not on every run: for posting's statements, run
    on every post with only their values changed. Parsing and planning the history
    statement (``gather``) cost a post more than running it: 1.1 of its 1.4 ms on the
    server. Each statement is prepared with parameters typed by where they stand, so this
    is for SQL written here, not the ORM's. It runs on the plan made once, whatever the
    values (settings: ``plan_cache_mode``): each of the history's lookups is an equality
    on an index, which serves any value alike; left to choose, PostgreSQL planned the
    history afresh for each post on the big bench data (0.8 ms each time), its statistics
    holding no comment as recent as the flood window's start. psycopg forgets a
    connection's prepared statements at each rollback (a refused post's): the next post
    prepares them again. Elsewhere, and with DATABASE_PREPARED_STATEMENTS off (settings),
    psycopg runs the statements unprepared."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = PreparingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def insert_unreturned(instance: Model) -> None:
    """INSERT ``instance`` as ``save(force_insert=True)`` writes it (the same columns, each
    value made ready by its field as the ORM does), without asking for anything back: a
    ``RETURNING`` would make a pipeline wait for the answer. For a row whose id, if it is
    needed, is known already; the instance is then marked saved, as ``save()`` marks it.

    The statement is written once per model: building it with the ORM's insert query cost
    the post about 0.4 ms of Python per row. A row that needs more than plain placeholders
    in one table (a database default, a field with its own placeholder, a value that is an
    expression, a proxy or a child model, a value read back) goes through the ORM.
    """
    with_pk = instance.pk is not None
    sql, fields = _insert_statement(type(instance), with_pk, connection.alias)
    values = [field.pre_save(instance, add=True) for field in fields]
    if sql is None or any(hasattr(value, "resolve_expression") for value in values):
        type(instance)._base_manager._insert([instance], fields=fields, using=connection.alias)
    else:
        params = [
            field.get_db_prep_save(value, connection=connection)
            for field, value in zip(fields, values, strict=True)
        ]
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
    if with_pk:
        # Saved, as save() marks it; a row whose id the database gave stays unsaved here,
        # so a later save() cannot mistake it for another.
        instance._state.adding = False
        instance._state.db = connection.alias


@functools.cache
def _insert_statement(
    model: type[Model], with_pk: bool, alias: str
) -> tuple[str | None, tuple[Field, ...]]:
    """The fields ``save(force_insert=True)`` writes for one ``model`` row, in order, and
    their INSERT with plain placeholders; no INSERT where the row needs the ORM's query."""
    meta = model._meta
    fields = tuple(
        field
        for field in meta.local_concrete_fields
        if not field.generated and (with_pk or field is not meta.auto_field)
    )
    if (
        meta.proxy
        or meta.parents
        or meta.order_with_respect_to
        or any(
            field.has_db_default()
            or getattr(field, "get_placeholder_sql", None) is not None
            or (field.db_returning and field is not meta.auto_field)
            for field in fields
        )
    ):
        return None, fields
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})", fields


EARLIER_FIELDS = ("article_id", "name", "email", "ip_address", "body", "submitted_at")


@dataclass(frozen=True)
class History:
    """What posting reads before it judges, all in one statement (``gather``): the stored
    comments the refusal rules compare a submission with, whether its email has an approved
    comment already, the blocklist entries that could match it, and whether the article
    still takes comments (the view judged the kept copy of it). On PostgreSQL also the
    new comment's id (so its thread is known as it is inserted) and whether its form token
    was recorded as used just now (False: a replay). And whether a moderators' mail is
    waiting already, for a comment that is held."""

    earlier: list[EarlierComment]
    has_approved_comment: bool
    blocklist: Blocklist
    next_id: int | None = None
    form_token_fresh: bool | None = None
    article_open: bool = True  # Article.is_published and comments_open, read with the rest
    moderator_mail: "MailState | None" = None  # what a held comment's mail needs to know


def _gather_sql(*, blocked: int, next_id: bool, token: bool) -> str:
    """The parts of ``gather``'s statement; each row says which part it belongs to.

    Extra columns (``kind``, ``value``) carry the blocklist entries.
    """
    quote = connection.ops.quote_name
    table = quote(Comment._meta.db_table)
    columns = ", ".join(
        quote(Comment._meta.get_field(name).column) for name in ("id", *EARLIER_FIELDS)
    )
    blanks = ", ".join(["NULL"] * len(EARLIER_FIELDS))
    blanks_before_time = ", ".join(["NULL"] * EARLIER_FIELDS.index("submitted_at"))
    article_columns = {
        name: quote(Article._meta.get_field(name).column)
        for name in ("id", "published_at", "status", "comments_enabled")
    }
    # The text's start, written as the index on it is (Comment.Meta), so the index finds the
    # article's comments that may be the same text (PostgreSQL; SQLite's planner narrows
    # by the article alone). Compared with the start cut in Python, a value, which an index
    # lookup needs: Python, PostgreSQL and SQLite count characters alike.
    if connection.vendor == "postgresql":
        start = f"LEFT(body, {BODY_START_LENGTH})"
    else:
        start = f"SUBSTR(body, 1, {BODY_START_LENGTH})"
    parts = [
        f"SELECT {columns}, 'earlier' AS part, NULL AS kind, NULL AS value FROM {table} "
        f"WHERE article_id = %s AND {start} = %s AND body = %s",
        # The email's and the address's recent comments apart: each part reads its own
        # index to the flood window's start, where an OR read every comment of the window.
        f"SELECT {columns}, 'earlier', NULL, NULL FROM {table} "
        "WHERE email = %s AND submitted_at >= %s",
        f"SELECT {columns}, 'earlier', NULL, NULL FROM {table} "
        "WHERE ip_address = %s AND submitted_at >= %s",
        f"SELECT {columns}, 'approved', NULL, NULL FROM {table} WHERE id = "
        f"(SELECT id FROM {table} WHERE email = %s AND status = %s LIMIT 1)",
        # The article's state: its publishing time in the time's column, its status in
        # ``kind``, whether comments are switched on in ``value``.
        f"SELECT {article_columns['id']}, {blanks_before_time}, "
        f"{article_columns['published_at']}, 'article', {article_columns['status']}, "
        f"CASE WHEN {article_columns['comments_enabled']} THEN 'on' ELSE '' END "
        f"FROM {quote(Article._meta.db_table)} WHERE {article_columns['id']} = %s",
        # The moderators' mail waiting to be sent, else the last one sent: its time in the
        # time's column, which one in ``kind``.
        f"SELECT id, {blanks_before_time}, COALESCE(sent_at, due_at), 'mail', "
        "CASE WHEN sent_at IS NULL THEN 'waiting' ELSE 'sent' END, NULL FROM ("
        f"SELECT id, due_at, sent_at FROM {quote(ModeratorMail._meta.db_table)} "
        "ORDER BY sent_at IS NOT NULL, sent_at DESC, id DESC LIMIT 1) AS mail",
    ]
    if blocked:
        placeholders = ", ".join(["%s"] * blocked)
        parts.append(
            f"SELECT id, {blanks}, 'blocked', kind, value "
            f"FROM {quote(BlockedCommenter._meta.db_table)} WHERE value IN ({placeholders})"
        )
    if next_id:
        parts.append(
            f"SELECT nextval(pg_get_serial_sequence(%s, 'id')), {blanks}, 'next_id', NULL, NULL"
        )
    prefix = ""
    if token:
        # Data-modifying: runs once, whether or not a row comes back. A refused post raises
        # inside the transaction, which takes the row back with it.
        prefix = (
            f"WITH used AS (INSERT INTO {quote(UsedFormToken._meta.db_table)} (digest, used_at) "
            "VALUES (%s, %s) ON CONFLICT (digest) DO NOTHING RETURNING id) "
        )
        parts.append(f"SELECT id, {blanks}, 'token_fresh', NULL, NULL FROM used")
    # ALL: no pass over the rows to drop repeats. A comment that is both the same text and
    # from the same sender comes twice, and ``gather`` keeps it once (by id).
    return prefix + " UNION ALL ".join(parts)


def stored_datetime(value: datetime | str) -> datetime:
    """A time read by a plain cursor, as the ORM returns it: PostgreSQL's driver gives it
    aware; SQLite's is made aware by the backend's own converter (the database's zone)."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    return value if convert is None else convert(value, None, connection)


def gather(submission: Submission, *, flood_seconds: int, form_token_digest: str | None) -> History:
    """Everything posting reads before it judges, in one statement (see ``History``).

    The comments are narrowed only as far as the indexes help, so the rules stay the one
    definition of a duplicate and a flood: the same text on this article (from anyone), and
    anything from the same email or IP within the flood window; plus one approved comment of
    the email, if any. A UNION ALL of indexed lookups, not one OR, so each part uses its index.
    Written in SQL: built with the ORM, the same query cost about 3 ms of Python on every
    post, most of what the post spent outside the database. Each statement costs the post
    Django's and psycopg's Python and the database's parsing and planning, so the blocklist
    entries come with it, and on PostgreSQL the new comment's id (no UPDATE of its thread
    after the INSERT) and the used form token too. SQLite has no sequence and no INSERT in a
    WITH: there ``submit_comment`` records the token with its own statement.
    """
    postgresql = connection.vendor == "postgresql"
    token = postgresql and form_token_digest is not None
    since = submission.received_at - timezone.timedelta(seconds=flood_seconds)
    values = blocklist_values(submission)
    params: list = []
    if token:
        params += [form_token_digest, connection.ops.adapt_datetimefield_value(timezone.now())]
    params += [
        submission.article_id,
        submission.body[:BODY_START_LENGTH],
        submission.body,
        submission.email,
        connection.ops.adapt_datetimefield_value(since),
        submission.ip_address,  # NULL matches nothing: without an address, the email alone
        connection.ops.adapt_datetimefield_value(since),
        submission.email,
        Comment.Status.APPROVED.value,
    ]
    # The article's state, read afresh (the view judged a kept copy), then its values judged
    # by the model's own rules: a query built with the ORM here cost every post about 0.25 ms.
    params += [submission.article_id, *values]
    if postgresql:
        params.append(Comment._meta.db_table)
    sql = _gather_sql(blocked=len(values), next_id=postgresql, token=token)
    earlier: dict[int, EarlierComment] = {}
    blocked: list[tuple[str, str]] = []
    has_approved = False
    next_id = None
    fresh = False if token else None
    article_open = False
    mail = MailState(waiting=False, at=None)
    # A plain cursor, not raw(): raw() reads the columns' names before the rows, which a
    # pipeline has not fetched yet (``pipelined``).
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for pk, *columns, part, kind, value in rows:
        if part == "earlier":
            fields = dict(zip(EARLIER_FIELDS, columns, strict=True))
            fields["submitted_at"] = stored_datetime(fields["submitted_at"])
            earlier[pk] = EarlierComment(**fields)
        elif part == "approved":
            has_approved = True
        elif part == "article":
            published_at = columns[-1]
            article = Article(
                pk=pk,
                status=kind,
                published_at=None if published_at is None else stored_datetime(published_at),
                comments_enabled=value == "on",
            )
            article_open = article.is_published and article.comments_open
        elif part == "mail":
            mail = MailState(waiting=kind == "waiting", at=stored_datetime(columns[-1]))
        elif part == "blocked":
            blocked.append((kind, value))
        elif part == "next_id":
            next_id = pk
        elif part == "token_fresh":
            fresh = True
    return History(
        earlier=list(earlier.values()),
        has_approved_comment=has_approved,
        blocklist=blocklist_of(blocked),
        next_id=next_id,
        form_token_fresh=fresh,
        article_open=article_open,
        moderator_mail=mail,
    )


def submit_comment(
    *,
    submission: Submission,
    parent: Comment | None,
    user_agent: str,
    user=None,
    form_token_digest: str | None = None,
    notify_on_approval: bool = False,
    notify_on_reply: bool = False,
) -> Comment:
    """Judge and store a reader's comment; mail the moderators if it is held (in the next
    moderators' mail).

    Raises CommentRefused (a duplicate, a flood) instead of storing. Reading what the refusal
    rules compare with and the insert are one transaction, serialized per commenter, so the
    rules hold under concurrent posts. ``form_token_digest`` marks the served form's token as
    used: a second comment with the same token is spam. ``notify_on_approval`` and
    ``notify_on_reply`` are the commenter's notification boxes (``request_notifications``).
    """
    store = partial(
        _store_comment,
        submission=replace(submission, email=normalise_email(submission.email)),
        parent=parent,
        user_agent=user_agent,
        user=user,
        form_token_digest=form_token_digest,
        notify_on_approval=notify_on_approval,
        notify_on_reply=notify_on_reply,
    )
    try:
        return store()
    except DatabaseError as error:
        if not stale_prepared_plan(error) or connection.in_atomic_block:
            raise
    # The rollback made psycopg forget the connection's prepared statements: the post runs
    # again, on statements prepared afresh (and planned for the columns as they are now).
    logger.warning("A migration changed what posting's prepared statements return: posting again.")
    return store()


def stale_prepared_plan(error: DatabaseError) -> bool:
    """PostgreSQL refused to run a statement this connection prepared before a migration
    changed the type of a column it returns (an integer id made a bigint, a CharField made a
    TextField): "cached plan must not change result type", told by the function that raises
    it, whatever language the server speaks. The connection outlived the migration, as a
    running app server's does. Nothing was stored; once the transaction is rolled back
    (the outermost one), the post can run again."""
    cause = error.__cause__
    return (
        getattr(cause, "sqlstate", None) == "0A000"
        and cause.diag.source_function == "RevalidateCachedQuery"
    )


def _store_comment(
    *,
    submission: Submission,
    parent: Comment | None,
    user_agent: str,
    user,
    form_token_digest: str | None,
    notify_on_approval: bool,
    notify_on_reply: bool,
) -> Comment:
    """``submit_comment``'s transaction: judge, store and schedule."""
    with transaction.atomic():
        with pipelined():
            serialize_commenter(submission)
            history = gather(
                submission,
                flood_seconds=settings.NEWSROOM_COMMENT_FLOOD_SECONDS,
                form_token_digest=form_token_digest,
            )
            if not history.article_open:
                # Unpublished, switched off or past its closing time since the copy the
                # view judged was kept.
                raise CommentRefused(Refusal.CLOSED)
            policy = current_policy(blocklist=history.blocklist)
            refusal = refuse(submission, earlier=history.earlier, policy=policy)
            if refusal is not None:
                # Raised inside the transaction: a token recorded by gather() is taken back,
                # so a refused post leaves the reader's form usable.
                raise CommentRefused(refusal)
            if form_token_digest is None:
                form_token_used = False
            elif history.form_token_fresh is not None:
                form_token_used = not history.form_token_fresh
            else:
                form_token_used = not use_form_token(form_token_digest)
            judgement = judge(
                submission,
                policy=policy,
                has_approved_comment=history.has_approved_comment,
                form_token_used=form_token_used,
            )
            status = STATUS_FOR_OUTCOME[judgement.outcome]
            comment = Comment(
                id=history.next_id,
                article_id=submission.article_id,
                parent=parent,
                name=submission.name,
                email=submission.email,
                website=submission.website,
                body=submission.body,
                status=status,
                hold_reasons=judgement.reasons,
                ip_address=submission.ip_address,
                user_agent=clean_user_agent(user_agent),
                user=user if user is not None and user.is_authenticated else None,
            )
            entry = ModerationLogEntry(
                comment=comment,
                action="submitted",
                to_status=status,
                reason="; ".join(judgement.reasons),
            )
            if comment.pk is None:
                comment.save(force_insert=True)  # places it in its thread
                entry.save(force_insert=True)
            else:
                comment.prepare_insert()
                insert_unreturned(comment)
                insert_unreturned(entry)
            if status == Comment.Status.PENDING:
                schedule_moderator_mail(history.moderator_mail)
        if status == Comment.Status.APPROVED:
            comments_changed([submission.article_id])
        request_notifications(comment, on_approval=notify_on_approval, on_reply=notify_on_reply)
        if status == Comment.Status.APPROVED:
            notify_published([comment])
    return comment


@dataclass(frozen=True)
class MailState:
    """The moderators' mail a held comment joins: one ``waiting`` to be sent (``at`` its due
    time), or else the last one sent (``at`` when; None before the first)."""

    waiting: bool
    at: datetime | None


# A waiting mail whose task has not run this long after it was due is taken for lost (a
# queue emptied by hand, a worker that failed before it sent, or one far behind): the next
# held comment queues another task for it.
MAIL_OVERDUE = timedelta(minutes=10)


def moderator_mail_state() -> MailState:
    """``MailState`` read on its own, where no ``gather`` read it (call it under
    MODERATOR_MAIL_LOCK, shared)."""
    latest = (
        ModeratorMail.objects.order_by(F("sent_at").desc(nulls_first=True), "-pk")
        .values("due_at", "sent_at")
        .first()
    )
    if latest is None:
        return MailState(waiting=False, at=None)
    waiting = latest["sent_at"] is None
    return MailState(waiting=waiting, at=latest["due_at"] if waiting else latest["sent_at"])


def schedule_moderator_mail(state: MailState | None) -> None:
    """A comment was just held: make sure a moderators' mail will tell of it.

    In a transaction holding MODERATOR_MAIL_LOCK, shared, until it commits. A mail waiting
    already will take the comment along. Otherwise one is scheduled, due now or
    NEWSROOM_MODERATOR_MAIL_SECONDS after the last was sent, and its task queued to run
    then (at once where the tasks backend cannot run a task later: the immediate one).
    So in a rush the moderators get a mail a while, each listing what was held since the
    one before, and a held comment costs the post a task only now and then.
    """
    if state is None:
        state = moderator_mail_state()
    now = due = timezone.now()
    if state.waiting:
        if state.at >= now - MAIL_OVERDUE:
            return
        # Its task is lost, or the worker is far behind: queue another, due now, and say so
        # on the mail, so the comments held after this one do not queue one each.
        ModeratorMail.objects.filter(sent_at__isnull=True).update(due_at=due)
    else:
        if state.at is not None and send_moderator_mail.get_backend().supports_defer:
            due = max(now, state.at + timedelta(seconds=settings.NEWSROOM_MODERATOR_MAIL_SECONDS))
        insert_unreturned(ModeratorMail(due_at=due))
    enqueue_with_commit(
        send_moderator_mail.using(run_after=due) if due > now else send_moderator_mail
    )


def enqueue_with_commit(task: Task, *args) -> None:
    """Queue ``task`` so that it runs only once the current transaction has committed; a
    queue that cannot take the task is logged and does not fail the reader's request
    (but see the pipeline, below).

    When the tasks backend keeps its queue in this database (django-tasks-db, production),
    the task's row is written inside the transaction, under a savepoint: it commits with the
    comment, or not at all, and no worker sees it before. That spares the post a second
    commit, the costliest statement it makes. Any other backend is called after the commit.
    In posting's pipeline (``pipelined``) the row is sent with the comment's, unanswered: a
    queue that fails before it writes (the backend, the arguments) is logged as anywhere,
    but a row the database itself refuses is only answered at the pipeline's end, outside
    this savepoint, and fails the post with the comment's own rows (the same database took
    those). Its ``task_enqueued`` signal has been sent by then, as for any task whose
    transaction later rolls back.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        try:
            with transaction.atomic():
                task.enqueue(*args)
        except DatabaseError:
            logger.exception("Could not queue %s%r.", task.name, args)
        return
    transaction.on_commit(partial(task.enqueue, *args), robust=True)


def request_notifications(comment: Comment, *, on_approval: bool, on_reply: bool) -> None:
    """Store what the commenter asked to be emailed about; ask an unconfirmed address to
    confirm.

    Spam asks for nothing (it is not told it was caught, and must not mail anyone): that
    covers a blocked address or domain, whose comments the blocklist rule makes spam (and the
    mail tasks check the blocklist again before sending). "When published" means nothing
    for a comment published at once. The
    confirmation mail is claimed by one conditional UPDATE of the address row: of any number
    of concurrent posts, one sets ``confirmation_sent_at`` and queues the mail, the rest find
    it set within the day and queue nothing.
    """
    on_approval = on_approval and comment.status == Comment.Status.PENDING
    on_reply = on_reply and comment.status in {Comment.Status.PENDING, Comment.Status.APPROVED}
    if not (on_approval or on_reply):
        return
    address, _ = NotificationAddress.objects.get_or_create(email=comment.email)
    CommentSubscription.objects.create(
        comment=comment, address=address, on_approval=on_approval, on_reply=on_reply
    )
    if address.confirmed_at is not None:
        return
    now = timezone.now()
    key = secrets.token_urlsafe(16)
    claimed = (
        NotificationAddress.objects.filter(pk=address.pk, confirmed_at__isnull=True)
        .filter(
            Q(confirmation_sent_at__isnull=True)
            | Q(confirmation_sent_at__lte=now - CONFIRMATION_INTERVAL)
        )
        .update(confirmation_sent_at=now, confirmation_key=key)
    )
    if claimed:
        enqueue_with_commit(send_notification_confirmation, address.pk, key)


def notify_published(comments: list[Comment]) -> None:
    """Queue the mails that publishing ``comments`` brings: to each author who asked to hear
    of the approval, and to the author of each comment replied to who asked to hear of
    replies.

    Only confirmed subscriptions queue a task (two queries however many comments), so a bulk
    approval does not fill the queue with tasks that would send nothing; each task checks
    again when it runs.
    """
    if not comments:
        return
    confirmed = CommentSubscription.objects.filter(address__confirmed_at__isnull=False)
    approved = set(
        confirmed.filter(comment__in=[c.pk for c in comments], on_approval=True).values_list(
            "comment_id", flat=True
        )
    )
    parents = {c.parent_id for c in comments if c.parent_id is not None}
    answered = set(
        confirmed.filter(comment__in=parents, on_reply=True).values_list("comment_id", flat=True)
        if parents
        else []
    )
    for comment in comments:
        if comment.pk in approved:
            enqueue_with_commit(notify_comment_approved, comment.pk)
        if comment.parent_id in answered:
            enqueue_with_commit(notify_reply, comment.pk)


def comments_changed(article_ids: Iterable[int]) -> None:
    """Refresh the cached pages showing these articles' comments: their own pages and
    comment feeds, and the latest-comments feeds (no listing shows comments)."""
    pagecache.comments_changed(
        Article.objects.filter(pk__in=set(article_ids)).values_list("slug", flat=True)
    )


def use_form_token(digest: str) -> bool:
    """Record a form token as used; False if it already was (a replay).

    The unique digest decides even when two replays of one token race: the second insert
    waits for the first and then inserts nothing. One statement, no savepoint; the time is
    adapted as the ORM writes it (SQLite compares it as text). Expired rows
    are pruned by the daily retention purge (``purge_comment_ips``), not on every post.
    """
    table = connection.ops.quote_name(UsedFormToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (digest, used_at) VALUES (%s, %s) "
            "ON CONFLICT (digest) DO NOTHING RETURNING id",
            [digest, connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        return cursor.fetchone() is not None


def change_status(
    comments: Iterable[Comment],
    *,
    to_status: str,
    actor,
    reason: str = "",
    action: str = "",
    changed_comments: list[Comment] | None = None,
    also_saved: Iterable[str] = (),
) -> int:
    """Move comments to ``to_status``, logging each real change, and refresh the cached
    pages that show them. Returns how many changed; ``changed_comments``, if given, receives
    them. ``also_saved`` names other fields the caller has set on the comments, saved in the
    same UPDATE as the status (for a comment that changes)."""
    changed = 0
    shown_on = set()  # articles whose readers see the change: to or from approved
    update_fields = ["status", *also_saved]
    with transaction.atomic():
        for comment in comments:
            if comment.status == to_status:
                continue
            from_status = comment.status
            comment.status = to_status
            comment.save(update_fields=update_fields)
            ModerationLogEntry.objects.create(
                comment=comment,
                actor=actor,
                action=action or to_status,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
            )
            changed += 1
            if changed_comments is not None:
                changed_comments.append(comment)
            if Comment.Status.APPROVED in (from_status, to_status):
                shown_on.add(comment.article_id)
        comments_changed(shown_on)
    return changed


def approve(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    """Publish comments, and archive the readers' reports: the moderator has answered them.

    Archived reports no longer count toward NEWSROOM_COMMENT_REPORTS_TO_HOLD, so an approved
    comment goes back to the queue only when that many *other* readers report it again.
    Their authors and the authors they reply to are mailed if they asked (after the
    transaction commits, by tasks).
    """
    published: list[Comment] = []
    with transaction.atomic():
        comments = list(comments)  # inside: the admin passes a select_for_update() queryset
        count = change_status(
            comments,
            to_status=Comment.Status.APPROVED,
            actor=actor,
            reason=reason,
            action="approve",
            changed_comments=published,
        )
        CommentReport.objects.active().filter(comment__in=[c.pk for c in comments]).update(
            archived_at=timezone.now()
        )
        notify_published(published)
    return count


def mark_spam(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.SPAM, actor=actor, reason=reason, action="spam"
    )


def remove(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.REMOVED, actor=actor, reason=reason, action="remove"
    )


def restore(comments: Iterable[Comment], *, actor, reason: str = "") -> int:
    return change_status(
        comments, to_status=Comment.Status.PENDING, actor=actor, reason=reason, action="restore"
    )


def block_commenters(comments: Iterable[Comment], *, actor) -> tuple[int, int]:
    """Blocklist each comment's email and IP; their pending comments become spam.

    Returns (new blocklist entries, comments marked spam).
    """
    comments = list(comments)
    emails = {normalise_email(c.email) for c in comments if c.email}
    ips = {normalise_ip(c.ip_address) for c in comments if c.ip_address} - {None}
    added = 0
    with transaction.atomic():
        for kind, values in (
            (BlockedCommenter.Kind.EMAIL, emails),
            (BlockedCommenter.Kind.IP, ips),
        ):
            for value in values:
                _, created = BlockedCommenter.objects.get_or_create(
                    kind=kind,
                    value=value,
                    defaults={"created_by": actor, "reason": "blocked from the comment queue"},
                )
                added += created
        pending = Comment.objects.filter(status=Comment.Status.PENDING).filter(
            _email_or_ip(emails, ips)
        )
        marked = change_status(
            pending.select_for_update(),
            to_status=Comment.Status.SPAM,
            actor=actor,
            reason="commenter blocked",
            action="block",
        )
    return added, marked


def _email_or_ip(emails: set[str], ips: set[str]) -> Q:
    query = Q(email__in=emails)
    if ips:
        query |= Q(ip_address__in=ips)
    return query


def edit_body(comment: Comment, *, body: str, actor) -> None:
    """A moderator's edit; the reader's original text is kept the first time."""
    if body == comment.body:
        return
    with transaction.atomic():
        if not comment.original_body:
            comment.original_body = comment.body
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "original_body", "edited_at"])
        ModerationLogEntry.objects.create(
            comment=comment,
            actor=actor,
            action="edit",
            from_status=comment.status,
            to_status=comment.status,
            reason="body edited",
        )
        if comment.status == Comment.Status.APPROVED:
            comments_changed([comment.article_id])


@dataclass(frozen=True)
class ReaderKeys:
    """Who reported, as keyed hashes: never the address itself."""

    reporter: str  # address and browser: one report per comment per reader
    network: str  # address (an IPv6 /64): the hourly limit


def reader_keys(*, ip_address: str | None, user_agent: str) -> ReaderKeys:
    """HMACs keyed with SECRET_KEY, so a leaked table cannot be matched to addresses.

    An IPv6 reader is counted by their /64, which one household or phone usually gets
    whole: counting single addresses would let them rotate through billions. A request whose
    address cannot be read shares the key "unknown" with every other such request.
    """
    network = ip_address or "unknown"
    if ip_address and ipaddress.ip_address(ip_address).version == 6:
        network = str(ipaddress.ip_network(f"{ip_address}/64", strict=False))
    return ReaderKeys(
        reporter=salted_hmac(
            "comments.report.reader", f"{ip_address}\n{user_agent}", algorithm="sha256"
        ).hexdigest(),
        network=salted_hmac("comments.report.network", network, algorithm="sha256").hexdigest(),
    )


class ReportRefusal(enum.Enum):
    NOT_REPORTABLE = "not reportable"  # not (or no longer) published
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate limited"


class ReportRefused(Exception):
    def __init__(self, refusal: ReportRefusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def _serialize_network(network_key: str) -> None:
    """Make concurrent reports from one address wait for each other, so the hourly count
    holds (see serialize_commenter: SQLite's IMMEDIATE transactions need nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_key(f"report:{network_key}")])


def reported_by_readers_reason(count: int) -> str:
    return f"reported by readers ({count})"


def report_comment(
    *, comment_id: int, reason: str, note: str, keys: ReaderKeys, now: datetime
) -> CommentReport:
    """Store a reader's report; enough of them send the comment back to the queue.

    Raises ReportRefused when the comment is not published (any more), the reader has
    reported it already, or their address has sent NEWSROOM_COMMENT_REPORTS_PER_HOUR reports
    in the last hour. The comment's row is locked for the whole transaction, so concurrent
    reports of one comment are counted one after another and it is held exactly once; the
    unique (comment, reporter) constraint keeps one report per reader whatever the timing.
    """
    with transaction.atomic():
        comment = (
            Comment.objects.visible().select_for_update(of=("self",)).filter(pk=comment_id).first()
        )
        if comment is None:
            raise ReportRefused(ReportRefusal.NOT_REPORTABLE)
        _serialize_network(keys.network)
        recent = CommentReport.objects.filter(
            network_key=keys.network, created_at__gte=now - timezone.timedelta(hours=1)
        )
        if recent.count() >= settings.NEWSROOM_COMMENT_REPORTS_PER_HOUR:
            raise ReportRefused(ReportRefusal.RATE_LIMITED)
        try:
            with transaction.atomic():
                report = CommentReport.objects.create(
                    comment=comment,
                    reason=reason,
                    note=note,
                    reporter_key=keys.reporter,
                    network_key=keys.network,
                )
        except IntegrityError:
            raise ReportRefused(ReportRefusal.DUPLICATE) from None
        count = comment.reports.active().count()
        if count >= settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD:
            hold_for_reader_reports(comment, report_count=count)
    return report


def hold_for_reader_reports(comment: Comment, *, report_count: int) -> bool:
    """Send a published comment back to the queue because readers reported it; logged.

    False (and nothing done) if it is not published.
    """
    if comment.status != Comment.Status.APPROVED:
        return False
    reason = reported_by_readers_reason(report_count)
    hold_moderator_mail_lock()  # before the log entry that puts it in the queue
    # Only this reason: why it was held on submission, long since answered, is in the log.
    comment.hold_reasons = [reason]
    change_status(
        [comment],
        to_status=Comment.Status.PENDING,
        actor=None,
        reason=reason,
        action="reported",
        also_saved=["hold_reasons"],
    )
    schedule_moderator_mail(None)
    return True
