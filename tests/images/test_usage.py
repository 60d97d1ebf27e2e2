"""images/usage.py: an upload or edit in the media library refreshes the cached pages only
when a public page shows the image, and then once per change (the save, or the renditions
task when a new file brings renditions); author photos likewise."""

import io
import shutil
import sys
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from images.models import Image as LibraryImage
from newsroom import pagecache
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, image_file
from tests.helpers import form_fields, parse, staff_in
from tests.images.helpers import change_data

pytestmark = pytest.mark.django_db

MIXED_ALT = "Олена біля дамби 👩‍🔧 \u200eשלום"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(staff_in("Editors", username="edith"))
    return client


@pytest.fixture
def site_refreshes(monkeypatch) -> list[None]:
    """One entry per content_changed() call for the whole site (the bump every cached page
    misses after), however the calling module imported the function."""
    real = pagecache.content_changed
    calls: list[None] = []

    def spy():
        calls.append(None)
        real()

    for module in list(sys.modules.values()):
        if getattr(module, "__dict__", {}).get("content_changed") is real:
            monkeypatch.setattr(module, "content_changed", spy)
    return calls


def reader_get(url: str):
    return Client(HTTP_ACCEPT_ENCODING="").get(url)


def cache_pages(*urls: str) -> None:
    for url in urls:
        reader_get(url)
        assert reader_get(url)["X-Cache"] == "hit"


def still_cached(*urls: str) -> bool:
    return all(reader_get(url)["X-Cache"] == "hit" for url in urls)


def body_with(image) -> str:
    return f'<p>Before.</p><figure data-image-id="{image.pk}"><figcaption></figcaption></figure>'


@pytest.fixture
def pages():
    article = ArticleFactory(title="Dam holds", image=ImageFactory(alt_text="A dam"))
    return [reverse("articles:home"), article.get_absolute_url()]


# --- nothing shows it: nothing is refreshed -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"), [("Нічний Київ 🌃.jpg", "JPEG"), ("spinner.gif", "GIF")], ids=["jpeg", "gif"]
)
def test_uploading_an_image_no_page_shows_refreshes_nothing(
    editor_client, pages, site_refreshes, name, fmt
):
    cache_pages(*pages)
    site_refreshes.clear()  # counted from here: the setup's own uploads are not the test

    response = editor_client.post(
        reverse("admin:images_image_add"),
        {"file": image_file(name, size=(900, 600), fmt=fmt), "alt_text": MIXED_ALT},
    )

    assert response.status_code == 302
    assert LibraryImage.objects.filter(alt_text=MIXED_ALT).exists()
    assert site_refreshes == []
    assert still_cached(*pages)


@pytest.mark.parametrize("where", ["featured", "body"])
@pytest.mark.parametrize("article_state", ["draft", "scheduled", "unpublished"])
def test_editing_an_image_no_published_page_shows_refreshes_nothing(
    editor_client, pages, site_refreshes, where, article_state
):
    image = ImageFactory()
    states = {
        "draft": {"draft": True},
        "scheduled": {"published_at": timezone.now() + timedelta(days=1)},
        "unpublished": {"status": Article.Status.UNPUBLISHED},
    }
    use = {"image": image} if where == "featured" else {"body": body_with(image)}
    ArticleFactory(**states[article_state], **use)
    cache_pages(*pages)
    site_refreshes.clear()  # counted from here: the setup's own uploads are not the test

    response = editor_client.post(
        reverse("admin:images_image_change", args=[image.pk]),
        change_data(image, alt_text=MIXED_ALT),
    )

    assert response.status_code == 302
    assert site_refreshes == []
    assert still_cached(*pages)


# --- a published page shows it: refreshed, once -------------------------------------------


@pytest.mark.parametrize("where", ["featured", "body"])
def test_editing_a_shown_image_refreshes_the_pages_once(editor_client, site_refreshes, where):
    image = ImageFactory(alt_text="Old words")
    use = {"image": image} if where == "featured" else {"body": body_with(image)}
    article = ArticleFactory(**use)
    url = article.get_absolute_url()
    cache_pages(url)
    site_refreshes.clear()

    response = editor_client.post(
        reverse("admin:images_image_change", args=[image.pk]),
        change_data(image, alt_text=MIXED_ALT),
    )

    assert response.status_code == 302
    assert len(site_refreshes) == 1
    page = reader_get(url)
    assert page["X-Cache"] == "miss"
    assert MIXED_ALT in page.content.decode()


def test_replacing_the_file_of_a_shown_image_refreshes_the_pages_once_with_its_renditions(
    editor_client, site_refreshes
):
    image = ImageFactory(file=image_file("before.jpg", size=(1000, 500)), alt_text="A dam")
    article = ArticleFactory(image=image)
    url = article.get_absolute_url()
    cache_pages(url)
    site_refreshes.clear()

    response = editor_client.post(
        reverse("admin:images_image_change", args=[image.pk]),
        change_data(image, file=image_file("after.jpg", size=(1000, 500))),
    )

    assert response.status_code == 302
    assert len(site_refreshes) == 1  # by the renditions task, not also by the save
    page = reader_get(url)
    assert page["X-Cache"] == "miss"
    img = parse(page).find("figure").find("img")
    assert "/after" in img["src"] and "-1000w." in img["src"]  # a rendition of the new file


