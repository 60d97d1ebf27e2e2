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

import functools
import hashlib
import logging
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass

import django
from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from . import cache as shared_cache
from . import compression
from .pagecache import current_versions, local_copies

FRAGMENT_KEY = "fragment:{name}:{versions}:{variant}"

logger = logging.getLogger(__name__)


_SITE = object()  # where a request's memo keeps the site's token


def _tokens(request: HttpRequest, article_slug: str | None) -> tuple[str, str | None]:
    """The site's token and the article's (``article_slug``), read at most once per request:
    one round trip for all of a page's fragments. The site's token stays the one first read
    for the whole request: what was read under it (a kept article) must not be kept again
    under a newer one read later in the same request."""
    known = request.__dict__.setdefault("_content_versions", {})
    if article_slug is not None and article_slug not in known:
        site, known[article_slug] = current_versions(article_slug=article_slug)
        known.setdefault(_SITE, site)
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
        return fragment_key(
            request, self.name, self.variant, self.article_slug, with_comments=self.with_comments
        )


def fragment_key(
    request: HttpRequest,
    name: str,
    variant: str,
    article_slug: str | None = None,
    *,
    with_comments: bool = False,
) -> str:
    """Where a fragment (or a kept instance) is kept: its name, the versions it shows and a
    digest of its variant."""
    site, article = _tokens(request, article_slug)
    versions = f"{site}-{article}" if with_comments else site
    digest = hashlib.sha256(f"{article_slug}:{variant}".encode()).hexdigest()
    return FRAGMENT_KEY.format(name=name, versions=versions, variant=digest)


def _kept(keys: list[str], seconds: int) -> dict:
    """What is kept under ``keys``: this process's copy first (the keys name the versions,
    which say whether a copy still holds), then the shared cache in one round trip for the
    rest, copied here for at most as long as the shared cache keeps it."""
    found = {}
    for key in keys:
        if (value := local_copies.get(key)) is not None:
            found[key] = value
    if len(found) < len(keys):
        fetched = shared_cache.get_many([key for key in keys if key not in found])
        for key, value in fetched.items():
            local_copies.keep(key, value, sys.getsizeof(value), seconds)
        found.update(fetched)
    return found


def _keep(values: dict, seconds: int) -> None:
    shared_cache.set_many(values, seconds)
    for key, value in values.items():
        # Memory, not characters: text with Cyrillic or emoji takes 2 or 4 bytes a character.
        local_copies.keep(key, value, sys.getsizeof(value), seconds)


def cached_fragments(request: HttpRequest, fragments: list[Fragment]) -> list[SafeString]:
    """The fragments, from the cache (one round trip for all, none for those this process
    used recently) or rendered and kept."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        # Rendered by templates, escaped there.
        return [mark_safe(fragment.render()) for fragment in fragments]  # noqa: S308
    keys = [fragment.key(request) for fragment in fragments]
    found = _kept(keys, seconds)
    missing = {}
    for key, fragment in zip(keys, fragments, strict=True):
        if key not in found:
            found[key] = missing[key] = str(fragment.render())
    if missing:
        _keep(missing, seconds)
    for key in keys:
        spliceable = functools.partial(_spliceable, key, seconds)
        compression.offer_fragment(request, found[key], spliceable)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - as above


def _spliceable(key: str, seconds: int, text: str) -> tuple[bytes, bytes] | None:
    """The fragment kept under ``key`` (``text``) as UTF-8 and deflated, for splicing into a
    page's gzip (newsroom/compression.py); None the first time this process sends it.

    Made on its second use here: a fragment sent once (a page few readers with cookies
    open, before the next change) is compressed with its page, as cheaply as before. Kept
    beside the fragment with the text it was made from, and used only for that same text:
    under one key a new deploy may render something else. Never where the copy could not
    be kept (local copies off, or too large a share of them): made afresh for every page,
    it would cost more than the whole page at the reader's level."""
    # The copy holds the text, its UTF-8 (at most twice the text's memory) and that deflated.
    if not local_copies.keeps(5 * sys.getsizeof(text)):
        return None
    copy_key = f"deflated:{key}"
    kept = local_copies.get(copy_key)
    if kept is None or kept[0] != text:  # first use of this text
        local_copies.keep(copy_key, (text, None, None), sys.getsizeof(text), seconds)
        return None
    if kept[1] is None:  # second use: made now
        data = text.encode()
        deflated = compression.deflate_piece(data, compression.KEPT_LEVEL)
        size = sys.getsizeof(text) + len(data) + len(deflated)
        kept = (text, data, deflated)
        local_copies.keep(copy_key, kept, size, seconds)
    return kept[1], kept[2]


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


@functools.cache
def _schema() -> str:
    """What a pickled instance depends on besides its rows: Django's version and the fields
    of every model (an article carries its section, source, picture, bylines, authors, tags
    and notes). A deploy that changes any of them reads afresh instead of unpickling."""
    models = sorted(apps.get_models(), key=lambda model: model._meta.label)
    shape = ";".join(
        f"{model._meta.label}:{','.join(f.attname for f in model._meta.concrete_fields)}"
        for model in models
    )
    return hashlib.sha256(f"{django.__version__}|{shape}".encode()).hexdigest()[:16]


def cached_instance[M: Model](
    request: HttpRequest,
    model: type[M],
    variant: str,
    load: Callable[[], M | None],
    *,
    shareable: Callable[[M], bool],
    kept_part: Callable[[M], M] = lambda instance: instance,
) -> M | None:
    """The ``model`` instance ``load`` reads (with what it selects and prefetches), kept
    pickled under the site's version, which every edit of what it holds bumps. Only one
    that ``shareable`` accepts is kept (a published article, not a draft whose edits bump
    nothing), and only its ``kept_part`` (by default all of it): what a page whose
    fragments are kept needs, the rest read when a fragment is rendered. Each request
    unpickles its own copy: no instance is shared between them."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        return load()
    if (kept := kept_instance(request, model, variant)) is not None:
        return kept
    instance = load()
    if instance is not None and shareable(instance):
        key = _instance_key(request, model, variant)
        _keep({key: pickle.dumps(kept_part(instance), pickle.HIGHEST_PROTOCOL)}, seconds)
    return instance


def _instance_key(request: HttpRequest, model: type[Model], variant: str) -> str:
    return fragment_key(request, "instance", f"{_schema()}:{model._meta.label}:{variant}")


def kept_instance[M: Model](request: HttpRequest, model: type[M], variant: str) -> M | None:
    """The ``model`` instance ``cached_instance`` keeps under ``variant``, if it is kept
    under the site's version now; None otherwise (nothing is read from the database)."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        return None
    key = _instance_key(request, model, variant)
    if (kept := _kept([key], seconds).get(key)) is not None:
        try:
            return pickle.loads(kept)  # noqa: S301 - written by this site, as Django's cache is
        except Exception:  # noqa: BLE001 - whatever stops it loading (a class moved): read afresh
            logger.warning("A kept %s could not be loaded; read afresh.", model._meta.label)
    return None
