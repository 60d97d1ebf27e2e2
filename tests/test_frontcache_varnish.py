"""Varnish in front of gunicorn, with the project's VCL (deploy/varnish/newsroom.vcl): it keeps
public pages for readers without cookies, and a change empties exactly the pages it touches,
at once, whether it is made by the app server behind Varnish or by another one (the test).
As in production, the site's own page cache is on, in Redis shared with the test process.

Needs Debian's `varnish` package (varnishd); without it the module is skipped and says why,
except in CI (CI=true), where it must run.
"""

import gzip
import http.client
import os
import shutil
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from articles import revisions, workflow
from comments.moderation import actions
from newsroom import frontcache
from tests.comments.helpers import make_comment
from tests.comments.live import Reader
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.servers import (
    PROJECT_ROOT,
    database_url,
    free_port,
    start_gunicorn,
    wait_until_listening,
)

# Database 6: the other suites and tools on this Redis use 0, 1, 5 and 7.
REDIS_URL = os.environ.get("FRONTCACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
VCL = PROJECT_ROOT / "deploy" / "varnish" / "newsroom.vcl"
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")
REQUIRED = os.environ.get("CI") == "true"
NO_VARNISH = "varnishd not found: apt-get install varnish"

pytestmark = [
    # Skipped before the test database is made; in CI the fixture fails instead.
    pytest.mark.skipif(VARNISHD is None and not REQUIRED, reason=NO_VARNISH),
    pytest.mark.django_db(transaction=True),
]


@dataclass
class Stack:
    varnish: str  # host:port of Varnish
    backend: str  # host:port of gunicorn
    access_log: Path

    def backend_hits(self, path: str) -> int:
        """How many times gunicorn was asked for this path (with any query)."""
        # Its one sync worker logs a request after answering it, before it takes the next:
        # once it has answered this one, every earlier request is in the log.
        assert get(self.backend, "/robots.txt").status == 200
        lines = self.access_log.read_text().splitlines()
        return sum(f'"GET {path} ' in line or f'"GET {path}?' in line for line in lines)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def front_cache(self) -> str:
        return self.headers["X-Front-Cache"]


def get(
    address: str, path: str, *, headers: dict | None = None, source: str | None = None
) -> Answer:
    return request(address, "GET", path, headers=headers, source=source)


def request(
    address: str,
    method: str,
    path: str,
    *,
    headers: dict | None = None,
    source: str | None = None,
) -> Answer:
    host, port = address.rsplit(":", 1)
    connection = http.client.HTTPConnection(
        host, int(port), timeout=30, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, headers={"Accept-Encoding": "identity", **(headers or {})})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return Answer(response.status, response.headers, body.decode(errors="replace"))


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory):
    """gunicorn (debug off, the test database) with Varnish in front, running the VCL as
    shipped but for the backend's port."""
    if VARNISHD is None:
        pytest.fail(f"{NO_VARNISH} (required in CI)")
    scratch = tmp_path_factory.mktemp("front-cache")
    backend_port, varnish_port = free_port(), free_port()
    varnish = f"127.0.0.1:{varnish_port}"

    vcl = VCL.read_text()
    assert '.port = "8000";' in vcl
    (scratch / "test.vcl").write_text(vcl.replace('.port = "8000";', f'.port = "{backend_port}";'))

    access_log = scratch / "access.log"
    access_log.touch()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_shared_cache",  # DEBUG off, page cache on
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # the test run drops the database at the end
        "NEWSROOM_FRONT_CACHE_URLS": f"http://{varnish}",
        "NEWSROOM_TRUSTED_PROXY_COUNT": "1",  # Varnish appends to X-Forwarded-For
        "NEWSROOM_COMMENT_MIN_SECONDS": "0",
        "NEWSROOM_COMMENT_FLOOD_SECONDS": "0",
        "NEWSROOM_COMMENT_MODERATION": "none",
    }
    with ExitStack() as stack:
        start_gunicorn(
            stack,
            env,
            scratch / "gunicorn.log",
            "--access-logfile",
            str(access_log),
            port=backend_port,
        )

        varnish_log = scratch / "varnishd.log"
        with varnish_log.open("w") as output:
            varnishd = subprocess.Popen(
                [
                    VARNISHD,
                    "-F",  # in the foreground, a child of the test
                    "-n",
                    str(scratch / "varnish"),
                    "-a",
                    varnish,
                    "-T",
                    "127.0.0.1:0",
                    "-f",
                    str(scratch / "test.vcl"),
                    "-s",
                    "malloc,32m",
                    "-j",
                    "none",  # as the user running the tests, root or not
                ],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        stack.callback(varnishd.wait, timeout=30)
        stack.callback(varnishd.terminate)

        wait_until_listening(varnish_port, varnishd, varnish_log)
        yield Stack(varnish=varnish, backend=f"127.0.0.1:{backend_port}", access_log=access_log)
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
def _empty_front_cache(stack, settings):
    """Each test starts with an empty Varnish (every public page names the site scope) and
    an empty page cache; this process, a second app server, shares both."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    assert request(stack.varnish, "BAN", "/", headers={"X-Newsroom-Scope": "site"}).status == 200
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
        }
    }
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.NEWSROOM_FRONT_CACHE_URLS = [f"http://{stack.varnish}"]
    frontcache.unreachable._down.clear()


@pytest.fixture
def editor():
    return UserFactory(is_superuser=True, is_staff=True)


def test_the_second_anonymous_get_is_served_by_varnish_without_the_scope_header(stack):
    article = ArticleFactory(title="Dam holds after the storm", authors=[AuthorFactory()])
    path = article.get_absolute_url()
    direct = get(stack.backend, path)
    assert direct.headers[frontcache.SCOPE_HEADER] == f"site comments:{article.slug}"

    first = get(stack.varnish, path)
    time.sleep(1.1)  # so that Age shows the copy's age
    second = get(stack.varnish, path)

    assert (first.front_cache, second.front_cache) == ("miss", "hit")
    assert len(second.headers["X-Varnish"].split()) == 2  # this request's id and the copy's
    assert int(second.headers["Age"]) >= 1
    assert second.body == first.body
    assert "Dam holds after the storm" in second.body
    assert stack.backend_hits(path) == 2  # the direct request and Varnish's one fetch
    for answer in (first, second):
        assert frontcache.SCOPE_HEADER not in answer.headers
        assert answer.headers["Cache-Control"].startswith("public")


def test_accept_encoding_is_normalised_to_one_copy_per_coding(stack):
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    assert get(stack.varnish, path, headers={"Accept-Encoding": "gzip"}).front_cache == "miss"
    for coding in ("gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8"):
        answer = get(stack.varnish, path, headers={"Accept-Encoding": coding})
        assert answer.front_cache == "hit"
        assert answer.headers["Content-Encoding"] == "gzip"
    assert stack.backend_hits(path) == 1


def test_publishing_is_seen_through_varnish_at_once(stack, editor):
    ArticleFactory(title="Yesterday's news", authors=[AuthorFactory()])
    get(stack.varnish, "/")
    assert get(stack.varnish, "/").front_cache == "hit"

    draft = ArticleFactory(
        draft=True, title="Бриф: the bridge reopens 🌉", authors=[AuthorFactory()]
    )
    workflow.transition(draft, action="publish", actor=editor)

    home = get(stack.varnish, "/")  # the next request, no waiting
    assert home.front_cache == "miss"
    assert "Бриф: the bridge reopens 🌉" in home.body
    assert get(stack.varnish, "/").front_cache == "hit"


def test_an_edited_article_is_seen_through_varnish_at_once(stack, editor):
    article = ArticleFactory(title="Council votes on budget", authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(stack.varnish, path)
    assert get(stack.varnish, path).front_cache == "hit"

    article.title = "Council approves budget"
    article.save()
    revisions.record_revision(article, actor=editor)

    assert "Council approves budget" in get(stack.varnish, path).body


def test_a_page_not_found_is_not_kept(stack, editor):
    draft = ArticleFactory(draft=True, authors=[AuthorFactory()])
    path = draft.get_absolute_url()
    assert [get(stack.varnish, path).status for _ in range(2)] == [404, 404]
    assert stack.backend_hits(path) == 2  # an answer with no Cache-Control is not kept

    workflow.transition(draft, action="publish", actor=editor)
    assert get(stack.varnish, path).status == 200


def test_approving_and_removing_a_comment_refresh_only_the_pages_that_show_it(stack, editor):
    article = ArticleFactory(authors=[AuthorFactory()])
    pages = [
        article.get_absolute_url(),
        f"/articles/{article.slug}/comments/feed/",
        "/comments/feed/",
    ]
    for path in [*pages, "/"]:
        get(stack.varnish, path)
        assert get(stack.varnish, path).front_cache == "hit"
    comment = make_comment(article, status="pending", body="Мост открыт, спасибо! 🎉")

    actions.approve([comment], actor=editor)
    for path in pages:
        answer = get(stack.varnish, path)
        assert answer.front_cache == "miss", path
        assert "Мост открыт, спасибо! 🎉" in answer.body, path
    assert get(stack.varnish, "/").front_cache == "hit"  # the home page shows no comments

    actions.remove([comment], actor=editor, reason="Off topic")
    for path in pages:
        assert "Мост открыт, спасибо! 🎉" not in get(stack.varnish, path).body, path


def test_a_comment_published_through_the_app_server_is_banned_by_it(stack, settings):
    settings.NEWSROOM_FRONT_CACHE_URLS = []  # only gunicorn's own ban can refresh the page
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(stack.varnish, path)
    assert get(stack.varnish, path).front_cache == "hit"

    commenter = Reader(f"http://{stack.varnish}")
    action, hidden = commenter.comment_form(path)
    posted = commenter.post(
        action, {**hidden, "name": "Олена", "email": "olena@example.com", "body": "Дякую! 🙏"}
    )
    assert posted.status == 302, posted.body[:2000]

    assert "Дякую! 🙏" in get(stack.varnish, path).body


@pytest.mark.parametrize(
    "cookie",
    ["sessionid=abc", "newsroom_commenter=xyz", "csrftoken=abc; messages=hello", "a=b"],
)
def test_a_reader_with_cookies_other_than_csrf_passes_through(stack, cookie):
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(stack.varnish, path)
    before = stack.backend_hits(path)
    for _ in range(2):
        answer = get(stack.varnish, path, headers={"Cookie": cookie})
        assert answer.front_cache == "miss"
        assert answer.headers["Cache-Control"] == "private, no-cache"
    assert stack.backend_hits(path) == before + 2
    assert get(stack.varnish, path).front_cache == "hit"  # the shared copy is untouched


def test_a_reader_with_only_the_csrf_cookie_gets_the_shared_copy(stack):
    assert django_settings.CSRF_COOKIE_NAME in VCL.read_text()
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(stack.varnish, path)
    cookie = f"{django_settings.CSRF_COOKIE_NAME}=abcdefghijklmnopqrstuvwxyz012345"
    assert get(stack.varnish, path, headers={"Cookie": cookie}).front_cache == "hit"


def test_ban_is_refused_from_an_address_outside_the_acl(stack):
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(stack.varnish, path)

    # 127.0.0.2 is this machine too, but not in the ACL (127.0.0.1 and ::1).
    refused = request(
        stack.varnish, "BAN", "/", headers={"X-Newsroom-Scope": "site"}, source="127.0.0.2"
    )
    assert refused.status == 405
    malformed = request(stack.varnish, "BAN", "/", headers={"X-Newsroom-Scope": 'site" || 1'})
    assert malformed.status == 400
    assert request(stack.varnish, "BAN", "/").status == 400

    assert get(stack.varnish, path).front_cache == "hit"


def test_two_readers_never_share_the_comment_forms_tokens(stack):
    article = ArticleFactory(authors=[AuthorFactory()])
    tokens_path = f"/articles/{article.slug}/comments/tokens/"
    answers = [get(stack.varnish, tokens_path) for _ in range(2)]
    assert [answer.front_cache for answer in answers] == ["miss", "miss"]
    assert answers[0].body != answers[1].body  # each reader's own form token


def test_a_scheduled_article_appears_through_varnish_when_it_goes_live(stack, editor, settings):
    ArticleFactory(title="Already out", authors=[AuthorFactory()])
    draft = ArticleFactory(draft=True, title="Embargoed: the budget 📊", authors=[AuthorFactory()])
    goes_live = timezone.now() + timedelta(seconds=2)
    workflow.transition(draft, action="publish", actor=editor, publish_at=goes_live)
    settings.NEWSROOM_FRONT_CACHE_URLS = []  # no ban from here on: the moment alone counts

    # Asked as Varnish asks (this app server's own copy of the versions may be 500 ms old).
    as_varnish = {frontcache.FETCH_HEADER: "fetch"}
    assert frontcache.CHANGES_AT_HEADER in get(stack.backend, "/", headers=as_varnish).headers
    before = get(stack.varnish, "/")
    assert "Embargoed" not in before.body
    assert frontcache.CHANGES_AT_HEADER not in before.headers
    assert get(stack.varnish, "/").front_cache == "hit"

    time.sleep(max(0, (goes_live - timezone.now()).total_seconds()) + 1.1)  # seconds in HTTP dates
    assert "Embargoed: the budget 📊" in get(stack.varnish, "/").body


def test_a_ban_naming_hundreds_of_articles_is_taken_in_parts(stack):
    """A moderator's action on hundreds of articles: more names than one header of 8 KB
    (Varnish's limit) holds, sent in several bans that Varnish takes."""
    article = ArticleFactory(authors=[AuthorFactory()])
    path = article.get_absolute_url()
    get(stack.varnish, path)
    assert get(stack.varnish, path).front_cache == "hit"
    scopes = [frontcache.scope_name(f"довга-стаття-{n}") for n in range(400)]
    frontcache.ban([*scopes, frontcache.scope_name(article.slug)])
    assert frontcache.unreachable._down == set()  # no ban was refused
    assert get(stack.varnish, path).front_cache == "miss"
