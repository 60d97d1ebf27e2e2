"""More than one app server: two gunicorn instances share one database and one Redis, as
several machines behind a load balancer would. A change made by another process (an app
server of its own, here the test) is seen fresh by both within a second; a reader may be sent
to either server from one request to the next, and the comment rules, their session and the
"remember me" cookie hold across both.
"""

import os
import time
from contextlib import ExitStack

import pytest
import redis
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from articles import workflow
from comments.models import Comment
from comments.moderation import actions
from tests.comments.helpers import make_comment
from tests.comments.live import Reader, post_all_at_once
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.servers import database_url, start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

# Database 7: the other suites and tools on this Redis use 0, 1 and 5.
REDIS_URL = os.environ.get("PAGECACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
SHARED = {
    "default": {
        "BACKEND": "newsroom.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "newsroom",
    }
}


@pytest.fixture(scope="module")
def app_servers(django_db_setup, tmp_path_factory):
    """Two gunicorn instances on the test database and one Redis database."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_shared_cache",
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # the test run drops the database at the end
        "REDIS_URL": REDIS_URL,
        "NEWSROOM_COMMENT_MIN_SECONDS": "0",
        "NEWSROOM_COMMENT_FLOOD_SECONDS": "15",
        "NEWSROOM_COMMENT_MODERATION": "all",
    }
    with ExitStack() as stack:
        urls = [
            start_gunicorn(stack, env, tmp_path_factory.mktemp(f"gunicorn-{name}") / "gunicorn.log")
            for name in ("a", "b")
        ]
        yield urls
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def shared_cache(settings):
    """This process on the same Redis as the app servers, as a third app server would be."""
    settings.CACHES = SHARED
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


def within_a_second(seen) -> bool:
    """Whether ``seen()`` comes true within the second the issue allows: each app server
    trusts its copy of the content versions for NEWSROOM_PAGE_CACHE_LOCAL_MS (500 ms)."""
    deadline = time.monotonic() + 1.0
    while not seen():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def get(url: str, path: str):
    """A reader with no cookies, through the proxy in front of both servers (one host)."""
    return Reader(url).get(path, headers={"Accept-Encoding": "identity", "Host": "localhost"})


def test_publishing_is_seen_within_a_second_by_every_app_server(app_servers, shared_cache):
    server_a, server_b = app_servers
    ArticleFactory(title="Yesterdays news", authors=[AuthorFactory()])
    assert get(server_a, "/").headers["X-Cache"] == "miss"
    first = get(server_b, "/")
    assert first.headers["X-Cache"] == "hit"  # rendered by A, served by B
    assert "Yesterdays news" in first.body

    draft = ArticleFactory(
        draft=True, title="Breaking: the bridge reopens", authors=[AuthorFactory()]
    )
    workflow.transition(draft, action="publish", actor=UserFactory(is_superuser=True))

    for server in (server_b, server_a):
        assert within_a_second(lambda s=server: "Breaking: the bridge reopens" in get(s, "/").body)
    assert get(server_b, "/").headers["X-Cache"] == "hit"


def test_an_approved_comment_is_seen_within_a_second_by_every_app_server(app_servers, shared_cache):
    server_a, server_b = app_servers
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(server_a, path)
    assert get(server_b, path).headers["X-Cache"] == "hit"

    comment = make_comment(article, status="pending", body="Seen from every server.")
    actions.approve([comment], actor=UserFactory(is_superuser=True))

    for server in (server_a, server_b):
        assert within_a_second(lambda s=server: "Seen from every server." in get(s, path).body)


# Readers and moderators sent to either server -------------------------------------------


def on(reader: Reader, server: str) -> Reader:
    """The same browser (its cookies), its next request sent to ``server``."""
    reader.base_url = server
    return reader


def test_a_form_from_one_server_posts_through_the_other_and_its_author_sees_it(app_servers):
    server_a, server_b = app_servers
    article = ArticleFactory(authors=[AuthorFactory()])
    reader = Reader(server_a)
    action, hidden = reader.comment_form(article.get_absolute_url())
    fields = {"name": "Олена", "email": "olena@example.com", "body": "Привіт з Києва 🌻"}

    answer = on(reader, server_b).post(action, {**hidden, **fields, "remember": "on"})

    assert answer.status == 302, answer.body[:1000]
    assert Comment.objects.get().status == Comment.Status.PENDING
    # Held: its author sees it, through either server; nobody else does.
    for server in (server_a, server_b):
        page = on(reader, server).get(article.get_absolute_url())
        assert "Привіт з Києва 🌻" in page.body
    assert "Привіт з Києва" not in get(server_a, article.get_absolute_url()).body


def test_the_flood_rule_counts_posts_made_through_both_servers(app_servers):
    server_a, server_b = app_servers
    article = ArticleFactory(authors=[AuthorFactory()])
    statuses = []
    for number, server in enumerate((server_a, server_b)):
        reader = Reader(server)
        action, hidden = reader.comment_form(article.get_absolute_url())
        fields = {"name": "נועה", "email": "noa@example.com", "body": f"הודעה {number} 🚀"}
        statuses.append(reader.post(action, {**hidden, **fields}).status)

    assert statuses == [302, 429]
    assert Comment.objects.count() == 1


def test_twenty_identical_posts_split_across_servers_store_one(app_servers):
    article = ArticleFactory(authors=[AuthorFactory()])
    same = {"name": "Reader 🦊", "email": "fox@example.com", "body": "First! 🎉"}
    statuses = post_all_at_once(app_servers, article, [same] * 20)

    assert Comment.objects.count() == 1
    assert statuses == {302: 1, 409: 19}, statuses


def test_a_moderators_session_from_one_server_works_on_the_other(app_servers):
    server_a, server_b = app_servers
    moderator = UserFactory(username="модератор", is_staff=True, is_superuser=True)
    session = SessionStore()
    session[SESSION_KEY] = str(moderator.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = moderator.get_session_auth_hash()
    session.save()
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}

    for server in (server_a, server_b):
        answer = Reader(server).get("/admin/comments/comment/?status=pending", headers=cookie)
        assert answer.status == 200, (server, answer.status)  # not sent to the login page
        assert "модератор" in answer.body
