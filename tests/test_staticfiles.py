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


def count_worked_out(monkeypatch) -> list[str]:
    """The names WhiteNoise's storage is asked to work an address out for."""
    asked = []
    work_out = CompressedManifestStaticFilesStorage.url

    def counted(self, name, force=False):
        asked.append(name)
        return work_out(self, name, force)

    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", counted)
    return asked


def test_an_address_is_worked_out_once_and_then_remembered(storage, monkeypatch):
    """What the storage is for: the manifest is asked once per name, not on every page."""
    asked = count_worked_out(monkeypatch)
    for _ in range(3):
        assert storage.url("js/тема.js") == "/static/js/тема.9f8e.js"
    assert asked == ["js/тема.js"]


def test_with_debug_on_every_address_is_worked_out_afresh(storage, settings, monkeypatch):
    """In development a changed file gets its new name at once."""
    settings.DEBUG = True
    asked = count_worked_out(monkeypatch)
    storage.url("css/site.css")
    storage.url("css/site.css")
    assert asked == ["css/site.css", "css/site.css"]
