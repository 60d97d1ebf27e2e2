"""Test settings with the page cache on and Redis as the shared cache, for gunicorn
processes started by the tests (tests/test_app_servers.py); REDIS_URL names it."""

import os

from tests.settings import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "newsroom.cache.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "newsroom",
    }
}
NEWSROOM_PAGE_CACHE_SECONDS = 600
NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
