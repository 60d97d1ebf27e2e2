"""Uploaded images: refused when unsafe or unsuitable, cleaned (orientation applied, EXIF and GPS
removed) when accepted. Checked on clean_image_upload itself, on the media library's form and
through the admin, the way an editor uploads."""

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from PIL import Image

from authors.models import Author
from images.forms import ImageForm
from images.models import Image as LibraryImage
from images.uploads import clean_image_upload
from tests.factories import ImageFactory, UserFactory, image_file

FORM_DATA = {
    "title": "Power restored in Kharkiv",
    "alt_text": "Engineers on a pylon at dawn",
    "caption": "Engineers worked through the night.",
    "credit": "",
    "focal_x": "50",
    "focal_y": "50",
}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


# --- helpers -----------------------------------------------------------------------------


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def noisy_png(size=(64, 64)) -> bytes:
    """A PNG that does not compress, so its file size is predictable-ish and large."""
    noise = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    return encode(noise, "PNG")


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of width × height black pixels.

    Tiny on disk (all-zero rows compress ~1000:1) but huge once decoded; built chunk by chunk
    so the test itself never holds the decoded picture in memory.
    """
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    rows_per_block = 1000
    idat = bytearray()
    for start in range(0, height, rows_per_block):
        idat += compressor.compress(row * min(rows_per_block, height - start))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", bytes(idat))
        + png_chunk(b"IEND", b"")
    )


def two_tone(size=(60, 40)) -> Image.Image:
    """Left half red, right half blue, so the orientation of the result can be checked."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def exif_with_rotation_and_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "rotate 90° clockwise to display"
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (50.0, 27.0, 3.5)  # Kyiv
    gps[3] = "E"
    gps[4] = (30.0, 31.0, 22.0)
    return exif


def submit(files: dict, form_class=ImageForm, data=None):
    form = form_class(data=dict(FORM_DATA if data is None else data), files=files)
    valid = form.is_valid()  # must not raise, whatever the upload
    return form, valid


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def single_error(excinfo) -> str:
    messages = excinfo.value.messages
    assert len(messages) == 1
    return messages[0]


# --- refused uploads: clean_image_upload ------------------------------------------------


def test_text_file_renamed_jpg_is_not_an_image():
    fake = upload("holiday.jpg", b"This is just text pretending to be a photo.\n" * 20)

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(fake)

    message = single_error(excinfo)
    assert "not an image" in message
    assert "JPEG, PNG, WebP or GIF" in message


