""" "Save my name…" for readers whose name, email or website is not Latin-1, through gunicorn.

Django's test client accepts any header; gunicorn refuses a Set-Cookie value outside Latin-1
and answers 500 after the comment is saved. So this module runs the real WSGI server, DEBUG
off, against the test database (one gunicorn for the whole module).
"""

import os
from contextlib import ExitStack
from http.cookies import SimpleCookie

import pytest

from comments.models import Comment
from tests.factories import ArticleFactory
from tests.servers import database_url, start_gunicorn

from .live import Reader

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def gunicorn_url(django_db_setup, tmp_path_factory):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # DEBUG off, test secret key
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # the test run drops the database at the end
        "NEWSROOM_COMMENT_MIN_SECONDS": "0",
        "NEWSROOM_COMMENT_FLOOD_SECONDS": "0",
        "NEWSROOM_COMMENT_MODERATION": "none",
    }
    with ExitStack() as stack:
        yield start_gunicorn(stack, env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")


@pytest.mark.parametrize(
    ("name", "email", "website"),
    [
        ("Олена Коваленко", "olena@приклад.укр", "https://приклад.укр/"),
        ("אורי כהן", "uri@example.com", ""),  # Hebrew, right to left
        ("王小明 🦊", "wang@例子.中国", "https://例子.中国/"),
        ("Ελένη", "eleni@example.gr", ""),
    ],
)
def test_non_latin_commenter_is_remembered(gunicorn_url, name, email, website):
    article = ArticleFactory()
    reader = Reader(gunicorn_url)
    action, hidden = reader.comment_form(article.get_absolute_url())

    response = reader.post(
        action,
        {
            **hidden,
            "name": name,
            "email": email,
            "website": website,
            "body": "Дякую! 🙏",
            "remember": "on",
        },
    )

    assert response.status == 302, response.body[:2000]
    assert response.headers["Location"].startswith(article.get_absolute_url())
    assert Comment.objects.get().name == name
    set_cookies = response.headers.get_all("Set-Cookie")
    remember = [value for value in set_cookies if value.startswith("newsroom_commenter=")]
    assert len(remember) == 1
    remember[0].encode("ascii")  # a header any server and browser takes
    assert SimpleCookie(remember[0])["newsroom_commenter"].value

    form = reader.get(article.get_absolute_url()).soup().find("form", class_="comment-form")
    assert form.find("input", attrs={"name": "name"})["value"] == name
    assert form.find("input", attrs={"name": "email"})["value"] == Comment.objects.get().email
    assert form.find("input", attrs={"name": "website"}).get("value", "") == website
    assert form.find("input", attrs={"name": "remember"}).has_attr("checked")


def test_tampered_remember_cookie_is_ignored(gunicorn_url):
    article = ArticleFactory()
    for value in ["garbage", "eyJuYW1lIjoiRXZpbCJ9:bad:sig", '"Evil\\012evil@example.com"']:
        answer = Reader(gunicorn_url).get(
            article.get_absolute_url(), headers={"Cookie": f"newsroom_commenter={value}"}
        )
        assert answer.status == 200
        form = answer.soup().find("form", class_="comment-form")
        assert not form.find("input", attrs={"name": "name"}).get("value")
