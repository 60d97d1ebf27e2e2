"""A cache outage (newsroom/cache.py): pages keep working, and the log says so a few times,
not once per cache call."""

import logging

import pytest

from newsroom import cache as shared_cache
from tests.factories import ArticleFactory, ImageFactory, image_file

pytestmark = pytest.mark.django_db

REDIS_DOWN = {
    "default": {
        "BACKEND": "newsroom.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}
LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """A fresh outage record (per process in production) on a clock the test moves."""
    clock = Clock()
    monkeypatch.setattr(shared_cache, "outage", shared_cache.OutageLog(clock=clock))
    return clock


@pytest.fixture
def pages_with_images():
    for number in range(3):
        ArticleFactory(image=ImageFactory(file=image_file(f"s{number}.jpg", size=(1700, 900))))


def cache_messages(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if "cache" in record.getMessage().lower() and record.levelno >= logging.WARNING
    ]


def view_pages(client, times: int) -> None:
    for _ in range(times):
        assert client.get("/").status_code == 200


def test_an_outage_is_logged_once_however_many_pages_are_served(
    client, settings, caplog, clock, pages_with_images
):
    settings.CACHES = REDIS_DOWN
    caplog.set_level(logging.INFO)

    view_pages(client, 30)  # several cache calls each: one per image, read and write

    messages = cache_messages(caplog)
    assert len(messages) == 1
    assert messages[0].startswith("Cache unavailable (ConnectionError")
    assert "every 60 s" in messages[0]


def test_a_long_outage_is_logged_again_once_a_minute(
    client, settings, caplog, clock, pages_with_images
):
    settings.CACHES = REDIS_DOWN
    caplog.set_level(logging.INFO)
    view_pages(client, 5)
    clock.now += 30
    view_pages(client, 5)
    assert len(cache_messages(caplog)) == 1

    clock.now += 31
    view_pages(client, 5)
    clock.now += 10
    view_pages(client, 5)

    messages = cache_messages(caplog)
    assert len(messages) == 2
    assert messages[1].startswith("Cache still unavailable after 61 s")
    assert "failed calls since the last message" in messages[1]


def test_the_end_of_an_outage_is_logged_once(client, settings, caplog, clock, pages_with_images):
    settings.CACHES = REDIS_DOWN
    caplog.set_level(logging.INFO)
    view_pages(client, 3)
    clock.now += 90

    settings.CACHES = LOCAL  # the cache answers again
    view_pages(client, 5)

    messages = cache_messages(caplog)
    assert len(messages) == 2
    assert messages[1].startswith("Cache available again after 90 s of outage")


def test_a_healthy_cache_logs_nothing(client, caplog, clock, pages_with_images):
    caplog.set_level(logging.INFO)

    view_pages(client, 5)

    assert cache_messages(caplog) == []
