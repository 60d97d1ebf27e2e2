"""Project-wide middleware: requests refused before any view (or Django's CSRF check) runs."""

import codecs
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# Bytes a form body is made of; a charset that writes them differently cannot carry a form.
_FORM_BYTES = "abcxyzABCXYZ0189=&;%+-_.!~*'()/:\r\n\""

CHARSET_MESSAGE = (
    "This form was sent in a character set the site does not read. "
    "Send form data as UTF-8 (a browser does so by itself)."
)


def _ascii_compatible(charset: str) -> bool:
    try:
        return _FORM_BYTES.encode(charset) == _FORM_BYTES.encode("ascii")
    except (LookupError, UnicodeError):
        return False


def readable_form_charset(request: HttpRequest) -> bool:
    """Whether Django can read this request's form data in the charset it declares.

    Django refuses URL-encoded forms in any charset but UTF-8 by raising BadRequest from
    request.POST, and a UTF-16 multipart form fails to decode. Either surfaces inside
    CsrfViewMiddleware, and the CSRF failure view reads request.POST again: a 500 on every
    URL. ``request.encoding`` is only set for a charset Python knows; others are ignored
    by Django (read as UTF-8), so they pass here too.
    """
    charset = request.encoding
    if request.method != "POST" or charset is None:
        return True
    if request.content_type == "application/x-www-form-urlencoded":
        return charset.lower() == "utf-8"  # Django's own rule (HttpRequest._load_post_and_files)
    if request.content_type == "multipart/form-data":
        return _ascii_compatible(codecs.lookup(charset).name)
    return True


class FormCharsetMiddleware:
    """Answer 400 to a form sent in a charset Django cannot decode, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not readable_form_charset(request):
            return HttpResponseBadRequest(CHARSET_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
