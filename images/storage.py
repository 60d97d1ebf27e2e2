"""Media on S3-compatible object storage (AWS S3, MinIO, Garage, Ceph, R2…), chosen in
settings when NEWSROOM_S3_BUCKET is set.

Each object is stored with the Cache-Control the site itself sends for media
(newsroom/urls.py): a rendition's name always means the same bytes, so a browser or CDN keeps
it for a year; an original gets an hour, so one taken down leaves caches soon after.
"""

from storages.backends.s3 import S3Storage

from .renditions import RENDITIONS_DIR

RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"
ORIGINAL_CACHE_CONTROL = "public, max-age=3600"


class MediaStorage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        in_renditions = name.lstrip("/").startswith(RENDITIONS_DIR)
        parameters.setdefault(
            "CacheControl", RENDITION_CACHE_CONTROL if in_renditions else ORIGINAL_CACHE_CONTROL
        )
        return parameters
