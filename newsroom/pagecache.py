"""The shared page cache: public pages as anonymous readers get them, kept in the cache that
every app server shares (Redis in production, local memory on the embedded default).

What a cached page may show is fixed by *content versions* kept in the same cache: one for
the whole site (articles, sections, authors, tags, sources, images) and one per article for
its comments. A page is stored under the versions it was rendered with; a change bumps the
version (``content_changed``), so every app server's next read misses and renders afresh.
Nothing is deleted and nothing needs a message between servers: the bump is one cache write.

Changes that come with time rather than an event (a scheduled article going live, comments
closing N days after publishing) are written into the site version as its expiry: the first
read after that moment bumps the version.

Only readers whose page cannot differ from anyone else's are served from the cache: a GET
with no cookie but the CSRF cookie (which changes nothing on a page). A session (staff, a
commenter who sees their own held comment), the "remember me" cookie or a message pending
makes the page theirs: it is rendered for them and marked private.
"""

import functools
import hashlib
import re
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from . import cache as shared_cache
from . import compression, frontcache

# Pages that look the same to every anonymous reader, by URL name.
PUBLIC_VIEWS = frozenset(
    {
        "articles:home",
        "articles:detail",
        "articles:section",
        "articles:tag",
        "articles:source",
        "articles:archive_year",
        "articles:archive_month",
        "articles:feed_rss",
        "articles:feed_atom",
        "articles:section_feed_rss",
        "articles:section_feed_atom",
        "articles:tag_feed_rss",
        "articles:tag_feed_atom",
        "authors:detail",
        "authors:feed_rss",
        "authors:feed_atom",
        "sitemap-index",
        "sitemap-section",
        "news-sitemap",
        "robots-txt",
        "comments:feed_rss",
        "comments:feed_atom",
        "comments:article_feed_rss",
        "comments:article_feed_atom",
    }
)
# The comments version that also fixes a page, besides the site's: an article's own (its
# page and comment feeds), or that of every article (the site's latest-comments feeds).
ANY_ARTICLE = "*"  # no slug has it
COMMENTS_SCOPE = {
    "articles:detail": "slug",
    "comments:article_feed_rss": "slug",
    "comments:article_feed_atom": "slug",
    "comments:feed_rss": ANY_ARTICLE,
    "comments:feed_atom": ANY_ARTICLE,
}
# Pages that are the reader's own answer: never kept by a shared cache.
PRIVATE_VIEWS = frozenset({"articles:search"})
PRIVATE_CACHE_CONTROL = "private, no-cache"

SITE_VERSION_KEY = "pagecache:version"
ARTICLE_VERSION_KEY = "pagecache:version:article:{slug}"
PAGE_KEY = "pagecache:page:{variant}:{address}"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.NEWSROOM_CACHE_MAX_AGE}, "
        f"s-maxage={settings.NEWSROOM_CACHE_S_MAXAGE}, "
        f"stale-while-revalidate={settings.NEWSROOM_CACHE_STALE_WHILE_REVALIDATE}"
    )


# Content versions ------------------------------------------------------------------------


def _new_version(*, expires_at: float | None = None) -> dict:
    return {"token": secrets.token_hex(8), "changed_at": int(time.time()), "expires_at": expires_at}


