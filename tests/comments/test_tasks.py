"""Moderators' mail as a django.tasks task: when it is queued, what the worker sends (one mail
for the comments held since the last), and a mail server that is down."""

import socket
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, ModeratorMail
from comments.tasks import notify_moderators, send_moderator_mail
from tests.comments.helpers import make_comment, post_comment, post_with_meta
from tests.factories import ArticleFactory, UserFactory

from .live import post_all_at_once

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def moderator():
    user = UserFactory(email="mod@example.com")
    # get_or_create: a transactional test's flush empties the groups the migrations made.
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


@pytest.fixture
def enqueued():
    """The task results enqueued during the test, on any backend."""
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_enqueued.connect(record)
    yield results
    task_enqueued.disconnect(record)


@pytest.fixture
def closed_smtp_port(settings):
    """Point the mailer at a local port nobody listens on: the mail server is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def run_worker(monkeypatch):
    """Run `manage.py db_worker` until the queue is empty.

    The worker closes stale database connections between tasks, as a long-running process
    should; inside a test's transaction that would close the test's own connection.
    """
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    return lambda: call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
    )


def change_link(comment) -> str:
    return f"/admin/comments/comment/{comment.pk}/change/"


def held(client, article, number: int, **fields):
    """A first-time commenter's post, held; each its own reader, address and words (the
    flood and duplicate rules)."""
    fields = {"name": f"Reader {number}", "body": f"Comment {number} 📰", **fields}
    meta = {"REMOTE_ADDR": f"192.0.2.{number}"}
    return post_with_meta(client, article, meta, email=f"reader{number}@example.com", **fields)


def let_time_pass():
    """The waiting mail and its task become due now, as if the interval had gone by."""
    now = timezone.now()
    ModeratorMail.objects.filter(sent_at__isnull=True).update(due_at=now)
    DBTaskResult.objects.filter(status="READY").update(run_after=now)


def test_held_comment_mails_the_moderators(
    client, article, moderator, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(client, article, name="Олена", body="Привіт 👋")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.PENDING
    assert [(r.task.name, r.args, r.return_value) for r in enqueued] == [
        ("send_moderator_mail", [], 1)
    ]
    [message] = mail.outbox
    assert message.to == ["mod@example.com"]
    assert message.subject == f"[Newsroom] Comment held on “{article.title}”"
    assert "A comment by Олена <ada@example.com>" in message.body
    assert "Привіт 👋" in message.body
    assert change_link(comment) in message.body
    assert message.body.endswith(
        "The moderation queue: http://127.0.0.1:8000/admin/comments/comment/\n"
    )


def test_enqueued_only_after_the_comment_is_committed(
    client, article, moderator, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post_comment(client, article)
    assert enqueued == []
    assert len(callbacks) == 1


def test_nothing_enqueued_when_published_or_spam(
    client, article, moderator, enqueued, django_capture_on_commit_callbacks
):
    make_comment(article, email="ada@example.com")  # an approved comment: the next is published
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article)
        post_comment(client, article, body="x", homepage_url="bot")  # the honeypot: spam
    statuses = sorted(Comment.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "spam"]
    assert enqueued == []
    assert mail.outbox == []


def test_a_rush_of_held_comments_is_one_mail(
    client, article, moderator, settings, run_worker, django_capture_on_commit_callbacks
):
    """A mail went out a moment ago: the comments held next wait for the interval, then go
    in one mail; only the first of them queued a task."""
    settings.TASKS = DATABASE_TASKS
    settings.NEWSROOM_MODERATOR_MAIL_SECONDS = 60
    last = timezone.now()
    ModeratorMail.objects.create(due_at=last, sent_at=last, through_entry=0)
    names = ["Олена", "דנה", "Ли 🌸"]
    with django_capture_on_commit_callbacks(execute=True):
        for number, name in enumerate(names, start=1):
            assert held(client, article, number, name=name, body=f"{name}: 👀").status_code == 302
    comments = list(Comment.objects.order_by("pk"))
    assert [c.status for c in comments] == [Comment.Status.PENDING] * 3
    task = DBTaskResult.objects.get()  # one task for the three
    assert task.task_path == "comments.tasks.send_moderator_mail"
    assert abs((task.run_after - last).total_seconds() - 60) < 1
    run_worker()
    assert mail.outbox == []  # not due yet

    let_time_pass()
    run_worker()

    task.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", 3)
    [message] = mail.outbox
    assert message.subject == "[Newsroom] 3 comments held for moderation"
    for comment, name in zip(comments, names, strict=True):
        assert change_link(comment) in message.body
        assert f"A comment by {name} <reader" in message.body


def test_after_a_quiet_spell_the_first_held_comment_is_mailed_at_once(
    client, article, moderator, settings, run_worker, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    settings.NEWSROOM_MODERATOR_MAIL_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=5)
    ModeratorMail.objects.create(due_at=long_ago, sent_at=long_ago, through_entry=0)
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 1)
    assert DBTaskResult.objects.get().task.run_after is None  # at once
    run_worker()
    [message] = mail.outbox
    assert change_link(Comment.objects.get()) in message.body

    # The next one waits for the interval after that mail.
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 2)
    sent = ModeratorMail.objects.get(sent_at__isnull=False).sent_at
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after == ModeratorMail.objects.get(sent_at__isnull=True).due_at
    assert abs((waiting.run_after - sent).total_seconds() - 60) < 1
    assert ModeratorMail.objects.count() == 2  # the last sent (the mark) and the waiting one


def test_a_comment_moderated_before_the_mail_is_left_out(
    client, article, moderator, settings, run_worker, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        assert held(client, article, 1).status_code == 302
        assert held(client, article, 2).status_code == 302
    first, second = Comment.objects.order_by("pk")
    first.status = Comment.Status.APPROVED
    first.save()
    let_time_pass()
    run_worker()
    [message] = mail.outbox
    assert change_link(second) in message.body
    assert change_link(first) not in message.body

    second.status = Comment.Status.SPAM
    second.save()
    assert send_moderator_mail.call([second.pk]) == 0  # none left: nothing is sent
    assert len(mail.outbox) == 1


def test_a_lost_task_is_queued_again_by_the_next_held_comment(
    client, article, moderator, settings, run_worker, django_capture_on_commit_callbacks
):
    """A mail waiting long past its time (its task deleted, say) would keep every later held
    comment from queueing one: the next held comment queues a task for it."""
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 1)
    DBTaskResult.objects.all().delete()
    ModeratorMail.objects.filter(sent_at__isnull=True).update(
        due_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 2)
    waiting = ModeratorMail.objects.get(sent_at__isnull=True)  # no second mail
    assert waiting.due_at > timezone.now() - timedelta(minutes=1)  # due again, now
    assert DBTaskResult.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 3)
    assert DBTaskResult.objects.count() == 1  # the next held comment joins it again
    run_worker()
    [message] = mail.outbox
    for comment in Comment.objects.all():
        assert change_link(comment) in message.body


def test_a_worker_whose_clock_is_behind_still_sends_the_waiting_mail(
    client, article, moderator, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 1)
    # As the web server's clock had it, the mail is due a little later than the worker's now.
    ModeratorMail.objects.filter(sent_at__isnull=True).update(
        due_at=timezone.now() + timedelta(seconds=5)
    )
    assert send_moderator_mail.call() == 1
    assert change_link(Comment.objects.get()) in mail.outbox[0].body
    assert not ModeratorMail.objects.filter(sent_at__isnull=True).exists()


def test_mail_server_down_logged_and_tried_again_later(
    client,
    run_worker,
    article,
    moderator,
    closed_smtp_port,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(client, article)
    assert response.status_code == 302
    comment = Comment.objects.get()

    run_worker()

    first = DBTaskResult.objects.get(args_kwargs={"args": [], "kwargs": {}})
    assert first.status == "FAILED"
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.args_kwargs == {"args": [[comment.pk]], "kwargs": {"attempt": 2}}
    assert retry.status == "READY"
    assert retry.run_after > timezone.now() + timedelta(seconds=30)
    assert "Could not email moderators about 1 held comment(s) (attempt 1)" in caplog.text
    assert mail.outbox == []


def test_a_database_error_after_the_comments_are_taken_is_tried_again(
    client, article, moderator, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        held(client, article, 1)
    DBTaskResult.objects.all().delete()

    def unreachable():
        raise DatabaseError("the users' table is locked")

    monkeypatch.setattr("comments.tasks.moderator_emails", unreachable)
    with pytest.raises(DatabaseError):
        send_moderator_mail.call()
    comment = Comment.objects.get()
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": [[comment.pk]], "kwargs": {"attempt": 2}}
    assert "(attempt 1); trying again in 60 s" in caplog.text
    assert mail.outbox == []


def test_immediate_backend_does_not_retry_and_the_post_stands(
    client,
    article,
    moderator,
    closed_smtp_port,
    enqueued,
    caplog,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(client, article)
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert len(enqueued) == 1  # no retry: the immediate backend cannot run a task later
    assert enqueued[0].status == "FAILED"
    assert "giving up" in caplog.text


def test_last_attempt_gives_up(article, moderator, closed_smtp_port, settings, caplog, run_worker):
    settings.TASKS = DATABASE_TASKS
    comment = make_comment(article, status=Comment.Status.PENDING)
    send_moderator_mail.enqueue([comment.pk], attempt=4)
    run_worker()
    assert DBTaskResult.objects.get().status == "FAILED"
    assert "(attempt 4); giving up" in caplog.text


def test_a_task_queued_before_the_upgrade_still_mails_its_comment(article, moderator):
    comment = make_comment(article, status=Comment.Status.PENDING, name="Ада")
    assert notify_moderators.enqueue(comment.pk).return_value == 1
    assert change_link(comment) in mail.outbox[0].body
    assert notify_moderators.enqueue(comment.pk + 1000).return_value == 0  # deleted
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_held_comments_at_once_are_each_in_exactly_one_mail(live_server, settings, moderator):
    """Twenty first-time commenters post in the same instant. Each post that finds no mail
    waiting queues one, and the immediate tasks backend sends it as that post commits, while
    the others are still posting: every held comment is in one mail, none in two."""
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1  # each reader from its own address
    article = ArticleFactory()
    forms = [
        {"name": f"Читач {n} 🗞", "email": f"reader{n}@example.com", "body": f"رأي {n}"}
        for n in range(20)
    ]

    addresses = [f"198.51.100.{n + 1}" for n in range(20)]
    statuses = post_all_at_once([live_server.url], article, forms, addresses=addresses)

    assert statuses == {302: 20}
    # Each mail's task ran as the post that queued it committed: none is left waiting, so
    # a comment no mail took would be in none.
    assert not ModeratorMail.objects.filter(sent_at__isnull=True).exists()
    comments = list(Comment.objects.all())
    assert len(comments) == 20
    assert {c.status for c in comments} == {Comment.Status.PENDING}
    bodies = [message.body for message in mail.outbox]
    assert all("A comment by" in body for body in bodies)
    for comment in comments:
        assert sum(change_link(comment) in body for body in bodies) == 1, comment.name
