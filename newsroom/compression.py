"""Gzip for what the site renders: pages, feeds, sitemaps, JSON. Static files are compressed
ahead of time by WhiteNoise, which answers them before this middleware is reached.

Why this is safe against BREACH (a length oracle on secrets compressed next to reflected
input), in Django 6.1:

- The CSRF token in a form is masked afresh for every response (``get_token`` adds a new
  random mask to the secret), so the secret's bytes never repeat in the compressed body and
  a guess reflected into the page cannot be matched against them.
- ``GZipMiddleware`` pads each response by 0 to 99 random bytes (``compress_string``'s
  random gzip file name, "Heal the BREACH"), so one measurement tells an attacker little.
- Public pages hold nothing private: no reader's data is written into them.
- Admin pages are not compressed at all: they show private data (commenters' emails and
  addresses) beside input a request can put there (the changelist search, form errors),
  which is what BREACH needs, and their few staff readers gain little from compression.

How hard: a page the page cache keeps (or a front cache asks for, with its fetch header) is
compressed once for every reader it is sent to, at Django's level 6. A page rendered for one
reader (a session or other cookie, a preview, the page cache off) is compressed as it is
sent, at level 1, nginx's default: four times faster on an article page with its comments,
about 12% larger. Large fragments (newsroom/fragments.py: an article's comments, a listing's
teasers) are kept deflated too, once per process at level 6, and spliced into such a page's
gzip stream as they are: only the rest of the page is compressed for the reader. Deflate
allows it: each piece is its own run of blocks, ended on a byte boundary (a sync flush), and
refers to nothing before it (the pigz technique).

Only gzip: it is the one coding with the padding above (brotli middlewares add none), and on
our HTML brotli would save a few hundred bytes more than gzip at the cost of a C extension.
"""

import gzip
import re
import secrets
import struct
import zlib
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers

# Text formats; images and other uploads are compressed already (and streamed).
COMPRESSIBLE_TYPES = re.compile(
    r"text/.+|application/(?:json|xml|javascript|[\w.-]+\+(?:json|xml))"
)


def compressible(request: HttpRequest, response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "").partition(";")[0].strip().lower()
    if not COMPRESSIBLE_TYPES.fullmatch(content_type):
        return False
    match = getattr(request, "resolver_match", None)
    return not (match and "admin" in match.namespaces)


# Set on the request by the page cache when the response is to be kept for every reader.
KEPT_FOR_EVERYONE = "newsroom_kept_for_everyone"
FAST_LEVEL = 1


# Where a request keeps the fragments it showed that may be spliced in: (their text, a
# callable giving the text as UTF-8 and deflated, or None while that is not kept yet).
SPLICEABLE = "newsroom_spliceable_fragments"
# Shorter fragments cost less to compress again than to find in the page.
SPLICE_MIN_CHARACTERS = 4096
# Django's level, for what is compressed once and sent to many readers.
KEPT_LEVEL = 6
# How far into a fragment its first occurrence is looked for, before comparing the rest.
_PROBE_BYTES = 64

type Spliceable = Callable[[str], tuple[bytes, bytes] | None]


def deflate_piece(data: bytes, level: int, *, last: bool = False) -> bytes:
    """``data`` as raw deflate blocks that can be followed by other such pieces: ended on a
    byte boundary (a sync flush), or as the stream's end (``last``)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data)
    return body + (compressor.flush() if last else compressor.flush(zlib.Z_SYNC_FLUSH))


def offer_fragment(request: HttpRequest, text: str, spliceable: Spliceable) -> None:
    """Tell the compression below that the page contains ``text``, if it is long enough to
    be worth splicing in: ``spliceable(text)`` gives it as UTF-8 and deflated (kept by the
    caller), or None. Asked only when the page is compressed for its reader."""
    if len(text) >= SPLICE_MIN_CHARACTERS:
        request.__dict__.setdefault(SPLICEABLE, []).append((text, spliceable))


def _find(content: bytes, data: bytes) -> int:
    probe = data[:_PROBE_BYTES]
    at = content.find(probe)
    while at != -1 and not content.startswith(data, at):
        at = content.find(probe, at + 1)
    return at


def _gzip_header(max_random_bytes: int) -> bytes:
    """A gzip member's header: no time, XFL "fastest", padded with a random-length file name
    as Django's ``compress_string`` pads ("Heal the BREACH")."""
    flags, filename = 0, b""
    if max_random_bytes:
        flags, filename = gzip.FNAME, b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    return struct.pack("<BBBBLBB", 0x1F, 0x8B, zlib.DEFLATED, flags, 0, 4, 255) + filename


def compress_fast(
    content: bytes, max_random_bytes: int, spliced: Iterable[tuple[bytes, bytes]] = ()
) -> bytes:
    """``content`` gzipped at FAST_LEVEL and padded, but for the pieces of ``spliced`` (the
    bytes of each, and them deflated) found in it: those are sent as they were deflated."""
    found = sorted(
        ((at, data, deflated) for data, deflated in spliced if (at := _find(content, data)) != -1),
        key=lambda found: found[0],
    )
    pieces = [_gzip_header(max_random_bytes)]
    done = 0
    for at, data, deflated in found:
        if at < done:  # inside one already spliced
            continue
        if at > done:
            pieces.append(deflate_piece(content[done:at], FAST_LEVEL))
        pieces.append(deflated)
        done = at + len(data)
    pieces.append(deflate_piece(content[done:], FAST_LEVEL, last=True))
    pieces.append(struct.pack("<II", zlib.crc32(content), len(content) & 0xFFFFFFFF))
    return b"".join(pieces)


class CompressionMiddleware(GZipMiddleware):
    """Django's ``GZipMiddleware`` for text responses outside the admin, faster for a page
    that is one reader's alone (see the module's docstring)."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        if not compressible(request, response):
            return response
        if response.streaming or getattr(request, KEPT_FOR_EVERYONE, False):
            return super().process_response(request, response)
        # Django's steps, with the faster level.
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        spliced = [
            pieces
            for text, spliceable in getattr(request, SPLICEABLE, ())
            if (pieces := spliceable(text)) is not None
        ]
        compressed = compress_fast(response.content, self.max_random_bytes, spliced)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