class LocalCopies:
    """This process's own copy of what it last read from the shared cache: the content
    versions, trusted for ``NEWSROOM_PAGE_CACHE_LOCAL_MS`` after they were read, and the
    pages and fragments most recently used (at most ``LOCAL_BYTES`` in all), each under the
    versions it shows.

    A hit on a popular page then costs no round trip to Redis, which cost more than the rest
    of the hit. Changes made by this process are seen at once (``_bump`` updates the copy);
    another app server's within that time, when this one reads the versions again.
    """

    LOCAL_BYTES = 32 * 1024 * 1024

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._versions: dict[str, tuple[dict, float]] = {}
            # key -> (entry, its size, the monotonic time it is dropped at, or None)
            self._entries: OrderedDict[str, tuple] = OrderedDict()
            self._bytes = 0

    def versions(self, keys: list[str]) -> dict | None:
        """The versions under ``keys`` if all are known and recent enough, else None."""
        trusted_since = time.monotonic() - settings.NEWSROOM_PAGE_CACHE_LOCAL_MS / 1000
        found = {}
        for key in keys:
            known = self._versions.get(key)
            if known is None or known[1] < trusted_since:
                return None
            found[key] = known[0]
        return found

    def remember_versions(self, versions: dict[str, dict]) -> None:
        now = time.monotonic()
        for key, version in versions.items():
            self._versions[key] = (version, now)

    def get(self, key: str):
        """The page or fragment kept under ``key``, or None."""
        with self._lock:
            kept = self._entries.get(key)
            if kept is None:
                return None
            entry, _, drop_at = kept
            if drop_at is not None and time.monotonic() >= drop_at:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def keeps(self, size: int) -> bool:
        """Whether an entry of ``size`` bytes would be kept (copies are on, and it is not too
        large a share of them)."""
        return size <= self.LOCAL_BYTES // 8 and settings.NEWSROOM_PAGE_CACHE_LOCAL_MS > 0

    def keep(self, key: str, entry, size: int, seconds: float | None = None) -> None:
        """Keep ``entry`` (``size`` bytes), for at most ``seconds`` if given."""
        if not self.keeps(size):
            return
        drop_at = time.monotonic() + seconds if seconds is not None else None
        size += sys.getsizeof(key)
        with self._lock:
            self._drop(key)
            self._entries[key] = (entry, size, drop_at)
            self._bytes += size
            while self._bytes > self.LOCAL_BYTES:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        kept = self._entries.pop(key, None)
        if kept is not None:
            self._bytes -= kept[1]

    def keep_page(self, key: str, entry: tuple) -> None:
        self.keep(key, entry, len(entry[-1]))


local_copies = LocalCopies()


def _store_versions(versions: dict[str, dict]) -> None:
    shared_cache.set_many(versions, None)
    local_copies.remember_versions(versions)


# Functions, each naming the next moment its app's pages change by themselves (an article
# going live, comments closing), or None. Apps register theirs when they are ready: this
# module, plumbing every app uses, imports none of them.
timed_changes: list[Callable[[], datetime | None]] = []


def register_timed_change(next_change: Callable[[], datetime | None]) -> None:
    if next_change not in timed_changes:
        timed_changes.append(next_change)


def next_timed_change() -> datetime | None:
    """The next moment a page changes with no one acting."""
    moments = [next_change() for next_change in timed_changes]
    return min((moment for moment in moments if moment is not None), default=None)


def _bump(*, article_slugs: tuple[str, ...]) -> None:
    """New versions: the site's (no slug), or those of these articles' comments."""
    if not article_slugs:
        moment = next_timed_change()
        version = _new_version(expires_at=moment.timestamp() if moment else None)
        _store_versions({SITE_VERSION_KEY: version})
    else:
        keys = [ARTICLE_VERSION_KEY.format(slug=slug) for slug in article_slugs]
        _store_versions({key: _new_version() for key in keys})


def _changed(article_slugs: tuple[str, ...]) -> None:
    _bump(article_slugs=article_slugs)
    if transaction.get_connection().in_atomic_block:  # outside one, nothing is pending
        transaction.on_commit(lambda: _bump(article_slugs=article_slugs))
    frontcache.content_changed(article_slugs=article_slugs)


def content_changed() -> None:
    """What readers see has changed, beyond one article's comments: an article, a section,
    an author, a tag, a source, a picture. Call it from the workflow function that made the
    change.

    Bumped at once and again when the transaction commits: a page another server renders
    from the old rows in between is then dropped too.
    """
    _changed(())


def comments_changed(article_slugs: Iterable[str]) -> None:
    """What these articles' comments show has changed: their pages and comment feeds, and
    the latest-comments feeds (ANY_ARTICLE). One write to the shared cache and one ban to
    each front cache for them all, however many articles a moderator's action touched."""
    slugs = tuple(sorted(set(article_slugs)))
    if slugs:
        _changed((*slugs, ANY_ARTICLE))


def _versions(found: dict, article_slug: str | None) -> tuple[dict, dict | None]:
    """The content versions among ``found`` (this process's recent copy, or read from the
    shared cache with the page in one round trip); one missing or past its expiry is started
    afresh."""
    site = found.get(SITE_VERSION_KEY)
    if site is None or (site["expires_at"] is not None and time.time() >= site["expires_at"]):
        moment = next_timed_change()
        site = _new_version(expires_at=moment.timestamp() if moment else None)
        _store_versions({SITE_VERSION_KEY: site})
    article = None
    if article_slug is not None:
        key = ARTICLE_VERSION_KEY.format(slug=article_slug)
        article = found.get(key)
        if article is None:
            article = _new_version()
            _store_versions({key: article})
    return site, article


