"""Front caches (newsroom/frontcache.py): the scope header public pages carry, and the BAN a
change sends to each front cache once its transaction commits. Varnish itself, with the
project's VCL, is tested in tests/test_frontcache_varnish.py; here a small HTTP server
stands in for it and records what it is sent."""

import logging
import math
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from articles import workflow
from comments.moderation import actions
from newsroom import frontcache
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db


class _Recorder(BaseHTTPRequestHandler):
    def do_BAN(self):  # noqa: N802 (the HTTP method's name)
        self.server.bans.append(self.headers[frontcache.SCOPE_HEADER])
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def front_cache(settings):
    """A stand-in front cache at NEWSROOM_FRONT_CACHE_URLS: ``.bans`` is what it was sent."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bans = []
    server.status = 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NEWSROOM_FRONT_CACHE_URLS = [f"http://127.0.0.1:{server.server_port}"]
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """The address of a front cache that is down: nothing listens there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _forget_outages():
    frontcache.unreachable._down.clear()
    yield
    frontcache.unreachable._down.clear()


@pytest.fixture
def editor():
    return UserFactory(is_superuser=True, is_staff=True)


def scope_of(url: str, **headers) -> str | None:
    response = Client(HTTP_ACCEPT_ENCODING="", **headers).get(url)
    assert response.status_code == 200
    return response.headers.get(frontcache.SCOPE_HEADER)


def test_public_pages_name_the_scopes_they_show():
    article = ArticleFactory(slug="dam-holds", authors=[AuthorFactory(slug="olena")])
    assert scope_of(reverse("articles:home")) == "site"
    assert scope_of(reverse("authors:detail", args=["olena"])) == "site"
    assert scope_of(article.get_absolute_url()) == "site comments:dam-holds"
    assert (
        scope_of(reverse("comments:article_feed_rss", args=["dam-holds"]))
        == "site comments:dam-holds"
    )
    # The latest-comments feeds show any article's comments.
    assert scope_of(reverse("comments:feed_atom")) == "site comments:%2A"


def test_pages_rendered_for_one_reader_name_no_scope():
    article = ArticleFactory(authors=[AuthorFactory()])
    assert scope_of(article.get_absolute_url(), HTTP_COOKIE="sessionid=abc") is None
    assert scope_of(reverse("articles:search") + "?q=флот") is None


def test_scope_names_are_header_safe_for_any_slug():
    assert (
        frontcache.scope_name("климат-2026") == "comments:%D0%BA%D0%BB%D0%B8%D0%BC%D0%B0%D1%82-2026"
    )
    assert frontcache.scope_name("*") == "comments:%2A"
    assert frontcache.scope_name(None) == "site"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """A block whose end runs the on-commit callbacks, as the request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def publish(editor, commit):
    """Publish a new draft, as an editor's request does, committed."""

    def publish(**fields) -> None:
        draft = ArticleFactory(draft=True, authors=[AuthorFactory()], **fields)
        with commit():
            workflow.transition(draft, action="publish", actor=editor)
        draft.refresh_from_db()
        assert draft.status == "published"

    return publish


def test_publishing_bans_the_site_scope_after_commit(front_cache, editor, commit):
    draft = ArticleFactory(draft=True, authors=[AuthorFactory()])
    with commit():
        workflow.transition(draft, action="publish", actor=editor)
        # Not before: another app server could fetch the old rows until the commit.
        assert front_cache.bans == []
    assert front_cache.bans == ["site"]


def test_a_rolled_back_change_bans_nothing(front_cache, editor, commit):
    draft = ArticleFactory(draft=True, authors=[AuthorFactory()])
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        workflow.transition(draft, action="publish", actor=editor)
        raise RuntimeError("the editor's request failed later")
    assert front_cache.bans == []


def test_approving_a_comment_bans_its_article_and_the_latest_comments_not_the_site(
    front_cache, editor, commit
):
    article = ArticleFactory(slug="dam-holds", authors=[AuthorFactory()])
    comment = make_comment(article, status="pending", body="Мост открыт 🎉")
    with commit():
        actions.approve([comment], actor=editor)
    assert front_cache.bans == ["comments:%2A comments:dam-holds"]


def test_approving_comments_on_many_articles_sends_one_ban(front_cache, editor, commit):
    """A moderator's bulk action: one ban naming every article's scope, not one per article."""
    comments = [
        make_comment(
            ArticleFactory(slug=f"story-{n}", authors=[AuthorFactory()]),
            status="pending",
            body=f"Коментар {n} ✅",
        )
        for n in range(5)
    ]
    with commit():
        actions.approve(comments, actor=editor)
    scopes = ["comments:%2A", *(f"comments:story-{n}" for n in range(5))]
    assert front_cache.bans == [" ".join(sorted(scopes))]


