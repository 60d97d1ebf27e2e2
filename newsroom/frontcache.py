"""Front caches (Varnish, a CDN) in front of the app servers: what they may keep of a public
page, and how a change empties them.

Every public page names its *scopes* in the ``X-Newsroom-Scope`` header, space-separated:
``site`` (what every public page shows: articles, sections, authors, tags, sources, images),
``comments:<slug>`` for an article's page and comment feeds (that article's comments), and
``comments:%2A`` for the latest-comments feeds (any article's comments). They are the
content versions of the site's own page cache (newsroom/pagecache.py), spelt for a header.

When a version is bumped and the transaction that made the change has committed, the site
sends ``BAN`` with the scope's name to every front cache in ``NEWSROOM_FRONT_CACHE_URLS``;
Varnish (deploy/varnish/newsroom.vcl) drops every page naming it. A CDN keys pages by the
same names (Fastly surrogate keys, Cloudflare cache tags) and purges them the same way.

Pages that change with time rather than an event (a scheduled article going live) get no
ban: while the page cache is on, they carry that moment in ``X-Newsroom-Changes-At``, and
Varnish keeps them no longer.

Sent at once rather than queued as a task: a change must be seen within a second, and a
task waits for the worker's next poll (every second) and for the tasks ahead of it. Each
cache gets one request with a short timeout, so a cache that is down costs the editor's
action at most that; it is logged once when it fails and once when it answers again, and
its pages are stale at most until their ``s-maxage`` and grace run out.
"""

import http.client
import logging
import math
import threading
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils.http import http_date

logger = logging.getLogger(__name__)

SCOPE_HEADER = "X-Newsroom-Scope"
CHANGES_AT_HEADER = "X-Newsroom-Changes-At"
# Sent by the front cache on its own requests to the site (deploy/varnish/newsroom.vcl): the
# page must then reflect the shared cache's versions as they are now, since a ban may just
# have been sent for a change made through another app server.
FETCH_HEADER = "X-Newsroom-Front-Cache"
SITE_SCOPE = "site"
# Long enough for a cache on the local network, short enough that one that is down (or a
# firewall that drops the packets) does not hold up the editor's action.
BAN_TIMEOUT_SECONDS = 0.5


def scope_name(article_slug: str | None) -> str:
    """The scope whose pages a content version fixes: the site's (``None``), or an
    article's comments (its slug, or pagecache's ``ANY_ARTICLE`` for any article's)."""
    if article_slug is None:
        return SITE_SCOPE
    # Percent-encoded like the page's own address: header-safe, and "*" becomes "%2A".
    return f"comments:{quote(article_slug, safe='')}"


def page_scopes(article_slug: str | None) -> str:
    """The header value for a public page: the site's scope, and that of the comments it
    shows (``article_slug`` as for ``scope_name``), if any."""
    if article_slug is None:
        return SITE_SCOPE
    return f"{SITE_SCOPE} {scope_name(article_slug)}"


def mark_next_change(response: HttpResponse, moment: float | None) -> None:
    """Name the moment this page changes with no one acting (a scheduled article going live,
    comments closing; ``None``: no such moment is known). No ban comes then, so a front
    cache must keep the page no longer."""
    if moment is not None:
        response[CHANGES_AT_HEADER] = http_date(math.ceil(moment))


def content_changed(*, article_slugs: tuple[str, ...]) -> None:
    """Empty the front caches of the pages in these scopes (the site's when no slug is
    given), in one ban, once the transaction commits (at once outside one). Called by
    ``pagecache``'s content_changed and comments_changed."""
    if settings.NEWSROOM_FRONT_CACHE_URLS:
        scopes = [scope_name(slug) for slug in article_slugs] or [scope_name(None)]
        transaction.on_commit(lambda: ban(scopes), robust=True)


class _Unreachable:
    """The front caches that failed their last ban, to log an outage once, not per change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: set[str] = set()

    def failed(self, url: str, reason: str) -> None:
        with self._lock:
            first = url not in self._down
            self._down.add(url)
        if first:
            logger.warning(
                "Front cache %s did not take a ban (%s); its pages stay stale until their "
                "s-maxage runs out. Logged again when it answers.",
                url,
                reason,
            )

    def succeeded(self, url: str) -> None:
        if url not in self._down:  # the usual case: no lock taken
            return
        with self._lock:
            self._down.discard(url)
        logger.warning("Front cache %s takes bans again.", url)


unreachable = _Unreachable()


# Varnish refuses a request header longer than http_req_hdr_len (8 KB by default): the
# scopes of a moderator's action on hundreds of articles go in several bans.
BAN_HEADER_MAX = 4000


def _batches(scopes: Iterable[str]) -> list[str]:
    """The scope names as header values of at most BAN_HEADER_MAX characters."""
    batches: list[list[str]] = [[]]
    length = 0
    for name in sorted(set(scopes)):
        if batches[-1] and length + 1 + len(name) > BAN_HEADER_MAX:
            batches.append([])
            length = 0
        length += len(name) + 1
        batches[-1].append(name)
    return [" ".join(batch) for batch in batches if batch]


def ban(scopes: Iterable[str]) -> None:
    """Send BAN for these scopes to every front cache; never raises."""
    batches = _batches(scopes)
    for url in settings.NEWSROOM_FRONT_CACHE_URLS:
        taken = True
        for names in batches:
            try:
                status = _send_ban(url, names)
            except (OSError, http.client.HTTPException) as error:
                unreachable.failed(url, f"{type(error).__name__}: {error}")
                taken = False
                break  # down: the other parts would only wait for their timeouts
            if status != 200:  # this part refused; the others may yet be taken
                unreachable.failed(url, f"HTTP {status}")
                taken = False
        if taken:
            unreachable.succeeded(url)


def _send_ban(url: str, names: str) -> int:
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=BAN_TIMEOUT_SECONDS)
    try:
        connection.request("BAN", parts.path or "/", headers={SCOPE_HEADER: names})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