def _version_keys(article_slug: str | None) -> list[str]:
    """Where the versions a page shows are kept: the site's, and its article's comments'."""
    if article_slug is None:
        return [SITE_VERSION_KEY]
    return [SITE_VERSION_KEY, ARTICLE_VERSION_KEY.format(slug=article_slug)]


def _tokens(site: dict, article: dict | None) -> tuple[str, str | None]:
    return site["token"], article["token"] if article else None


# Query parameters that change what a public page shows: keyset pages (older, newer),
# numbered pages (page; p of a sitemap) and the comment thread's own (thread, cpage, rpage,
# replytocom). Any other (utm_source, fbclid, a cache-buster) is dropped before the view
# runs, so it neither bypasses the cache nor fills it with copies of one page.
# tests/test_pagecache.py checks every parameter a public view reads is here.
PAGE_PARAMS = frozenset({"older", "newer", "page", "p", "thread", "cpage", "rpage", "replytocom"})


def strip_unread_params(request: HttpRequest) -> None:
    """Drop the query parameters no public page reads (see ``PAGE_PARAMS``)."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name in PAGE_PARAMS
    ]
    request.META["QUERY_STRING"] = urlencode(kept)
    request.GET = QueryDict(request.META["QUERY_STRING"])


def current_versions(*, article_slug: str | None = None) -> tuple[str, str | None]:
    """The tokens of the content versions now in force: the site's, and (``article_slug``)
    that article's comments version, else None. Fragments of pages are kept under them
    (newsroom/fragments.py), so the bumps that refresh whole pages refresh those too. Read
    as the page was: from this process's recent copy, which the page cache refreshes from
    Redis when it must (a front cache's fetch)."""
    keys = _version_keys(article_slug)
    found = local_copies.versions(keys)
    if found is None:
        found = shared_cache.get_many(keys)
        local_copies.remember_versions(found)
    return _tokens(*_versions(found, article_slug))


def page_key(request: HttpRequest) -> str:
    """Where this page is kept: its address (with host and scheme, which absolute links on
    it carry), gzipped or not. The entry names the content versions it was rendered with."""
    gzip = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    address = hashlib.sha256(
        f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode()
    ).hexdigest()
    return PAGE_KEY.format(variant="gz" if gzip else "id", address=address)


# The middleware ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _view_name(path: str, urlconf: str) -> tuple[str | None, str | None]:
    """The URL name of the view at ``path`` and the slug it is given. Remembered (a bounded
    number of paths), so a cache hit does not walk the URL patterns: only a miss does, when
    Django resolves the path for the view."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None, None
    return match.view_name, match.kwargs.get("slug")


def shared_request(request: HttpRequest) -> bool:
    """Whether this reader gets the page every anonymous reader gets."""
    if request.method != "GET":
        return False
    return all(name == settings.CSRF_COOKIE_NAME for name in request.COOKIES)


def _set_etag(response: HttpResponse) -> None:
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'


def _answer(request: HttpRequest, response: HttpResponse) -> HttpResponseBase:
    """The response, or 304 when the reader's copy (If-None-Match, If-Modified-Since) is it."""
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    answer = get_conditional_response(
        request, etag=response.get("ETag"), last_modified=last_modified, response=response
    )
    if answer is not response and "X-Cache" in response:
        answer["X-Cache"] = response["X-Cache"]
    return answer


class PageCacheMiddleware:
    """Serve public pages to anonymous readers from the shared cache; send Cache-Control,
    a strong ETag and Last-Modified on public pages, and 304 to a matching conditional GET.

    First of all middleware, so a hit runs none of the others and no query: a page is
    stored as sent, with the headers they added (security, CSP, compression: gzipped or
    not, two entries), and its ETag is that of the bytes sent, a strong ETag.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # Files served by WhiteNoise or the media server: no page of ours lives there.
        self.static_prefixes = tuple(
            "/" + url.lstrip("/") for url in (settings.STATIC_URL, settings.MEDIA_URL) if url
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "GET" or request.path_info.startswith(self.static_prefixes):
            return self.get_response(request)
        view_name, slug = _view_name(request.path_info, settings.ROOT_URLCONF)
        scope = COMMENTS_SCOPE.get(view_name)  # whose comments the page also shows, if any
        article_slug = slug if scope == "slug" else scope
        if view_name in PRIVATE_VIEWS:
            response = self.get_response(request)
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
            return response
        if view_name not in PUBLIC_VIEWS:
            return self.get_response(request)
        strip_unread_params(request)
        if not shared_request(request):
            return self._personal(request)

        keep_for = settings.NEWSROOM_PAGE_CACHE_SECONDS
        key = site = article = None
        if keep_for > 0:
            key = page_key(request)
            version_keys = _version_keys(article_slug)
            # A front cache asking after a ban must get the change at once, even one made
            # through another app server: it would keep the page for s-maxage.
            trusted = frontcache.FETCH_HEADER not in request.headers
            found = local_copies.versions(version_keys) if trusted else None
            kept_here = None
            if found is not None:  # read recently: the page may be here too
                site, article = _versions(found, article_slug)
                stored = kept_here = local_copies.get(key)
                if stored is None or stored[0] != _tokens(site, article):
                    stored = shared_cache.get_many([key]).get(key)
            else:  # the versions and the page, in one round trip
                found = shared_cache.get_many([*version_keys, key])
                stored = found.pop(key, None)
                local_copies.remember_versions(found)
                site, article = _versions(found, article_slug)
            if stored is not None and stored[0] == _tokens(site, article):
                if stored is not kept_here:
                    local_copies.keep_page(key, stored)
                _, status, headers, content = stored
                response = HttpResponse(content, status=status, headers=headers)
                response["X-Cache"] = "hit"
                return _answer(request, response)
        if key is not None or frontcache.FETCH_HEADER in request.headers:
            # To be kept for every reader, here or by the front cache asking: worth
            # compressing harder (compression.py).
            setattr(request, compression.KEPT_FOR_EVERYONE, True)

        response = self.get_response(request)
        if response.status_code != 200 or response.streaming:
            return response
        if response.cookies:  # a page that gives this reader a cookie is theirs alone
            return _private(request, response)
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
            "Cache-Control", ""
        ):
            return response
        # Rendering reads the (empty) session, which adds "Vary: Cookie"; this page is the
        # one every reader without cookies gets, and readers with cookies never get it (they
        # bypass this cache; a front cache must do the same, see README).
        vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
        kept = [v for v in vary if v.lower() != "cookie"]
        if kept:
            response["Vary"] = ", ".join(kept)
        elif "Vary" in response:
            del response["Vary"]
        response["Cache-Control"] = public_cache_control()
        # For front caches to ban by (frontcache.py).
        response[frontcache.SCOPE_HEADER] = frontcache.page_scopes(article_slug)
        if site is not None:  # nothing on the page changed since the versions did
            changed_at = max(site["changed_at"], article["changed_at"] if article else 0)
            response.headers.setdefault("Last-Modified", http_date(changed_at))
            frontcache.mark_next_change(response, site["expires_at"])
        _set_etag(response)
        # Kept as sent, headers of every middleware included; never a page whose policy
        # carries this request's script nonce (a nonce must not be shared).
        if key is not None and "'nonce-" not in response.get("Content-Security-Policy", ""):
            entry = (_tokens(site, article), response.status_code, dict(response.items()))
            entry = (*entry, response.content)
            shared_cache.set_many({key: entry}, keep_for)
            local_copies.keep_page(key, entry)
        response["X-Cache"] = "miss"
        return _answer(request, response)

    def _personal(self, request: HttpRequest) -> HttpResponseBase:
        """A public page rendered for a reader with cookies."""
        response = self.get_response(request)
        if response.status_code != 200 or response.streaming:
            return response
        return _private(request, response)


def _private(request: HttpRequest, response: HttpResponse) -> HttpResponseBase:
    """A public page as rendered for one reader: theirs alone, still answered with 304."""
    if "no-store" not in response.get("Cache-Control", ""):  # a preview's stays
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    patch_vary_headers(response, ["Cookie"])
    _set_etag(response)
    response["X-Cache"] = "bypass"
    return _answer(request, response)


class ChangesPublicPagesAdmin:
    """For the admin of anything public pages show (sections, authors, tags, sources):
    every save or delete through it refreshes the cached pages."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed()
