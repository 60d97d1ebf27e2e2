"""Resized copies ("renditions") of uploaded images, in WebP and the original format.

A rendition is made with Pillow the first time a page needs it and stored beside the media,
under renditions/; after that it is reused. Pages offer them through srcset so a phone
downloads a small file and a desktop a sharp one.

Which renditions exist is remembered in the cache (Redis in production), so a page asks the
cache once per image instead of asking the storage about every width and format: a stat call
each on a local disk, an HTTP request each on object storage.
"""

import hashlib
import io
import logging
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
# served as immutable (newsroom/urls.py and the README's nginx block).
RENDITIONS_DIR = "renditions/"

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


def renditions(
    field_file, widths: tuple[int, ...], extension: str, *, original_size: tuple[int, int]
) -> list[Rendition]:
    """Renditions of ``field_file`` at each width not larger than the original."""
    original_width, original_height = original_size
    usable = sorted({w for w in widths if w < original_width} | {min(max(widths), original_width)})
    names = {width: rendition_name(field_file.name, width, extension) for width in usable}
    prefix = _cache_prefix()
    keys = {name: f"{prefix}{name}" for name in names.values()}
    known = _known(list(keys.values()))
    newly_known = {}
    result = []
    for width, name in names.items():
        height = round(original_height * width / original_width)
        if keys[name] not in known:
            if not default_storage.exists(name) and not _make(field_file, name, width, extension):
                continue
            newly_known[keys[name]] = True
        result.append(Rendition(default_storage.url(name), width, height))
    if newly_known:
        _remember(newly_known)
    return result


def _cache_prefix() -> str:
    """Names the media storage: two sites (staging and production) sharing one Redis must
    not take each other's files for their own."""
    where = [getattr(default_storage, attribute, "") for attribute in ("bucket_name", "location")]
    return f"rendition:{hashlib.sha1(repr(where).encode()).hexdigest()[:8]}:"  # noqa: S324


# The cache only saves work: with Redis down, pages ask the storage as they did before, and
# newsroom.cache logs the outage (once a minute, not once per call).
def _known(keys: list[str]) -> dict:
    return cache.get_many(keys)


def _remember(entries: dict) -> None:
    cache.set_many(entries, KNOWN_FOR_SECONDS)


def _make(field_file, name: str, width: int, extension: str) -> bool:
    pillow_format, _ = FORMATS[extension]
    try:
        with field_file.storage.open(field_file.name, "rb") as handle, Image.open(handle) as image:
            image = ImageOps.exif_transpose(image)
            if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            height = round(image.height * width / image.width)
            resized = image.resize((width, height), Image.Resampling.LANCZOS)
            output = io.BytesIO()
            options = {"quality": 82} if pillow_format in ("JPEG", "WEBP") else {"optimize": True}
            resized.save(output, pillow_format, **options)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        logger.warning("Could not make rendition %s: %s", name, error)
        return False
    saved = default_storage.save(name, ContentFile(output.getvalue()))
    if saved != name:  # another request made it meanwhile: keep theirs, drop the copy
        default_storage.delete(saved)
    return True