def test_truncated_image_is_refused_cleanly():
    data = encode(two_tone((300, 300)), "PNG")

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(upload("cut.png", data[: len(data) // 2], "image/png"))

    assert "damaged" in single_error(excinfo)


def test_file_over_the_byte_limit_is_refused_naming_the_limit(settings):
    data = noisy_png()
    settings.NEWSROOM_MAX_IMAGE_BYTES = 2048
    assert len(data) > 2048

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(upload("big.png", data, "image/png"))

    message = single_error(excinfo)
    assert filesizeformat(2048) in message  # "2.0 KB"
    assert filesizeformat(len(data)) in message


def test_file_exactly_at_the_byte_limit_is_accepted(settings):
    data = noisy_png()

    settings.NEWSROOM_MAX_IMAGE_BYTES = len(data)
    assert clean_image_upload(upload("fits.png", data, "image/png")).size > 0

    settings.NEWSROOM_MAX_IMAGE_BYTES = len(data) - 1
    with pytest.raises(ValidationError):
        clean_image_upload(upload("fits.png", data, "image/png"))


def test_image_over_the_pixel_limit_is_refused_naming_pixels(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(image_file("wide.jpg", size=(200, 200)))

    message = single_error(excinfo)
    assert "pixels" in message
    assert "10,000" in message
    assert "200 × 200" in message


def test_image_exactly_at_the_pixel_limit_is_accepted(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000

    assert clean_image_upload(image_file("ok.jpg", size=(100, 100))).size > 0
    with pytest.raises(ValidationError):
        clean_image_upload(image_file("one-too-many.jpg", size=(101, 100)))


@pytest.mark.parametrize(
    "size",
    [(7_000, 7_000), (10_000, 10_000), (30_000, 30_000)],
    ids=["over-newsroom-limit", "over-pillow-warning", "over-pillow-error"],
)
def test_decompression_bomb_is_refused_with_a_clear_message(size):
    """With the default limit (40 million pixels): never decoded, no exception escapes."""
    bomb = png_bomb(*size)
    assert len(bomb) < 200_000  # a few KB on disk...

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(upload("innocent.png", bomb, "image/png"))

    message = single_error(excinfo)
    assert "pixels" in message
    assert "40,000,000" in message
    assert excinfo.value.error_list[0].code == "too_many_pixels"


@pytest.mark.parametrize(("fmt", "name"), [("BMP", "scan.bmp"), ("TIFF", "scan.tif")])
def test_other_image_formats_are_refused_naming_the_allowed_ones(fmt, name):
    data = encode(two_tone(), fmt)

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(upload(name, data, f"image/{fmt.lower()}"))

    message = single_error(excinfo)
    assert fmt in message
    assert "JPEG, PNG, WebP or GIF" in message


def test_format_is_judged_by_content_not_by_name():
    bmp_named_jpg = upload("photo.jpg", encode(two_tone(), "BMP"))

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(bmp_named_jpg)

    assert "BMP" in single_error(excinfo)


# --- refused uploads: the form an editor fills in ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_upload", "expected"),
    [
        (lambda: upload("holiday.jpg", b"not really a picture" * 50), "not an image"),
        (lambda: upload("scan.bmp", encode(two_tone(), "BMP"), "image/bmp"), "JPEG, PNG"),
        (lambda: upload("scan.tif", encode(two_tone(), "TIFF"), "image/tiff"), "JPEG, PNG"),
        (lambda: upload("bomb.png", png_bomb(30_000, 30_000), "image/png"), "pixels"),
    ],
    ids=["text", "bmp", "tiff", "bomb"],
)
def test_model_form_shows_the_error_on_the_file_field_and_keeps_the_rest(
    make_upload, expected, settings
):
    form, valid = submit({"file": make_upload()})

    assert not valid
    assert list(form.errors) == ["file"]
    assert any(expected in message for message in form.errors["file"])
    # What the editor typed is still there when the form is shown again.
    assert form.data["title"] == FORM_DATA["title"]
    assert f'value="{FORM_DATA["title"]}"' in str(form["title"])
    assert FORM_DATA["caption"] in str(form["caption"])
    assert LibraryImage.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_model_form_refuses_too_large_file(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 2048

    form, valid = submit({"file": upload("big.png", noisy_png(), "image/png")})

    assert not valid
    assert list(form.errors) == ["file"]
    assert filesizeformat(2048) in form.errors["file"][0]
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_model_form_refuses_too_many_pixels(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 10_000

    form, valid = submit({"file": image_file("big.jpg", size=(200, 200))})

    assert not valid
    assert list(form.errors) == ["file"]
    assert "10,000 pixels" in form.errors["file"][0]


@pytest.mark.django_db
def test_library_form_refuses_a_bomb_and_still_asks_for_the_alt_text(settings):
    form, valid = submit(
        {"file": upload("bomb.png", png_bomb(30_000, 30_000), "image/png")},
        data={**FORM_DATA, "alt_text": ""},
    )

    assert not valid
    assert "pixels" in form.errors["file"][0]
    assert form.errors["alt_text"] == ["Describe the image for readers who cannot see it."]
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_author_photo_uses_the_same_checks(settings):
    form_class = modelform_factory(Author, fields=["name", "slug", "photo"])

    form = form_class(
        data={"name": "Jane Doe", "slug": "jane-doe"},
        files={"photo": upload("me.png", png_bomb(30_000, 30_000), "image/png")},
    )

    assert not form.is_valid()
    assert list(form.errors) == ["photo"]
    assert "pixels" in form.errors["photo"][0]
    assert stored_files(settings) == []


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
    return client


def admin_post_data(**extra) -> dict:
    fields = {key: value for key, value in FORM_DATA.items() if not key.startswith("focal")}
    return {**fields, **extra}


@pytest.mark.django_db
def test_admin_upload_of_a_bomb_shows_the_error_and_stores_nothing(
    admin_client_logged_in, settings
):
    response = admin_client_logged_in.post(
        reverse("admin:images_image_add"),
        admin_post_data(file=upload("bomb.png", png_bomb(30_000, 30_000), "image/png")),
    )

    assert response.status_code == 200  # the form again, not a crash
    form = response.context["adminform"].form
    assert list(form.errors) == ["file"]
    assert "far too many pixels" in form.errors["file"][0]
    assert FORM_DATA["title"] in response.text
    assert LibraryImage.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_admin_upload_of_a_photo_is_stored(admin_client_logged_in, settings):
    response = admin_client_logged_in.post(
        reverse("admin:images_image_add"),
        admin_post_data(file=image_file("pylon.jpg", size=(80, 50))),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    image = LibraryImage.objects.get()
    assert (image.width, image.height) == (80, 50)
    assert Path(image.file.path).is_file()
    assert Path(image.file.path).is_relative_to(Path(settings.MEDIA_ROOT))


@pytest.mark.django_db
def test_admin_upload_of_a_phone_photo_stores_it_without_location(admin_client_logged_in, settings):
    raw = encode(two_tone((60, 40)), "JPEG", exif=exif_with_rotation_and_gps(), quality=95)

    response = admin_client_logged_in.post(
        reverse("admin:images_image_add"), admin_post_data(file=upload("IMG_0001.jpg", raw))
    )

    assert response.status_code == 302
    image = LibraryImage.objects.get()
    stored_bytes = Path(image.file.path).read_bytes()
    with Image.open(image.file.path) as stored:
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert GPS_IFD not in stored.getexif()
        assert "exif" not in stored.info
    assert b"PhoneMaker" not in stored_bytes
    assert (image.width, image.height) == (40, 60)  # upright, as the phone held it
    # Beside the original only its renditions, made from it (no location either).
    renditions = Path(settings.MEDIA_ROOT) / "renditions"
    others = [path for path in stored_files(settings) if not path.is_relative_to(renditions)]
    assert others == [Path(image.file.path)]
    made = [path for path in stored_files(settings) if path.is_relative_to(renditions)]
    assert sorted(path.suffix for path in made) == [".jpg", ".webp"]
    for path in made:
        with Image.open(path) as rendition:
            assert GPS_IFD not in rendition.getexif()
        assert b"PhoneMaker" not in path.read_bytes()


# --- accepted uploads -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "name", "extension"),
    [
        ("JPEG", "photo.jpg", ".jpg"),
        ("PNG", "chart.png", ".png"),
        ("WEBP", "photo.webp", ".webp"),
        ("GIF", "icon.gif", ".gif"),
    ],
)
def test_allowed_formats_are_accepted_and_stored(fmt, name, extension, settings):
    data = encode(two_tone((60, 40)), fmt)

    form, valid = submit({"file": upload(name, data, f"image/{fmt.lower()}")})

    assert valid, form.errors
    image = form.save()
    image.refresh_from_db()
    assert image.file.name.endswith(extension)
    assert (image.width, image.height) == (60, 40)
    with Image.open(image.file.path) as stored:
        assert stored.format == fmt
        assert stored.size == (60, 40)
    assert len(stored_files(settings)) == 1


def test_extension_follows_the_real_format():
    cleaned = clean_image_upload(upload("photo.jpg", encode(two_tone(), "PNG"), "image/jpeg"))

    assert cleaned.name == "photo.png"
    assert cleaned.content_type == "image/png"


def test_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    cleaned = clean_image_upload(upload("spinner.gif", data, "image/gif"))

    with Image.open(cleaned) as result:
        assert result.format == "GIF"
        assert result.n_frames == 3
        colours = []
        for index in range(3):
            result.seek(index)
            colours.append(result.convert("RGB").getpixel((10, 10)))
        assert colours == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def test_jpeg_exif_orientation_and_gps_are_applied_and_removed():
    raw = encode(two_tone((60, 40)), "JPEG", exif=exif_with_rotation_and_gps(), quality=95)
    with Image.open(io.BytesIO(raw)) as original:  # the test image really carries them
        assert original.getexif()[ORIENTATION] == 6
        assert original.getexif().get_ifd(GPS_IFD)[1] == "N"

    cleaned = clean_image_upload(upload("IMG_0001.jpg", raw))

    with Image.open(cleaned) as result:
        assert result.format == "JPEG"
        exif = result.getexif()
        assert ORIENTATION not in exif
        assert GPS_IFD not in exif
        assert exif.get_ifd(GPS_IFD) == {}
        assert "exif" not in result.info
        assert b"PhoneMaker" not in cleaned.read()
        # Rotated 90° clockwise: 60 × 40 became 40 × 60, the red left half is now on top.
        assert result.size == (40, 60)
        rgb = result.convert("RGB")
        top, bottom = rgb.getpixel((20, 5)), rgb.getpixel((20, 55))
        assert top[0] > 200 and top[2] < 60
        assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_and_gps_removed_from_png_and_webp_too(fmt):
    raw = encode(two_tone((60, 40)), fmt, exif=exif_with_rotation_and_gps())

    cleaned = clean_image_upload(upload(f"image.{fmt.lower()}", raw, f"image/{fmt.lower()}"))

    with Image.open(cleaned) as result:
        assert result.getexif().get_ifd(GPS_IFD) == {}
        assert ORIENTATION not in result.getexif()
        assert result.size == (40, 60)


@pytest.mark.django_db
def test_stored_library_image_has_no_location_and_is_upright(settings):
    raw = encode(two_tone((60, 40)), "JPEG", exif=exif_with_rotation_and_gps())

    form, valid = submit({"file": upload("IMG_0001.jpg", raw)})

    assert valid, form.errors
    image = form.save()
    image.refresh_from_db()
    # The dimensions the templates use are those of the upright picture.
    assert (image.width, image.height) == (40, 60)
    with Image.open(image.file.path) as stored:
        assert stored.size == (40, 60)
        assert GPS_IFD not in stored.getexif()
        assert ORIENTATION not in stored.getexif()
    stored_bytes = Path(image.file.path).read_bytes()
    assert b"PhoneMaker" not in stored_bytes
    assert stored_files(settings) == [Path(image.file.path)]


@pytest.mark.django_db
def test_editing_a_library_image_without_a_new_upload_keeps_the_file():
    image = ImageFactory(file=image_file("keep.jpg"), alt_text="Kept")

    form = ImageForm(data={**FORM_DATA, "title": "New title"}, instance=image)

    assert form.is_valid(), form.errors
    form.save()
    image.refresh_from_db()
    assert image.title == "New title"
    assert image.file.name.endswith(".jpg")
    assert Path(image.file.path).is_file()


def animation(frames: int, size: tuple[int, int] = (1, 1)) -> bytes:
    # Alternate colours: Pillow would merge identical consecutive frames.
    images = [Image.new("RGB", size, ("red", "blue")[index % 2]) for index in range(frames)]
    return encode(images[0], "GIF", save_all=True, append_images=images[1:], duration=10)


def test_an_animation_with_too_many_frames_is_refused_saying_so(settings):
    """A GIF of thousands of 1×1 frames has few pixels but costs seconds and hundreds of MB
    to re-encode; the frame count has its own limit, and the message names it."""
    settings.NEWSROOM_MAX_IMAGE_FRAMES = 300

    with pytest.raises(ValidationError) as refused:
        clean_image_upload(upload("flood.gif", animation(5000), "image/gif"))

    assert refused.value.code == "too_many_frames"
    assert "more than 300 frames" in refused.value.messages[0]


def test_the_frame_limit_itself_is_accepted(settings):
    settings.NEWSROOM_MAX_IMAGE_FRAMES = 40

    cleaned = clean_image_upload(upload("short.gif", animation(40), "image/gif"))

    with Image.open(cleaned) as result:
        assert result.n_frames == 40


def test_the_pixel_limit_counts_frames_and_says_so(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 100 * 100 * 10

    with pytest.raises(ValidationError) as refused:
        clean_image_upload(upload("long.gif", animation(11, (100, 100)), "image/gif"))

    message = refused.value.messages[0]
    assert refused.value.code == "too_many_pixels"
    assert "100 × 100 pixels × 11 frames" in message
    assert "(width × height × frames)" in message and "shorten the animation" in message
