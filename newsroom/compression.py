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

Only gzip: it is the one coding with the padding above (brotli middlewares add none), and on
our HTML brotli would save a few hundred bytes more than gzip at the cost of a C extension.
"""

import re

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

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


class CompressionMiddleware(GZipMiddleware):
    """Django's ``GZipMiddleware`` for text responses outside the admin."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        if not compressible(request, response):
            return response
        return super().process_response(request, response)
