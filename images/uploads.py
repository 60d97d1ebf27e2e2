"""Validation and clean-up of uploaded images (the media library, author photos).

Every upload is opened with Pillow, checked against the allowed formats and the size limits
*before* its pixels are decoded (so a decompression bomb costs nothing), then re-encoded: the
EXIF orientation is applied to the pixels and all EXIF data, GPS location included, is dropped.
"""

import io
import warnings
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name → (file extension, content type).
ALLOWED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
ALLOWED_NAMES = "JPEG, PNG, WebP or GIF"


def _open_header(upload) -> Image.Image:
    """Open an image reading only its header; refuse bombs and non-images."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "This image has far too many pixels to be processed safely. "
            "Upload a smaller image (at most %(limit)s pixels in all).",
            code="too_many_pixels",
            params={"limit": f"{settings.NEWSROOM_MAX_IMAGE_PIXELS:,}"},
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "This file is not an image, or it is damaged. Upload a %(allowed)s image.",
            code="invalid_image",
            params={"allowed": ALLOWED_NAMES},
        ) from exc


def clean_image_upload(upload) -> SimpleUploadedFile:
    """Return a safe, re-encoded copy of ``upload`` or raise ValidationError."""
    if upload.size > settings.NEWSROOM_MAX_IMAGE_BYTES:
        raise ValidationError(
            "This file is %(size)s; the largest image accepted is %(limit)s.",
            code="file_too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.NEWSROOM_MAX_IMAGE_BYTES),
            },
        )
    image = _open_header(upload)
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(
            "This is a %(format)s image; upload a %(allowed)s image instead.",
            code="invalid_format",
            params={"format": image.format, "allowed": ALLOWED_NAMES},
        )
    width, height = image.size
    # Every frame of an animation is decoded on re-encoding, so all of them count; they are
    # counted no further than the limit, so a million-frame file costs no more than a short one.
    frame_limit = settings.NEWSROOM_MAX_IMAGE_FRAMES
    frames = _count_frames(image, up_to=frame_limit + 1)
    if frames > frame_limit:
        raise ValidationError(
            "This animation has more than %(limit)s frames; the most accepted is %(limit)s. "
            "Shorten it, or upload a still image.",
            code="too_many_frames",
            params={"limit": f"{frame_limit:,}"},
        )
    if width * height * frames > settings.NEWSROOM_MAX_IMAGE_PIXELS:
        raise ValidationError(
            "This image is %(width)s × %(height)s pixels%(frames)s; the largest accepted is "
            "%(limit)s pixels in all (width × height × frames). Scale it down%(shorten)s and "
            "upload it again.",
            code="too_many_pixels",
            params={
                "width": f"{width:,}",
                "height": f"{height:,}",
                "frames": f" × {frames:,} frames" if frames > 1 else "",
                "shorten": " or shorten the animation" if frames > 1 else "",
                "limit": f"{settings.NEWSROOM_MAX_IMAGE_PIXELS:,}",
            },
        )
    fmt = image.format
    extension, content_type = ALLOWED_FORMATS[fmt]
    try:
        data = _reencode(image, fmt)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "This image is damaged or truncated. Upload a %(allowed)s image.",
            code="invalid_image",
            params={"allowed": ALLOWED_NAMES},
        ) from exc
    stem = Path(upload.name or "image").stem[:80] or "image"
    return SimpleUploadedFile(f"{stem}.{extension}", data, content_type=content_type)


def _count_frames(image: Image.Image, *, up_to: int) -> int:
    """How many frames ``image`` has, counting no further than ``up_to``."""
    if not getattr(image, "is_animated", False):
        return 1
    count = 1
    try:
        while count < up_to:
            image.seek(count)
            count += 1
    except EOFError:
        pass
    image.seek(0)
    return count


def _reencode(image: Image.Image, fmt: str) -> bytes:
    """Apply EXIF orientation, drop all metadata, keep the colour profile."""
    output = io.BytesIO()
    icc_profile = image.info.get("icc_profile")
    if fmt == "GIF":
        # Keep animations; GIF carries no EXIF to strip.
        image.save(output, "GIF", save_all=getattr(image, "n_frames", 1) > 1)
        return output.getvalue()
    image.load()
    image = ImageOps.exif_transpose(image)
    image.info.pop("comment", None)  # JPEG comments can carry anything
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=88, optimize=True, **options)
    elif fmt == "WEBP":
        image.save(output, "WEBP", quality=85, **options)
    else:
        image.save(output, "PNG", optimize=True, **options)
    return output.getvalue()


class UploadedImageFormField(forms.ImageField):
    """An image field whose cleaned value is the validated, re-encoded upload."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return clean_image_upload(upload)


class NewsImageField(models.ImageField):
    """ImageField whose forms (admin included) validate and re-encode uploads.

    ``renditions`` names the widths made for it (a key of images.renditions.WIDTHS), so
    ``manage.py make_renditions --all`` finds every image field of every app without
    importing the apps above this one. It changes no column, so migrations leave it out."""

    def __init__(self, *args, renditions: str = "image", **kwargs):
        self.renditions = renditions
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": UploadedImageFormField, **kwargs})
