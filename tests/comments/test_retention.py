"""Retention: comments lose their IP address and user agent after
NEWSROOM_COMMENT_IP_RETENTION_DAYS, through a task that `manage.py purge_comment_ips` queues."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments.models import BlockedCommenter, Comment
from comments.tasks import PURGE_BATCH_SIZE, purge_comment_ips
from tests.factories import ArticleFactory

from .helpers import make_comment, post_comment

pytestmark = pytest.mark.django_db

POSTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def article():
    with time_machine.travel(POSTED - timedelta(days=1), tick=False):
        return ArticleFactory()


def posted_at(article, when: datetime, **fields) -> Comment:
    with time_machine.travel(when, tick=False):
        return make_comment(article, ip_address="203.0.113.7", user_agent="Firefox/140", **fields)


def network_data(comment: Comment) -> tuple:
    comment.refresh_from_db()
    return comment.ip_address, comment.user_agent


def test_purge_removes_ip_and_user_agent_after_the_retention_period(article):
    old = posted_at(article, POSTED, body="Old one.")
    on_the_day = posted_at(article, POSTED + timedelta(seconds=1), body="Exactly 90 days.")
    recent = posted_at(article, POSTED + timedelta(days=30), body="Recent.")
    BlockedCommenter.objects.create(kind="ip", value="203.0.113.7")

    with time_machine.travel(POSTED + timedelta(days=90, seconds=1), tick=False):
        out = StringIO()
        call_command("purge_comment_ips", stdout=out)

    assert "Purged the IP address and user agent of 1 comment(s)." in out.getvalue()
    assert network_data(old) == (None, "")
    assert network_data(on_the_day) == ("203.0.113.7", "Firefox/140")  # 90 days, not more
    assert network_data(recent) == ("203.0.113.7", "Firefox/140")
    # The rest of the comment, and the blocklist, stay.
    old.refresh_from_db()
    assert (old.name, old.email, old.body) == ("Reader", "reader@example.com", "Old one.")
    assert BlockedCommenter.objects.filter(kind="ip", value="203.0.113.7").exists()


def test_the_retention_period_is_a_setting(article, settings):
    settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS = 7
    week_old = posted_at(article, POSTED)
    with time_machine.travel(POSTED + timedelta(days=6), tick=False):
        assert purge_comment_ips.call() == 0
    with time_machine.travel(POSTED + timedelta(days=8), tick=False):
        assert purge_comment_ips.call() == 1
    assert network_data(week_old) == (None, "")


def test_a_comment_with_only_a_user_agent_left_is_purged_too(article):
    comment = posted_at(article, POSTED)
    Comment.objects.filter(pk=comment.pk).update(ip_address=None)
    with time_machine.travel(POSTED + timedelta(days=100), tick=False):
        assert purge_comment_ips.call() == 1
        assert purge_comment_ips.call() == 0  # nothing left to do: a second run is a no-op
    assert network_data(comment) == (None, "")


def test_purge_works_in_batches(article, monkeypatch):
    monkeypatch.setattr("comments.tasks.PURGE_BATCH_SIZE", 2)
    comments = [posted_at(article, POSTED, body=f"Comment {n}") for n in range(5)]
    with time_machine.travel(POSTED + timedelta(days=91), tick=False):
        assert purge_comment_ips.call() == 5
    assert all(network_data(c) == (None, "") for c in comments)
    assert PURGE_BATCH_SIZE >= 100


def test_command_queues_the_task_for_the_worker(article, settings):
    settings.TASKS = DATABASE_TASKS
    old = posted_at(article, POSTED)
    with time_machine.travel(POSTED + timedelta(days=91), tick=False):
        out = StringIO()
        call_command("purge_comment_ips", stdout=out)

    assert "Queued the purge of comment IP addresses older than 90 days" in out.getvalue()
    row = DBTaskResult.objects.get()
    assert row.task_path == "comments.tasks.purge_comment_ips"
    assert network_data(old) == ("203.0.113.7", "Firefox/140")  # the worker does it


def test_command_now_purges_in_process(article, settings):
    settings.TASKS = DATABASE_TASKS
    old = posted_at(article, POSTED)
    with time_machine.travel(POSTED + timedelta(days=91), tick=False):
        out = StringIO()
        call_command("purge_comment_ips", "--now", stdout=out)
    assert "Purged the IP address and user agent of 1 comment(s)." in out.getvalue()
    assert not DBTaskResult.objects.exists()
    assert network_data(old) == (None, "")


def test_flood_control_still_sees_recent_addresses_after_a_purge(client, settings):
    """The flood rule compares the last seconds' IPs only: a purge never weakens it."""
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 60
    article = ArticleFactory()
    old = posted_at(article, timezone.now() - timedelta(days=91), email="old@example.com")
    assert post_comment(client, article, email="first@example.com").status_code == 302
    assert purge_comment_ips.call() == 1  # the old comment's, not the one just posted
    assert network_data(old) == (None, "")
    second = post_comment(client, article, email="second@example.com", body="Another.")
    assert second.status_code == 429
