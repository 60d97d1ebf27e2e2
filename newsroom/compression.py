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
about 12% larger.

Only gzip: it is the one coding with the padding above (brotli middlewares add none), and on
our HTML brotli would save a few hundred bytes more than gzip at the cost of a C extension.
"""

import gzip
import re
import secrets

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


def compress_fast(content: bytes, max_random_bytes: int) -> bytes:
    """``content`` gzipped at FAST_LEVEL, padded as Django's ``compress_string`` pads it: a
    random-length file name in the header ("Heal the BREACH")."""
    compressed = memoryview(gzip.compress(content, compresslevel=FAST_LEVEL, mtime=0))
    if not max_random_bytes:
        return bytes(compressed)
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    filename = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    return bytes(header) + filename + compressed[10:]


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
        compressed = compress_fast(response.content, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
