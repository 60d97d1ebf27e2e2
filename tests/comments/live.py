"""A reader's browser, reduced to urllib: cookies kept, redirects not followed.

For tests that talk to a real server (pytest-django's live server, or gunicorn) instead of
Django's test client, which neither checks response headers nor answers requests in parallel.
"""

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

from bs4 import BeautifulSoup


class _BehindTlsProxy(DefaultCookiePolicy):
    """Send Secure cookies over plain http, as the TLS proxy in front of gunicorn would."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer itself is what the test looks at


@dataclass
class Answer:
    status: int
    headers: object
    body: str

    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.body, "html.parser")


class Reader:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.cookies = CookieJar(_BehindTlsProxy())
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), _NoRedirect())

    def _open(self, request: Request) -> Answer:
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.headers, response.read().decode())
        except HTTPError as error:
            return Answer(error.code, error.headers, error.read().decode(errors="replace"))

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self._open(Request(self.base_url + path, headers=headers or {}))

    def post(self, path: str, data: dict) -> Answer:
        body = urlencode(data).encode()
        return self._open(Request(self.base_url + path, data=body, method="POST"))

    def comment_form(self, article_path: str) -> tuple[str, dict]:
        """The form's action and its hidden fields, with the CSRF token and signed form token
        the page's script fetches (the page itself carries neither)."""
        page = self.get(article_path)
        assert page.status == 200, page.body[:500]
        form = page.soup().find("form", class_="comment-form")
        hidden = {
            field["name"]: field.get("value", "")
            for field in form.find_all("input", attrs={"type": "hidden"})
        }
        tokens = self.get(form["data-tokens"])
        assert tokens.status == 200, tokens.body[:500]
        hidden.update(json.loads(tokens.body))
        return form["action"], hidden


def post_all_at_once(
    servers: list[str], article, forms: list[dict], *, addresses: list[str] | None = None
) -> Counter:
    """One reader per form, each fetching its form first from the next of ``servers`` in
    turn; then every post sent in the same instant. Counts the status codes. With
    ``addresses``, each reader comes from its own, as a trusted proxy forwards it."""
    prepared = []
    for number, fields in enumerate(forms):
        reader = Reader(servers[number % len(servers)])
        if addresses:
            reader.opener.addheaders = [("X-Forwarded-For", addresses[number])]
        action, hidden = reader.comment_form(article.get_absolute_url())
        prepared.append((reader, action, {**hidden, **fields}))
    start = threading.Barrier(len(prepared))

    def post(item) -> int:
        reader, action, data = item
        start.wait()
        return reader.post(action, data).status

    with ThreadPoolExecutor(max_workers=len(prepared)) as pool:
        return Counter(pool.map(post, prepared))
