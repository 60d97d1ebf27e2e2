"""The shared cache (Redis in production) as a help that may fail: while it is down, reads
miss and writes are skipped, and pages are served without it.

An outage is logged when it starts, then at most once a minute per process while it lasts
(with the number of failed calls), and once when the cache answers again. Logging every
failed call flooded the log: a Redis outage under load wrote ~236 warnings a second.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)

REPORT_EVERY_SECONDS = 60


class OutageLog:
    """Turns a stream of failed cache calls into a few log lines: start, reminders, end."""

    def __init__(
        self, *, every: float = REPORT_EVERY_SECONDS, clock: Callable[[], float] = time.monotonic
    ):
        self.every = every
        self.clock = clock
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self._reported_at = 0.0
        self._failures = 0  # since the outage began
        self._unreported = 0  # since the last log line

    def failed(self, error: Exception) -> None:
        now = self.clock()
        with self._lock:
            self._failures += 1
            if self.down_since is None:
                self.down_since = self._reported_at = now
                self._failures, self._unreported = 1, 0
                first = True
            elif now - self._reported_at >= self.every:
                first = False
                self._reported_at = now
                unreported, self._unreported = self._unreported + 1, 0
                down_for = now - self.down_since
            else:
                self._unreported += 1
                return
        if first:
            logger.warning(
                "Cache unavailable (%s: %s); pages are served without it. Logged again every "
                "%d s while it lasts.",
                type(error).__name__,
                error,
                self.every,
            )
        else:
            logger.warning(
                "Cache still unavailable after %d s (%s: %s); %d failed calls since the last "
                "message.",
                down_for,
                type(error).__name__,
                error,
                unreported,
            )

    def succeeded(self) -> None:
        if self.down_since is None:  # the usual case: no lock taken
            return
        with self._lock:
            if self.down_since is None:
                return
            down_for, failures = self.clock() - self.down_since, self._failures
            self.down_since = None
        logger.warning(
            "Cache available again after %d s of outage (%d failed calls).", down_for, failures
        )


outage = OutageLog()


def get_many(keys: Iterable[str]) -> dict[str, Any]:
    """``cache.get_many``, or nothing found while the cache is down."""
    try:
        found = cache.get_many(keys)
    except Exception as error:  # noqa: BLE001 - any cache backend's failure
        outage.failed(error)
        return {}
    outage.succeeded()
    return found


def set_many(entries: dict[str, Any], timeout: float | None) -> None:
    """``cache.set_many``, skipped while the cache is down."""
    try:
        cache.set_many(entries, timeout)
    except Exception as error:  # noqa: BLE001 - any cache backend's failure
        outage.failed(error)
        return
    outage.succeeded()


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool: Django builds a
    new one for every cache call, and building it (its table of reply parsers) cost about
    as much as the round trip itself, several times on each page."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """The cache backend of ``REDIS_URL`` (newsroom/settings.py), with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
