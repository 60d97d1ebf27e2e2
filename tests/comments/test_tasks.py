"""Moderators' mail as a django.tasks task: when it is queued, what the worker sends, and a
mail server that is down."""

import socket
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.tasks import notify_moderators
from tests.comments.helpers import make_comment, post_comment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def moderator():
    user = UserFactory(email="mod@example.com")
    user.groups.add(Group.objects.get(name="Moderators"))
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


def test_held_comment_enqueues_one_task_with_its_id(
    client, article, moderator, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(client, article)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert comment.status == Comment.Status.PENDING
    assert [(r.task.name, r.args, r.kwargs) for r in enqueued] == [
        ("notify_moderators", [comment.pk], {})
    ]
    assert [m.to for m in mail.outbox] == [["mod@example.com"]]
    assert f"/admin/comments/comment/{comment.pk}/change/" in mail.outbox[0].body


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


def test_database_backend_stores_the_task_and_the_worker_sends_it(
    client, article, moderator, settings, run_worker, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, article)
    comment = Comment.objects.get()
    row = DBTaskResult.objects.get()
    assert row.task_path == "comments.tasks.notify_moderators"
    assert row.args_kwargs == {"args": [comment.pk], "kwargs": {}}
    assert mail.outbox == []  # nothing is sent until a worker runs

    run_worker()

    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [["mod@example.com"]]


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

    first = DBTaskResult.objects.get(args_kwargs={"args": [comment.pk], "kwargs": {}})
    assert first.status == "FAILED"
    retry = DBTaskResult.objects.exclude(pk=first.pk).get()
    assert retry.args_kwargs == {"args": [comment.pk], "kwargs": {"attempt": 2}}
    assert retry.status == "READY"
    assert retry.run_after > timezone.now() + timedelta(seconds=30)
    assert f"Could not email moderators about comment {comment.pk} (attempt 1)" in caplog.text
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
    notify_moderators.enqueue(comment.pk, attempt=4)
    run_worker()
    assert DBTaskResult.objects.get().status == "FAILED"
    assert "(attempt 4); giving up" in caplog.text


def test_comment_moderated_before_the_worker_runs_needs_no_mail(article, moderator):
    comment = make_comment(article, status=Comment.Status.APPROVED)
    assert notify_moderators.enqueue(comment.pk).return_value == 0
    assert notify_moderators.enqueue(comment.pk + 1000).return_value == 0  # deleted
    assert mail.outbox == []
