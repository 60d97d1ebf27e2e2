"""The production static files storage (newsroom/staticfiles.py): WhiteNoise's hashed names,
each address worked out once per process."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from newsroom.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps(
            {
                "version": "1.1",
                "paths": {"css/site.css": "css/site.0a1b2c.css", "js/тема.js": "js/тема.9f8e.js"},
            }
        )
    )
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_each_file_keeps_its_own_hashed_address(storage, tmp_path):
    whitenoise = CompressedManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    for _ in range(2):  # worked out, then remembered
        assert storage.url("css/site.css") == "/static/css/site.0a1b2c.css"
        assert storage.url("js/тема.js") == whitenoise.url("js/тема.js")
        assert "9f8e" in storage.url("js/тема.js")


def test_a_file_missing_from_the_manifest_is_still_an_error_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/gone.css")
