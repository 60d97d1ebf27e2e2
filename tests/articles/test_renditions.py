"""Resized copies of featured images and author photos, and how pages offer them."""

import io
import os

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from articles.models import Article
from images.tasks import queue_renditions
from newsroom import cache as shared_cache
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, image_file
from tests.helpers import parse

pytestmark = pytest.mark.django_db


def opened(url: str) -> Image.Image:
    name = url.removeprefix("/media/")
    with default_storage.open(name) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def srcset_entries(srcset: str) -> list[tuple[str, int]]:
    entries = []
    for part in srcset.split(","):
        url, width = part.split()
        entries.append((url, int(width.removesuffix("w"))))
    return entries


def test_article_page_offers_webp_and_jpeg_renditions_at_each_width(client):
    article = ArticleFactory(
        image=ImageFactory(file=image_file("street.jpg", size=(2000, 1000)), alt_text="A street")
    )

    page = parse(client.get(article.get_absolute_url()))
    picture = page.find("figure").find("picture")
    webp = srcset_entries(picture.find("source", type="image/webp")["srcset"])
    img = picture.find("img")
    jpeg = srcset_entries(img["srcset"])

    assert [width for _, width in webp] == [480, 800, 1200, 1600]
    assert [width for _, width in jpeg] == [480, 800, 1200, 1600]
    for url, width in webp:
        image = opened(url)
        assert (image.format, image.size) == ("WEBP", (width, width // 2))
    for url, width in jpeg:
        image = opened(url)
        assert (image.format, image.size) == ("JPEG", (width, width // 2))
    # The picture keeps the original's shape for layout, and loads at once above the fold.
    assert (img["width"], img["height"]) == ("2000", "1000")
    assert img["loading"] == "eager"
    assert img["alt"] == "A street"
    assert img["sizes"]


def test_a_small_original_is_never_enlarged(client):
    article = ArticleFactory(
        image=ImageFactory(file=image_file("small.png", size=(600, 400), fmt="PNG"), alt_text="x")
    )

    page = parse(client.get(article.get_absolute_url()))
    img = page.find("figure").find("img")

    assert [width for _, width in srcset_entries(img["srcset"])] == [480, 600]
    assert opened(img["src"]).format == "PNG"


def test_renditions_are_made_once_and_reused(client):
    """Made by the task the upload queued; queuing it again (a backfill) rewrites nothing.
    (Before, the first page view made them; pages no longer make anything.)"""
    article = ArticleFactory(
        image=ImageFactory(file=image_file("once.jpg", size=(1000, 500)), alt_text="x")
    )
    first = parse(client.get(article.get_absolute_url()))
    url = first.find("figure").find("img")["src"]
    path = default_storage.path(url.removeprefix("/media/"))
    made_at = os.stat(path).st_mtime_ns
    os.utime(path, ns=(made_at - 10**9, made_at - 10**9))

    queue_renditions(article.image.file, kind="image")
    client.get(article.get_absolute_url())

    assert os.stat(path).st_mtime_ns == made_at - 10**9  # not written again


def test_a_page_never_makes_renditions_and_shows_the_original_until_they_are_made(
    client, monkeypatch
):
    """Pillow work belongs to the worker, never to a reader's request."""
    image = ImageFactory(
        file=image_file("late.jpg", size=(1600, 800)), alt_text="Late", renditions=False
    )
    article = ArticleFactory(image=image)
    monkeypatch.setattr(
        "images.renditions.Image.open", lambda *a, **k: pytest.fail("Pillow in a request")
    )

    img = parse(client.get(article.get_absolute_url())).find("figure").find("img")

    assert img["src"] == image.file.url
    assert not img.get("srcset")
    assert (img["width"], img["height"]) == ("1600", "800")
    assert not default_storage.exists("renditions")
    monkeypatch.undo()

    call_command("make_renditions", str(image.pk), stdout=io.StringIO())
    cache.clear()  # the page's "not made yet" would otherwise hold for a minute
    img = parse(client.get(article.get_absolute_url())).find("figure").find("img")

    assert [width for _, width in srcset_entries(img["srcset"])] == [480, 800, 1200, 1600]


def test_backfill_queues_every_library_image_and_author_photo():
    AuthorFactory(photo=image_file("face.jpg", size=(400, 400)), renditions=False)
    ImageFactory(file=image_file("old.png", size=(900, 300), fmt="PNG"), renditions=False)
    out = io.StringIO()

    call_command("make_renditions", "--all", stdout=out)

    assert "Queued the renditions of 2 image(s)." in out.getvalue()
    names = default_storage.listdir("renditions")[0]
    assert len(names) == 2  # one folder per original
    made = {name for folder in names for name in default_storage.listdir(f"renditions/{folder}")[1]}
    assert {"face-96w.webp", "face-160w.jpg", "face-320w.jpg"} <= made
    assert "face-400w.jpg" not in made  # no page shows a portrait wider than 320 pixels
    assert {"old-480w.webp", "old-800w.png", "old-900w.png"} <= made


def test_backfill_says_what_it_needs():
    with pytest.raises(CommandError, match="ids, or --all"):
        call_command("make_renditions")
    with pytest.raises(CommandError, match="no library image with id 999"):
        call_command("make_renditions", "999")


def test_renditions_carry_no_location_data(client):
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (50.0, 27.0, 0.0)
    upload = image_file("gps.jpg", size=(1200, 800), exif=exif)
    article = ArticleFactory(image=ImageFactory(file=upload, alt_text="x"))

    page = parse(client.get(article.get_absolute_url()))
    for url, _ in srcset_entries(page.find("figure").find("img")["srcset"]):
        assert not opened(url).getexif().get_ifd(0x8825)


def test_teasers_below_the_first_load_lazily(client):
    for index in range(3):
        ArticleFactory(
            image=ImageFactory(file=image_file(f"t{index}.jpg", size=(900, 600)), alt_text="x")
        )

    page = parse(client.get("/"))
    loading = [img["loading"] for img in page.select(".teaser img")]

    assert loading == ["eager", "lazy", "lazy"]


def test_author_photos_use_small_renditions(client):
    author = AuthorFactory(photo=image_file("face.jpg", size=(800, 800)))
    ArticleFactory(authors=[author])

    page = parse(client.get(author.get_absolute_url()))
    img = page.select_one(".author-header__photo")

    assert [width for _, width in srcset_entries(img["srcset"])] == [160, 320]
    assert img["sizes"] == "160px"


def test_gif_is_served_as_uploaded(client):
    article = ArticleFactory(
        image=ImageFactory(file=image_file("anim.gif", size=(300, 200), fmt="GIF"), alt_text="x")
    )

    page = parse(client.get(article.get_absolute_url()))
    img = page.find("figure").find("img")

    assert img["src"] == article.image.file.url
    assert not img.get("srcset")


def test_every_image_says_its_alt_text_even_when_decorative(client):
    """Screen readers read out the file name of an <img> with no alt; alt="" tells them to
    skip a decorative picture (a teaser's image repeats its headline link; a bio box's photo
    sits next to the author's name)."""
    author = AuthorFactory(photo=image_file("face.jpg", size=(400, 400)))
    article = ArticleFactory(
        image=ImageFactory(
            file=image_file("street.jpg", size=(1600, 900)),
            alt_text="A street at dawn",
        ),
        authors=[author],
    )

    for url, expected in [
        ("/", {""}),
        (article.get_absolute_url(), {"A street at dawn", ""}),
        (author.get_absolute_url(), {f"Photo of {author.name}", ""}),
    ]:
        page = parse(client.get(url))
        images = page.select("main img")
        assert images, url
        assert all(img.has_attr("alt") for img in images), (url, images)
        assert {img["alt"] for img in images} == expected, url


def test_a_second_page_view_does_not_ask_the_storage_about_renditions(client, monkeypatch):
    """Which renditions exist is remembered in the cache: on object storage every existence
    check would be an HTTP request, a dozen per image."""
    for number in range(3):
        ArticleFactory(
            image=ImageFactory(file=image_file(f"s{number}.jpg", size=(1700, 900)), alt_text="x")
        )
    assert client.get("/").status_code == 200
    checked = []
    real_exists = default_storage.exists
    monkeypatch.setattr(
        default_storage, "exists", lambda name: checked.append(name) or real_exists(name)
    )

    page = parse(client.get("/"))

    assert checked == []
    for img in page.select("main img"):
        assert default_storage.exists(img["src"].removeprefix("/media/"))


def test_each_picture_asks_the_cache_once(client, monkeypatch):
    """A <picture> offers WebP and the original's format: which of both exist is one cache
    read, not one per format."""
    for number in range(3):
        ArticleFactory(
            image=ImageFactory(file=image_file(f"s{number}.jpg", size=(1700, 900)), alt_text="x")
        )
    client.get("/")  # the "made" marks are in the cache
    reads = []
    real_get_many = shared_cache.get_many
    monkeypatch.setattr(
        shared_cache,
        "get_many",
        lambda keys: reads.append(keys) or real_get_many(keys),
    )

    page = parse(client.get("/"))

    pictures = page.select("main picture")
    assert len(pictures) == 3
    for picture in pictures:  # both formats, as before
        assert picture.find("source", type="image/webp")["srcset"]
        assert picture.find("img")["srcset"]
    rendition_reads = [keys for keys in reads if any(k.startswith("rendition:") for k in keys)]
    assert len(rendition_reads) == 3


def test_a_webp_original_is_offered_in_webp_renditions(client):
    article = ArticleFactory(
        image=ImageFactory(file=image_file("mist.webp", size=(1000, 500), fmt="WEBP"))
    )

    picture = parse(client.get(article.get_absolute_url())).find("figure").find("picture")

    webp = srcset_entries(picture.find("source", type="image/webp")["srcset"])
    fallback = srcset_entries(picture.find("img")["srcset"])
    assert webp == fallback
    assert [width for _, width in webp] == [480, 800, 1000]
    assert all(url.endswith(".webp") for url, _ in webp)


def test_images_still_show_when_redis_is_down(client, settings):
    """The rendition cache only saves work; before it, no public page needed the cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    ArticleFactory(image=ImageFactory(file=image_file("s.jpg", size=(1700, 900)), alt_text="x"))

    response = client.get("/")

    assert response.status_code == 200
    img = parse(response).select_one("main img")
    assert default_storage.exists(img["src"].removeprefix("/media/"))


def test_two_media_folders_sharing_one_cache_each_get_their_renditions(client, settings, tmp_path):
    """Staging and production on one Redis: what one has made is not taken as the other's."""
    ArticleFactory(
        image=ImageFactory(file=image_file("shared.jpg", size=(1700, 900)), alt_text="x")
    )
    client.get("/")  # renditions made in the first media folder, and remembered
    original = default_storage.open(Article.objects.get().image.file.name).read()

    settings.MEDIA_ROOT = tmp_path / "other-site-media"
    default_storage.save(Article.objects.get().image.file.name, io.BytesIO(original))
    page = parse(client.get("/"))

    img = page.select_one("main img")
    assert default_storage.exists(img["src"].removeprefix("/media/"))


def test_a_photo_uploaded_in_the_author_admin_gets_its_renditions(admin_client):
    author = AuthorFactory()
    ArticleFactory(authors=[author])
    change_url = reverse("admin:authors_author_change", args=[author.pk])
    data = {
        "name": author.name,
        "slug": author.slug,
        "job_title": author.job_title,
        "bio": author.bio,
        "website": "",
        "email": "",
        "social_links": "",
        "is_active": "on",
        "photo": image_file("portrait.jpg", size=(500, 500)),
    }

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, parse(response).select(".errorlist")
    img = parse(admin_client.get(author.get_absolute_url())).select_one(".author-header__photo")
    entries = srcset_entries(img["srcset"])
    assert [width for _, width in entries] == [160, 320]
    assert all(default_storage.exists(url.removeprefix("/media/")) for url, _ in entries)
