from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed, compressed static files, each file's address worked out once per
    process. The manifest is read once, at start-up, so an address cannot change before the
    next deploy restarts the process; working it out cost about 10 µs, and every page asks
    for three (its stylesheet, icon and script)."""

    # Names come from templates, a bounded set; the bound guards against any other caller.
    MAX_KEPT = 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        if (url := self._urls.get(name)) is None:
            url = super().url(name)
            if len(self._urls) < self.MAX_KEPT:
                self._urls[name] = url
        return url
