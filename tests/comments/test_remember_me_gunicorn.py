""" "Save my name…" for readers whose name, email or website is not Latin-1, through gunicorn.

Django's test client accepts any header; gunicorn refuses a Set-Cookie value outside Latin-1
and answers 500 after the comment is saved. So this module runs the real WSGI server, DEBUG
off, against the test database (one gunicorn for the whole module).
"""

import os
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from comments.models import Comment
from tests.factories import ArticleFactory

from .live import Reader

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The test database (not the project's), as DATABASE_URL spells it."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def gunicorn_url(django_db_setup, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # DEBUG off, test secret key
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # the test run drops the database at the end
        "NEWSROOM_COMMENT_MIN_SECONDS": "0",
        "NEWSROOM_COMMENT_FLOOD_SECONDS": "0",
        "NEWSROOM_COMMENT_MODERATION": "none",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [GUNICORN, "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


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
