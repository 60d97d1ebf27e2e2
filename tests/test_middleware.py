"""Project-wide middleware (newsroom/middleware.py): requests refused before any view runs."""

import pytest
from django.test import Client

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CSRF_COOKIE = "k" * 32
FORM = "application/x-www-form-urlencoded"
URLS = ["/", "/articles/a-story/comments/", "/admin/login/", "/search/"]


@pytest.fixture(autouse=True)
def article():
    return ArticleFactory(slug="a-story")


def post(url: str, body: bytes, content_type: str):
    """A POST as a hostile script sends it: the site's CSRF cookie, the body as given."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = CSRF_COOKIE
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("charset", ["utf-16", "UTF-16LE", "utf-32", "utf-7", "iso-8859-1"])
def test_form_post_in_a_charset_other_than_utf8_answers_400(url, charset):
    body = f"name=Ann&body=Hello&csrfmiddlewaretoken={CSRF_COOKIE}".encode(charset)

    response = post(url, body, f"{FORM}; charset={charset}")

    assert response.status_code == 400
    assert "Send form data as UTF-8" in response.content.decode()


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("charset", ["utf-16", "utf-32"])
def test_multipart_post_in_utf16_answers_400(url, charset):
    body = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'.encode(charset)

    response = post(url, body, f"multipart/form-data; boundary=x; charset={charset}")

    assert response.status_code == 400
    assert "Send form data as UTF-8" in response.content.decode()


@pytest.mark.parametrize("charset", [None, "utf-8", "UTF-8", "no-such-charset"])
def test_utf8_form_posts_reach_the_csrf_check(charset):
    # Without a valid token the answer is the CSRF refusal (403), not the charset's 400.
    content_type = FORM if charset is None else f"{FORM}; charset={charset}"

    response = post("/articles/a-story/comments/", b"name=Ann", content_type)

    assert response.status_code == 403


def test_multipart_post_in_latin1_reaches_the_csrf_check():
    body = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'

    response = post("/admin/login/", body, "multipart/form-data; boundary=x; charset=latin-1")

    assert response.status_code == 403


def test_utf16_content_type_on_a_get_is_ignored():
    response = Client().get("/", content_type=f"{FORM}; charset=utf-16")

    assert response.status_code == 200
