"""The page cache across app servers: two gunicorn instances share one Redis; a change made
by another process (an app server of its own, here the test) is seen fresh by both at once.
"""

import os
import subprocess
from contextlib import ExitStack

import pytest
import redis

from articles import workflow
from comments.moderation import actions
from tests.comments.helpers import make_comment
from tests.comments.live import Reader
from tests.comments.test_remember_me_gunicorn import (
    GUNICORN,
    PROJECT_ROOT,
    database_url,
    free_port,
    wait_until_listening,
)
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

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
    }
    urls = []
    with ExitStack() as stack:
        for name in ("a", "b"):
            port = free_port()
            log = tmp_path_factory.mktemp(f"gunicorn-{name}") / "gunicorn.log"
            with log.open("w") as output:
                process = subprocess.Popen(
                    [GUNICORN, "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            stack.callback(process.wait, timeout=30)
            stack.callback(process.terminate)
            wait_until_listening(port, process, log)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def shared_cache(settings):
    """This process on the same Redis as the app servers, as a third app server would be."""
    settings.CACHES = SHARED
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


def get(url: str, path: str):
    """A reader with no cookies, through the proxy in front of both servers (one host)."""
    return Reader(url).get(path, headers={"Accept-Encoding": "identity", "Host": "localhost"})


def test_publishing_is_seen_at_once_by_every_app_server(app_servers, shared_cache):
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
        page = get(server, "/")
        assert "Breaking: the bridge reopens" in page.body
    assert get(server_b, "/").headers["X-Cache"] == "hit"


def test_an_approved_comment_is_seen_at_once_by_every_app_server(app_servers, shared_cache):
    server_a, server_b = app_servers
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(server_a, path)
    assert get(server_b, path).headers["X-Cache"] == "hit"

    comment = make_comment(article, status="pending", body="Seen from every server.")
    actions.approve([comment], actor=UserFactory(is_superuser=True))

    assert "Seen from every server." in get(server_a, path).body
    assert "Seen from every server." in get(server_b, path).body
