"""Media on S3-compatible object storage, against a real local S3 server (moto's, over HTTP):
uploads, renditions, the addresses pages use, what the storage is asked while a page renders.
"""

import io
import socket

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from images.models import Image as LibraryImage
from images.renditions import ORIGINAL_CACHE_CONTROL, RENDITION_CACHE_CONTROL
from tests.factories import ArticleFactory, UserFactory
from tests.helpers import parse
from tests.test_settings import run_manage

BUCKET = "newsroom-media"
PUBLIC = "media.news.example"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    # As newsroom/settings.py configures it from NEWSROOM_S3_* (checked below).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "images.storage.MediaStorage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "custom_domain": PUBLIC,
                "url_protocol": "https:",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def jpeg(size=(1700, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload_through_admin(client, name="flood.jpg", size=(1700, 900)) -> LibraryImage:
    client.force_login(UserFactory(username="editor", is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:images_image_add"),
        {
            "file": SimpleUploadedFile(name, jpeg(size), content_type="image/jpeg"),
            "title": "Flood",
            "alt_text": "A flooded street",
            "caption": "",
            "credit": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    client.logout()
    return LibraryImage.objects.get()


def storage_calls() -> list[str]:
    """Every request the media storage sends to the S3 server from now on."""
    calls = []
    events = default_storage.connection.meta.client.meta.events
    events.register("before-call.s3", lambda model, **kwargs: calls.append(model.name))
    return calls


@pytest.mark.django_db
def test_an_upload_lands_in_the_bucket_with_its_type_and_caching(client, bucket):
    image = upload_through_admin(client)

    stored = bucket.head_object(Bucket=BUCKET, Key=image.file.name)
    assert stored["ContentType"] == "image/jpeg"
    assert stored["CacheControl"] == ORIGINAL_CACHE_CONTROL
    assert (image.width, image.height) == (1700, 900)
    renditions = [key for key in keys(bucket) if key.startswith("renditions/")]
    # Every width an article page may ask for, in WebP and JPEG, made by the queued task.
    assert len(renditions) == 8
    for key in renditions:
        head = bucket.head_object(Bucket=BUCKET, Key=key)
        assert head["CacheControl"] == RENDITION_CACHE_CONTROL
        assert head["ContentType"] == ("image/webp" if key.endswith(".webp") else "image/jpeg")
    body = bucket.get_object(Bucket=BUCKET, Key=renditions[0])["Body"].read()
    assert Image.open(io.BytesIO(body)).width in {480, 800, 1200, 1600}


@pytest.mark.django_db
def test_a_second_upload_of_the_same_name_keeps_the_first(client, bucket):
    first = upload_through_admin(client, "same.jpg").file.name
    LibraryImage.objects.all().delete()
    second = upload_through_admin(client, "same.jpg").file.name

    assert first != second
    assert {first, second} <= set(keys(bucket))


@pytest.mark.django_db
def test_pages_point_at_the_public_media_address_and_ask_the_storage_nothing(client, bucket):
    image = upload_through_admin(client)
    article = ArticleFactory(image=image)
    client.get(article.get_absolute_url())
    calls = storage_calls()

    page = parse(client.get(article.get_absolute_url()))

    picture = page.find("figure").find("picture")
    img = picture.find("img")
    urls = [img["src"]]
    for srcset in (img["srcset"], picture.find("source")["srcset"]):
        urls += [entry.split()[0] for entry in srcset.split(",")]
    assert all(url.startswith(f"https://{PUBLIC}/renditions/") for url in urls), urls
    assert len(urls) == 9
    for url in urls:
        bucket.head_object(Bucket=BUCKET, Key=url.removeprefix(f"https://{PUBLIC}/"))
    # What exists is known from the cache (the worker marked it): not one request per width.
    assert calls == []


@pytest.mark.django_db
def test_renditions_not_made_yet_cost_one_check_each_then_none(client, bucket, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    image = upload_through_admin(client)  # queued, and no worker ran it
    article = ArticleFactory(image=image)
    calls = storage_calls()

    img = parse(client.get(article.get_absolute_url())).find("figure").find("img")
    first_view = list(calls)
    parse(client.get(article.get_absolute_url()))

    assert img["src"] == f"https://{PUBLIC}/{image.file.name}"
    assert not img.get("srcset")
    assert [key for key in keys(bucket) if key.startswith("renditions/")] == []
    assert first_view and set(first_view) == {"HeadObject"}
    assert len(first_view) == 8  # one per width and format, then remembered for a minute
    assert calls == first_view


@pytest.mark.django_db
def test_deleting_an_image_keeps_its_objects_and_a_used_one_is_refused(client, bucket):
    image = upload_through_admin(client)
    article = ArticleFactory(image=image)
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    delete_url = reverse("admin:images_image_delete", args=[image.pk])

    client.post(delete_url, {"post": "yes"})
    assert LibraryImage.objects.filter(pk=image.pk).exists()  # used by the article

    article.delete()
    before = keys(bucket)
    response = client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not LibraryImage.objects.filter(pk=image.pk).exists()
    # As on a local disk: the files stay (a cached page or feed may still show them).
    assert keys(bucket) == before


def test_environment_selects_object_storage_and_allows_its_media_host():
    code = (
        "from django.conf import settings as s; d = s.STORAGES['default']; o = d['OPTIONS']; "
        "print(d['BACKEND'], o['bucket_name'], o['endpoint_url'], o['region_name'], "
        "o['custom_domain'], o['url_protocol'], o['querystring_auth'], o['file_overwrite'], "
        "o['access_key'], s.SECURE_CSP['img-src'][-1])"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DJANGO_DEBUG="1",
        NEWSROOM_S3_BUCKET="news-media",
        NEWSROOM_S3_ENDPOINT_URL="https://s3.example.net",
        NEWSROOM_S3_REGION="eu-central-1",
        NEWSROOM_S3_ACCESS_KEY_ID="key",
        NEWSROOM_S3_SECRET_ACCESS_KEY="secret",
        NEWSROOM_MEDIA_PUBLIC_URL="https://media.news.example/",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "images.storage.MediaStorage",
        "news-media",
        "https://s3.example.net",
        "eu-central-1",
        "media.news.example",
        "https:",
        "False",
        "False",
        "key",
        "https://media.news.example",
    ]


def test_without_a_bucket_media_stays_on_the_local_disk():
    code = (
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], [str(v) for v in s.SECURE_CSP['img-src']])"
    )
    result = run_manage("shell", "--no-imports", "-c", code, DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "django.core.files.storage.FileSystemStorage [\"'self'\", 'data:']"
    )


def test_a_malformed_public_media_address_is_refused_at_start_up():
    result = run_manage(
        "check",
        DJANGO_DEBUG="1",
        NEWSROOM_S3_BUCKET="news-media",
        NEWSROOM_MEDIA_PUBLIC_URL="media.news.example",
    )

    assert result.returncode != 0
    assert "NEWSROOM_MEDIA_PUBLIC_URL must be an address" in result.stderr
