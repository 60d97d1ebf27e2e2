import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from newsroom.pagecache import local_copies
from tests.factories import AuthorFactory, SectionFactory, SourceFactory


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Each test writes uploads to its own folder, and starts with an empty cache (which
    remembers, among other things, which image renditions exist in the media folder), this
    process's copies of cached pages included."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    local_copies.clear()


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    test_database = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_database:  # the SQLite file's own temporary folder (tests/settings.py)
        shutil.rmtree(Path(test_database).parent, ignore_errors=True)


@pytest.fixture
def filing():
    """What a full article is filed under: a section, a source and two authors."""
    return {
        "section": SectionFactory(name="Energy"),
        "source": SourceFactory(name="Kyiv Post", homepage="https://www.kyivpost.com/"),
        "first": AuthorFactory(name="Olena Kovalenko"),
        "second": AuthorFactory(name="Mark Smith"),
    }