def test_renditions_made_again_refresh_the_pages_once_and_only_when_some_were_missing(
    site_refreshes,
):
    image = ImageFactory(file=image_file("dam.jpg", size=(1000, 500)))
    ArticleFactory(image=image)
    site_refreshes.clear()

    call_command("make_renditions", str(image.pk), stdout=io.StringIO())
    assert site_refreshes == []  # all there already: the pages name them

    shutil.rmtree(default_storage.path("renditions"))
    call_command("make_renditions", str(image.pk), stdout=io.StringIO())
    assert len(site_refreshes) == 1


def test_a_new_author_photo_refreshes_the_pages_once(editor_client, site_refreshes):
    author = AuthorFactory(name="Олена Коваленко", slug="olena")
    url = reverse("authors:detail", args=["olena"])
    cache_pages(url)
    change = reverse("admin:authors_author_change", args=[author.pk])
    data = form_fields(editor_client.get(change), form_id="author_form")
    data["photo"] = image_file("olena.jpg", size=(400, 400))
    site_refreshes.clear()

    assert editor_client.post(change, data).status_code == 302

    assert len(site_refreshes) == 1  # by the renditions task, not also by the save
    page = reader_get(url)
    assert page["X-Cache"] == "miss"
    assert "-320w." in parse(page).select_one(".author-header__photo")["src"]


def test_an_author_edit_without_a_new_photo_refreshes_the_pages_once(editor_client, site_refreshes):
    author = AuthorFactory(photo=image_file("mark.jpg", size=(400, 400)), slug="mark")
    url = reverse("authors:detail", args=["mark"])
    cache_pages(url)
    change = reverse("admin:authors_author_change", args=[author.pk])
    data = form_fields(editor_client.get(change), form_id="author_form")
    data["job_title"] = "Кореспондент у Харкові"
    site_refreshes.clear()

    assert editor_client.post(change, data).status_code == 302

    assert len(site_refreshes) == 1
    assert "Кореспондент у Харкові" in reader_get(url).content.decode()


def test_an_author_edit_saved_with_a_new_photo_is_seen_before_its_renditions_are_made(
    editor_client, site_refreshes, monkeypatch
):
    """The worker may be down or fail on the file: the rest of the edit must not wait."""
    queued = []
    monkeypatch.setattr(
        "authors.admin.queue_renditions", lambda file, kind: queued.append(file) or True
    )
    author = AuthorFactory(slug="mark")
    url = reverse("authors:detail", args=["mark"])
    cache_pages(url)
    change = reverse("admin:authors_author_change", args=[author.pk])
    data = form_fields(editor_client.get(change), form_id="author_form")
    data["photo"] = image_file("mark.jpg", size=(400, 400))
    data["job_title"] = "Кореспондент у Харкові 📷"
    site_refreshes.clear()

    assert editor_client.post(change, data).status_code == 302

    assert len(queued) == 1  # the renditions are asked for, and not made yet
    assert len(site_refreshes) == 1
    assert "Кореспондент у Харкові 📷" in reader_get(url).content.decode()


def test_alt_text_saved_with_a_new_file_is_seen_before_its_renditions_are_made(
    editor_client, site_refreshes, monkeypatch
):
    monkeypatch.setattr("images.admin.queue_renditions", lambda file, kind: True)
    image = ImageFactory(file=image_file("before.jpg", size=(1000, 500)), alt_text="A dam")
    url = ArticleFactory(image=image).get_absolute_url()
    cache_pages(url)
    site_refreshes.clear()

    response = editor_client.post(
        reverse("admin:images_image_change", args=[image.pk]),
        change_data(image, file=image_file("after.jpg", size=(1000, 500)), alt_text="Гребля 🌊"),
    )

    assert response.status_code == 302
    assert len(site_refreshes) == 1
    assert "Гребля 🌊" in reader_get(url).content.decode()


def test_whether_a_page_shows_a_file_is_found_through_the_index_on_file_names():
    """Asked once per new picture by the renditions task, in a library of many thousands:
    the file's row is found by its name through an index, not by reading the library."""
    from django.db import connection, transaction

    from articles.models import shows_image_file

    if connection.vendor != "postgresql":
        pytest.skip("Reads PostgreSQL's plan; SQLite has no switch to forbid a table scan")

    image = ImageFactory(alt_text=MIXED_ALT)
    ArticleFactory(image=image)
    assert shows_image_file(image.file.name)
    query = LibraryImage.objects.filter(file=image.file.name).query
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "image_file" in plan
