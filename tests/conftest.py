import shutil

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Each test writes uploads to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
