"""Renditions made off the reader's request, as a task on Django's task framework.

An upload (the media library, an author's photo, the demo loader) queues ``make_renditions``
for its file; a worker (``manage.py db_worker``) makes every width and format the pages may
ask for, stores them, and marks them known in the cache. Pages never run Pillow: until the
renditions are there, they show the original (images/renditions.py).
"""

from django.db.models.fields.files import FieldFile
from django.tasks import task

from . import renditions, usage


@task
def make_renditions(name: str, kind: str) -> int:
    """Make the renditions of the stored file ``name`` for ``kind`` (a key of
    ``renditions.WIDTHS``); return how many were made now (those already there are kept).

    Cached pages that show the image still name the original (or the file it replaced):
    new renditions refresh them, and only if a public page shows the file (images.usage).
    """
    made = renditions.make_all(name, renditions.WIDTHS[kind])
    if made:
        usage.refresh_pages_showing(name)
    return made


def queue_renditions(field_file: FieldFile, *, kind: str) -> bool:
    """Queue the renditions of a freshly stored upload; False if it gets none (a GIF).

    Queued at once, not on commit: django-tasks-db stores the task in the same transaction as
    the upload's row, so a worker sees both or neither, and tests (immediate backend) see the
    renditions without capturing on-commit callbacks."""
    if not field_file or not renditions.fallback_extension(field_file.name):
        return False  # GIFs and the like are served as uploaded
    if kind not in renditions.WIDTHS:
        raise ValueError(f"Unknown rendition kind {kind!r}")
    make_renditions.enqueue(field_file.name, kind)
    return True
