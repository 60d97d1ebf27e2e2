import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Each test writes uploads to its own folder, and starts with an empty cache (which
    remembers, among other things, which image renditions exist in the media folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    test_database = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_database:  # the SQLite file's own temporary folder (tests/settings.py)
        shutil.rmtree(Path(test_database).parent, ignore_errors=True)
