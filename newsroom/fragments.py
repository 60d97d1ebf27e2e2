"""Fragments of public pages kept in the shared cache: the costly parts that are the same for
every reader (an article's comment threads, its related articles, a listing's teasers), for
the pages the page cache does not answer (a reader with a session or a cookie, a page-cache
miss, the page cache off).

A fragment is kept under the content versions of newsroom/pagecache.py (the site's, and the
article's comments version where it shows comments): the bump that refreshes whole pages
after an approval, a removal or an edit refreshes the fragments with them. What differs
between readers (a commenter's own held comment, the comment form and its tokens) is never
in a fragment: the caller renders it afresh, or bypasses the fragment for that reader.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from . import cache as shared_cache
from .pagecache import current_versions

FRAGMENT_KEY = "fragment:{name}:{versions}:{variant}"


def _tokens(request: HttpRequest, article_slug: str | None) -> tuple[str, str | None]:
    """The site's and the article's version tokens, read once per request (one round trip
    for all of a page's fragments)."""
    known = request.__dict__.setdefault("_content_versions", {})
    if article_slug not in known:
        known[article_slug] = current_versions(article_slug=article_slug)
    return known[article_slug]


def cached_fragment(
    request: HttpRequest,
    name: str,
    variant: str,
    render: Callable[[], str],
    *,
    article_slug: str | None = None,
    with_comments: bool = False,
) -> SafeString:
    """The fragment ``name`` (of the article ``article_slug``, if it belongs to one), told
    apart by ``variant`` (a comment page's number, a listing's address), from the cache or
    from ``render()``.

    Kept under the site's version, and the article's comments version too
    ``with_comments``. ``render`` must return what is the same for every reader.
    """
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        return mark_safe(render())  # noqa: S308 - rendered by a template, escaped there
    site, article = _tokens(request, article_slug)
    versions = f"{site}-{article}" if with_comments else site
    variant = hashlib.sha256(f"{article_slug}:{variant}".encode()).hexdigest()
    key = FRAGMENT_KEY.format(name=name, versions=versions, variant=variant)
    found = shared_cache.get_many([key]).get(key)
    if found is None:
        found = str(render())
        shared_cache.set_many({key: found}, seconds)
    return mark_safe(found)  # noqa: S308 - rendered by a template, escaped there
