"""Cache-Control on media served by Django (NEWSROOM_SERVE_MEDIA; issue 12)."""

import pytest

from images.renditions import media_cache_control
from tests.factories import ArticleFactory, ImageFactory, image_file
from tests.helpers import parse

pytestmark = pytest.mark.django_db

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def article():
    return ArticleFactory(
        image=ImageFactory(file=image_file("street.jpg", size=(1200, 600)), alt_text="A street")
    )


def rendition_url(client, article) -> str:
    page = parse(client.get(article.get_absolute_url()))
    url = page.find("figure").find("img")["src"]
    assert url.startswith("/media/renditions/")
    return url


def test_a_rendition_is_cached_for_a_year_as_immutable(client, article):
    response = client.get(rendition_url(client, article))
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE


def test_a_rendition_revalidated_keeps_the_long_cache(client, article):
    url = rendition_url(client, article)
    first = client.get(url)
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    assert again["Cache-Control"] == IMMUTABLE


def test_an_original_upload_is_cached_for_an_hour(client, article):
    response = client.get(article.image.file.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"


def test_a_missing_rendition_is_404_without_the_long_cache(client):
    response = client.get("/media/renditions/0123456789ab/gone-800w.webp")
    assert response.status_code == 404
    assert "immutable" not in response.get("Cache-Control", "")


def test_a_path_that_only_starts_like_a_rendition_is_not_immutable(client, article):
    original = article.image.file.name
    response = client.get(f"/media/renditions/../{original}")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("renditions/0123456789ab/street-800w.webp", IMMUTABLE),
        ("/renditions/0123456789ab/вулиця-480w.jpg", IMMUTABLE),
        ("images/2026/12/street.jpg", "public, max-age=3600"),
        ("renditions/../images/2026/12/street.jpg", "public, max-age=3600"),
        ("images/renditions/street.jpg", "public, max-age=3600"),
    ],
)
def test_object_storage_and_the_site_give_a_file_the_same_cache_control(name, expected):
    """images/storage.py stores each object with it; newsroom/urls.py serves with it."""
    assert media_cache_control(name) == expected
