"""Fragments of public pages kept in the shared cache: the costly parts that are the same for
every reader (an article's comment threads, its related articles, a listing's teasers), for
the pages the page cache does not answer (a reader with a session or a cookie, a page-cache
miss, the page cache off).

A fragment is kept under the content versions of newsroom/pagecache.py (the site's, and the
article's comments version where it shows comments): the bump that refreshes whole pages
after an approval, a removal or an edit refreshes the fragments with them. What differs
between readers (a commenter's own held comment, a remembered name, a refused form, the
CSRF and form tokens) is never in a fragment: the caller renders it afresh, or bypasses the
fragment for that reader. The blank comment form is kept: it carries no token.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from . import cache as shared_cache
from .pagecache import current_versions

FRAGMENT_KEY = "fragment:{name}:{versions}:{variant}"


_SITE = object()  # where a request's memo keeps the site's token


def _tokens(request: HttpRequest, article_slug: str | None) -> tuple[str, str | None]:
    """The site's token and the article's (``article_slug``), read at most once per request:
    one round trip for all of a page's fragments."""
    known = request.__dict__.setdefault("_content_versions", {})
    if article_slug is not None and article_slug not in known:
        known[_SITE], known[article_slug] = current_versions(article_slug=article_slug)
    elif _SITE not in known:
        known[_SITE], _ = current_versions()
    return known[_SITE], known.get(article_slug)


@dataclass
class Fragment:
    """One fragment: ``name`` told apart by ``variant`` (a comment page's number, a listing's
    address), of the article ``article_slug`` if it belongs to one, kept under the site's
    version (and the article's comments version too, ``with_comments``). ``render`` must
    return what is the same for every reader."""

    name: str
    variant: str
    render: Callable[[], str]
    article_slug: str | None = None
    with_comments: bool = False

    def key(self, request: HttpRequest) -> str:
        site, article = _tokens(request, self.article_slug)
        versions = f"{site}-{article}" if self.with_comments else site
        variant = hashlib.sha256(f"{self.article_slug}:{self.variant}".encode()).hexdigest()
        return FRAGMENT_KEY.format(name=self.name, versions=versions, variant=variant)


def cached_fragments(request: HttpRequest, fragments: list[Fragment]) -> list[SafeString]:
    """The fragments, from the cache (one round trip for all) or rendered and kept."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        # Rendered by templates, escaped there.
        return [mark_safe(fragment.render()) for fragment in fragments]  # noqa: S308
    keys = [fragment.key(request) for fragment in fragments]
    found = shared_cache.get_many(keys)
    missing = {}
    for key, fragment in zip(keys, fragments, strict=True):
        if key not in found:
            found[key] = missing[key] = str(fragment.render())
    if missing:
        shared_cache.set_many(missing, seconds)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - as above


def cached_fragment(
    request: HttpRequest,
    name: str,
    variant: str,
    render: Callable[[], str],
    *,
    article_slug: str | None = None,
    with_comments: bool = False,
) -> SafeString:
    """One fragment (see Fragment), from the cache or rendered and kept."""
    fragment = Fragment(name, variant, render, article_slug, with_comments)
    return cached_fragments(request, [fragment])[0]
