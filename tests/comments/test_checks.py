"""A proxy in front while NEWSROOM_TRUSTED_PROXY_COUNT is 0: warned about at deploy time
(``check --deploy``, see tests/test_settings.py) and, since only requests show the header,
in the log once per process."""

import logging
import threading

import pytest

from comments import checks
from comments.models import Comment
from tests.comments.helpers import comment_data, form_timestamp, post_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    """Each test starts as a freshly started process that has warned about nothing."""
    monkeypatch.setattr(checks, "_proxy_warning_given", threading.Event())


def post(client, article, number: int, **meta):
    data = comment_data(email=f"reader{number}@example.com", name=f"Reader {number}")
    data["timestamp"] = form_timestamp(client, article)
    return client.post(post_url(article), data, **meta)


def proxy_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]


def test_forwarded_requests_without_a_trusted_proxy_are_warned_about_once(client, article, caplog):
    caplog.set_level(logging.WARNING)

    for number in range(5):
        response = post(client, article, number, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
        assert response.status_code == 302

    warnings = proxy_warnings(caplog)
    assert len(warnings) == 1
    assert "NEWSROOM_TRUSTED_PROXY_COUNT is 0" in warnings[0]
    assert "1 for one nginx or Caddy" in warnings[0]
    # What the warning is about: every comment records the proxy's (socket) address.
    assert set(Comment.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_no_warning_without_the_header(client, article, caplog):
    caplog.set_level(logging.WARNING)

    post(client, article, 1)

    assert proxy_warnings(caplog) == []


def test_no_warning_when_the_proxy_is_trusted(client, article, settings, caplog):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    caplog.set_level(logging.WARNING)

    post(client, article, 1, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert proxy_warnings(caplog) == []
    assert Comment.objects.get().ip_address == "203.0.113.9"


def test_deploy_check_warns_only_for_a_proxy_without_a_count(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 0
    assert [w.id for w in checks.check_trusted_proxy_count(None)] == ["comments.W001"]

    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    assert checks.check_trusted_proxy_count(None) == []

    settings.SECURE_PROXY_SSL_HEADER = None
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 0
    assert checks.check_trusted_proxy_count(None) == []


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("http://127.0.0.1:8000", True),
        ("https://localhost", True),
        ("http://news.example.com", True),
        ("not a url", True),
        ("https://news.example.com", False),
    ],
)
def test_deploy_check_of_the_site_url(settings, url, warns):
    settings.NEWSROOM_SITE_URL = url

    assert bool(checks.check_site_url(None)) is warns
