"""Media on S3-compatible object storage (AWS S3, MinIO, Garage, Ceph, R2…), chosen in
settings when NEWSROOM_S3_BUCKET is set.

Each object is stored with the Cache-Control the site itself sends for media
(``media_cache_control`` in images/renditions.py): a rendition for a year as immutable, an
original for an hour.
"""

from storages.backends.s3 import S3Storage

from .renditions import media_cache_control


class MediaStorage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        parameters.setdefault("CacheControl", media_cache_control(name))
        return parameters
