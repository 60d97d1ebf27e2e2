"""Settings for the test suite: the real settings, made fast and self-contained.

DATABASE_URL still decides the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")

from newsroom.settings import *  # noqa: E402, F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="newsroom-test-media-")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's default in-memory test database. The browser tests' live server
    # answers each request in its own thread; with an in-memory database all those threads
    # would share the test's one SQLite connection, and two requests at once (a page and
    # its fetch() calls) make SQLite fail with "bad parameter or other API misuse". With a
    # file every thread opens its own connection, as in production.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.mkdtemp(prefix="newsroom-test-db-"), "test.sqlite3")
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No collectstatic in tests: plain storage, files found through the finders.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
NEWSROOM_SERVE_MEDIA = True
# Tasks run as soon as they are enqueued, so tests can read the outbox right away.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"]},
}
# Tests build their rows with factories, straight into the database, not through the
# workflow functions that refresh cached pages: the shared page cache and the fragment cache
# are off here, and on in the tests of the caches themselves (tests/test_pagecache.py,
# tests/test_fragments.py).
NEWSROOM_PAGE_CACHE_SECONDS = 0
NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