def test_the_scopes_of_hundreds_of_articles_go_in_bans_varnish_accepts(front_cache):
    """Varnish refuses a header over 8 KB: each ban stays under 4,000 characters, and
    together they name every scope once."""
    scopes = [frontcache.scope_name(f"довга-стаття-{n}") for n in range(400)]
    frontcache.ban(scopes)
    assert len(front_cache.bans) > 1
    assert all(len(names) <= frontcache.BAN_HEADER_MAX for names in front_cache.bans)
    sent = [name for names in front_cache.bans for name in names.split(" ")]
    assert sorted(sent) == sorted(scopes)


def test_a_refused_part_of_a_ban_does_not_stop_the_others(front_cache, monkeypatch, caplog):
    monkeypatch.setattr(frontcache, "BAN_HEADER_MAX", 60)
    answers = iter([400, 200, 200, 200, 200])

    class _Refusing(_Recorder):
        def do_BAN(self):  # noqa: N802
            self.server.status = next(answers)
            super().do_BAN()

    front_cache.RequestHandlerClass = _Refusing
    scopes = [frontcache.scope_name(f"story-{n}") for n in range(6)]
    frontcache.ban(scopes)
    assert len(front_cache.bans) > 1  # the parts after the refused one were sent too
    sent = [name for names in front_cache.bans for name in names.split(" ")]
    assert sorted(sent) == sorted(scopes)
    assert "HTTP 400" in caplog.text


def test_no_front_cache_configured_sends_nothing(settings, front_cache, publish):
    settings.NEWSROOM_FRONT_CACHE_URLS = []
    publish()
    assert front_cache.bans == []


def test_a_front_cache_that_is_down_does_not_stop_the_editor_and_is_logged_once(
    settings, front_cache, closed_port_url, publish, caplog
):
    up = settings.NEWSROOM_FRONT_CACHE_URLS[0]
    settings.NEWSROOM_FRONT_CACHE_URLS = [closed_port_url, up]
    caplog.set_level(logging.WARNING, logger="newsroom.frontcache")
    publish(title="First")
    publish(title="Second")
    assert front_cache.bans == ["site", "site"]  # the other cache still got both
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1
    assert closed_port_url in messages[0] and "did not take a ban" in messages[0]


def test_a_front_cache_refusing_the_ban_is_logged_and_its_return_too(front_cache, publish, caplog):
    caplog.set_level(logging.WARNING, logger="newsroom.frontcache")
    front_cache.status = 405  # e.g. the app server's address is missing from the VCL's ACL
    publish()
    publish()
    front_cache.status = 200
    publish()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "HTTP 405" in messages[0]
    assert "takes bans again" in messages[1]


@pytest.mark.parametrize(
    "value", ["127.0.0.1:6081", "ftp://cache", "http://", "http://cache:port", "http://[::1"]
)
def test_a_malformed_front_cache_address_stops_start_up_with_a_clear_message(value):
    result = run_manage("check", DJANGO_DEBUG="1", NEWSROOM_FRONT_CACHE_URLS=value)
    assert result.returncode != 0
    assert "NEWSROOM_FRONT_CACHE_URLS must be comma-separated http:// or https://" in (
        result.stderr
    )


def test_front_cache_addresses_are_read_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.NEWSROOM_FRONT_CACHE_URLS)",
        DJANGO_DEBUG="1",
        NEWSROOM_FRONT_CACHE_URLS="http://10.0.0.5:6081, https://cache.example:8443",
    )
    assert result.returncode == 0, result.stderr
    assert "['http://10.0.0.5:6081', 'https://cache.example:8443']" in result.stdout


def test_pages_name_the_moment_a_scheduled_article_goes_live(settings, editor, commit):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600  # the moment is the site version's expiry
    ArticleFactory(authors=[AuthorFactory()])
    home = reverse("articles:home")
    assert frontcache.CHANGES_AT_HEADER not in Client().get(home).headers

    goes_live = timezone.now() + timedelta(hours=2, seconds=0.3)
    draft = ArticleFactory(draft=True, authors=[AuthorFactory()])
    with commit():
        workflow.transition(draft, action="publish", actor=editor, publish_at=goes_live)
    answer = Client().get(home)
    # Rounded up: a front cache keeps the page to that second, never past the moment.
    assert answer.headers[frontcache.CHANGES_AT_HEADER] == http_date(
        math.ceil(goes_live.timestamp())
    )
