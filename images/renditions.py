"""Resized copies ("renditions") of uploaded images, in WebP and the original format.

Renditions are made by a background task queued on upload (images/tasks.py), never on a
reader's request, and stored beside the media under renditions/. Pages offer those that exist
through srcset so a phone downloads a small file and a desktop a sharp one; an image whose
renditions are not made yet is shown as uploaded.

Which renditions exist is remembered in the cache (Redis in production), so a page asks the
cache once per image instead of asking the storage about every width and format: a stat call
each on a local disk, an HTTP request each on object storage. The worker marks what it made.
"""

import functools
import hashlib
import io
import logging
import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from newsroom import cache

logger = logging.getLogger(__name__)

# How long "this rendition exists" is believed without asking the storage again. Bounded, so
# renditions deleted from the media (a wipe, a restore) are made again within a day.
KNOWN_FOR_SECONDS = 24 * 60 * 60

# Where renditions are stored in the media; their names never change meaning, so they are
# served as immutable (media_cache_control() and the README's nginx block).
RENDITIONS_DIR = "renditions/"

# How long browsers and CDNs keep media, as the site serves it (newsroom/urls.py) and as it
# is stored on object storage (images/storage.py). Uploads are never overwritten (the
# storage picks a new name) and a rendition is named after its original and width, so its
# address always means the same bytes: kept for good. An original gets an hour, so one
# taken down from the media leaves caches soon after.
RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"
ORIGINAL_CACHE_CONTROL = "public, max-age=3600"

# How long "this rendition is not made yet" is believed: pages then show the original without
# asking the storage on every view; the worker's "made" replaces it at once on a shared cache.
NOT_READY_FOR_SECONDS = 60

# Every width a page may ask for, by kind of image; each page's own list (templates, the
# admin's preview) is a subset, and usable_widths() of a subset is a subset of these.
WIDTHS = {
    "image": (480, 800, 1200, 1600),  # library images: articles, teasers, figures, admin
    "portrait": (96, 160, 192, 320),  # author photos: author page, bio boxes
}

FORMATS = {
    "webp": ("WEBP", "image/webp"),
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
}


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


def rendition_name(original: str, width: int, extension: str) -> str:
    digest = hashlib.sha1(original.encode()).hexdigest()[:12]  # noqa: S324 - a name, not security
    stem = PurePosixPath(original).stem[:60]
    return f"{RENDITIONS_DIR}{digest}/{stem}-{width}w.{extension}"


def fallback_extension(original: str) -> str | None:
    suffix = PurePosixPath(original).suffix.lower()
    if suffix in {".jpg", ".jpeg"}:
        return "jpg"
    if suffix in {".png", ".webp"}:
        return suffix[1:]
    return None  # GIF and anything else: served as uploaded


def media_cache_control(name: str) -> str:
    """The Cache-Control of the media file ``name``, normalised as the storage and Django's
    static serve() do ("renditions/../x" is not a rendition)."""
    in_renditions = posixpath.normpath(name).lstrip("/").startswith(RENDITIONS_DIR)
    return RENDITION_CACHE_CONTROL if in_renditions else ORIGINAL_CACHE_CONTROL


def usable_widths(widths: tuple[int, ...], original_width: int) -> list[int]:
    """The widths not larger than the original, and the original's own if it is smaller."""
    return sorted({w for w in widths if w < original_width} | {min(max(widths), original_width)})


def extensions(original: str) -> tuple[str, ...]:
    fallback = fallback_extension(original)
    return ("webp", fallback) if fallback else ()


def renditions(
    field_file, widths: tuple[int, ...], extension: str, *, original_size: tuple[int, int]
) -> list[Rendition]:
    """The renditions of ``field_file`` made so far, at each width not larger than the
    original. Nothing is made here: pages call this while a reader waits."""
    return renditions_by_format(field_file, widths, (extension,), original_size=original_size)[
        extension
    ]


def renditions_by_format(
    field_file,
    widths: tuple[int, ...],
    extensions: tuple[str, ...],
    *,
    original_size: tuple[int, int],
) -> dict[str, list[Rendition]]:
    """``renditions()`` in each of ``extensions`` (a <picture>'s WebP and fallback), asking
    the cache once for all of them."""
    original_width, original_height = original_size
    names = {
        (extension, width): rendition_name(field_file.name, width, extension)
        for extension in extensions
        for width in usable_widths(widths, original_width)
    }
    prefix = _cache_prefix()
    keys = {name: f"{prefix}{name}" for name in names.values()}
    known = _known(list(keys.values()))
    found, missing = {}, {}
    result: dict[str, list[Rendition]] = {extension: [] for extension in extensions}
    for (extension, width), name in names.items():
        state = known.get(keys[name])
        if state is None:  # not known either way: the storage answers, once per period
            state = default_storage.exists(name)
            (found if state else missing)[keys[name]] = state
        if state:
            height = round(original_height * width / original_width)
            result[extension].append(Rendition(default_storage.url(name), width, height))
    if found:
        _remember(found, KNOWN_FOR_SECONDS)
    if missing:
        _remember(missing, NOT_READY_FOR_SECONDS)
    return result


def make_all(original: str, widths: tuple[int, ...]) -> int:
    """Make every rendition of the stored file ``original`` at ``widths`` in WebP and its own
    format that is not there yet, and mark them all known; return how many were made."""
    extension = fallback_extension(original)
    if not extension or not default_storage.exists(original):
        return 0
    try:
        with default_storage.open(original, "rb") as handle, Image.open(handle) as image:
            image = ImageOps.exif_transpose(image)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("Could not open %s for renditions: %s", original, error)
        return 0
    prefix = _cache_prefix()
    made, known = 0, {}
    for width in usable_widths(widths, image.width):
        for each in extensions(original):
            name = rendition_name(original, width, each)
            if not default_storage.exists(name):
                if not _make(image, name, width, each):
                    continue
                made += 1
            known[f"{prefix}{name}"] = True
    if known:
        _remember(known, KNOWN_FOR_SECONDS)
    return made


def _cache_prefix() -> str:
    """Names the media storage: two sites (staging and production) sharing one Redis must
    not take each other's files for their own."""
    return _prefix_for(
        tuple(
            getattr(default_storage, attribute, "")
            for attribute in ("endpoint_url", "bucket_name", "location")
        )
    )


@functools.lru_cache(maxsize=16)  # keyed by the storage's place, so it follows a change
def _prefix_for(where: tuple) -> str:
    return f"rendition:{hashlib.sha1(repr(list(where)).encode()).hexdigest()[:8]}:"  # noqa: S324


# The cache only saves work: with Redis down, pages ask the storage as they did before, and
# newsroom.cache logs the outage (once a minute, not once per call).
def _known(keys: list[str]) -> dict:
    return cache.get_many(keys)


def _remember(entries: dict, seconds: int) -> None:
    cache.set_many(entries, seconds)


def _make(image: Image.Image, name: str, width: int, extension: str) -> bool:
    pillow_format, _ = FORMATS[extension]
    try:
        if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        options = {"quality": 82} if pillow_format in ("JPEG", "WEBP") else {"optimize": True}
        resized.save(output, pillow_format, **options)
    except (OSError, ValueError) as error:
        logger.warning("Could not make rendition %s: %s", name, error)
        return False
    saved = default_storage.save(name, ContentFile(output.getvalue()))
    if saved != name:  # another worker made it meanwhile: keep theirs, drop the copy
        default_storage.delete(saved)
    return True
