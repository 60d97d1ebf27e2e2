"""The media library in the admin: uploading and describing images, finding them, the focal
point, who may do what, and refusing to delete an image an article uses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from images.models import Image as LibraryImage
from tests.factories import ArticleFactory, ImageFactory, UserFactory, image_file
from tests.helpers import parse, save_change, staff_in, text_of
from tests.images.helpers import change_data

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:images_image_changelist")
ADD_URL = reverse("admin:images_image_add")
MIXED_ALT = "Олена 👩 \u200eשלום"


def change_url(image) -> str:
    return reverse("admin:images_image_change", args=[image.pk])


def delete_url(image) -> str:
    return reverse("admin:images_image_delete", args=[image.pk])


def error_text(response, field: str) -> str:
    error = parse(response).find(id=f"id_{field}_error")
    assert error is not None, f"no error shown next to {field}"
    return text_of(error)


@pytest.fixture
def editor(client):
    user = staff_in("Editors", username="edith")
    client.force_login(user)
    return user


# --- uploading and describing ------------------------------------------------------------


def test_upload_with_mixed_script_alt_text_is_stored_and_titled_after_the_file(client, editor):
    response = client.post(
        ADD_URL,
        {
            "file": image_file("Kyiv at night.jpg", size=(90, 60)),
            "title": "",
            "alt_text": MIXED_ALT,
            "caption": "Вечір у Києві 🌃",
            "credit": "Photo: Jane Doe / Reuters",
        },
    )

    assert response.status_code == 302
    image = LibraryImage.objects.get()
    assert image.title == "Kyiv at night"
    assert image.alt_text == MIXED_ALT
    assert image.caption == "Вечір у Києві 🌃"
    assert (image.width, image.height) == (90, 60)
    assert image.uploaded_by == editor
    assert (image.focal_x, image.focal_y) == (50, 50)
    listing = client.get(LIST_URL)
    assert MIXED_ALT in listing.text
    assert "90 × 60 px" in listing.text


def test_upload_without_alt_text_is_refused_next_to_the_field(client, editor, settings):
    response = client.post(
        ADD_URL, {"file": image_file("pylon.jpg"), "title": "Pylon ☀", "alt_text": ""}
    )

    assert response.status_code == 200
    assert "Describe the image for readers who cannot see it." in error_text(response, "alt_text")
    assert parse(response).find("input", attrs={"name": "title"})["value"] == "Pylon ☀"
    assert not LibraryImage.objects.exists()


def test_upload_that_is_not_an_image_is_refused(client, editor):
    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho not a picture\n", "image/jpeg")
    response = client.post(ADD_URL, {"file": fake, "title": "Cat", "alt_text": "A cat"})

    assert response.status_code == 200
    assert "not an image" in error_text(response, "file")
    assert parse(response).find("input", attrs={"name": "alt_text"})["value"] == "A cat"
    assert not LibraryImage.objects.exists()


def test_control_characters_in_a_caption_are_refused(client, editor):
    image = ImageFactory()

    response = client.post(change_url(image), change_data(image, caption="Power\x0bcut"))

    assert response.status_code == 200
    assert "control characters" in error_text(response, "caption")
    image.refresh_from_db()
    assert image.caption == ""


# --- focal point ---------------------------------------------------------------------------


def test_focal_point_is_set_with_the_number_fields(client, editor):
    image = ImageFactory()

    response = client.post(change_url(image), change_data(image, focal_x="20", focal_y="75"))

    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (20, 75)


@pytest.mark.parametrize("typed", ["101", "-1", "abc", "1e400"])
def test_focal_point_outside_the_picture_is_refused_and_the_value_kept(client, editor, typed):
    image = ImageFactory()

    response = client.post(change_url(image), change_data(image, focal_x=typed))

    assert response.status_code == 200
    assert error_text(response, "focal_x")
    assert parse(response).find("input", attrs={"name": "focal_x"})["value"] == typed
    image.refresh_from_db()
    assert image.focal_x == 50


def test_change_page_shows_a_clickable_preview_and_where_the_image_is_used(client, editor):
    image = ImageFactory(focal_x=30, focal_y=60)
    ArticleFactory(title="Kyiv without power", image=image)

    page = parse(client.get(change_url(image)))

    preview = page.select_one(".focal-point")
    assert preview["data-x-input"] == "id_focal_x"
    assert preview.find("img")["src"].startswith("/media/")
    assert "left:30%;top:60%" in preview.select_one(".focal-point__marker")["style"]
    assert "Kyiv without power" in text_of(page.select_one(".field-usage"))
    scripts = [tag["src"] for tag in page.find_all("script", src=True)]
    assert any(src.endswith("focal-point.js") for src in scripts)
    assert all(src.startswith("/") and not src.startswith("//") for src in scripts)


def test_teasers_crop_around_the_focal_point(client):
    ArticleFactory(image=ImageFactory(file=image_file("wide.jpg", size=(900, 300)), focal_x=10))

    img = parse(client.get("/")).select_one(".teaser__image img")

    assert img["style"] == "object-position: 10% 50%"


# --- finding images ----------------------------------------------------------------------


def test_list_shows_thumbnails_and_search_finds_caption_and_credit(client, editor):
    ImageFactory(title="Substation", caption="Repairs in Kharkiv", credit="Photo: Reuters")
    ImageFactory(title="Metro", alt_text="A crowded platform", credit="Photo: AP")

    listing = parse(client.get(LIST_URL))
    assert len(listing.select("#result_list tbody tr")) == 2
    assert len(listing.select("#result_list tbody img")) == 2

    for term, expected in [
        ("Kharkiv", "Substation"),
        ("Reuters", "Substation"),
        ("platform", "Metro"),
    ]:
        rows = parse(client.get(LIST_URL, {"q": term})).select("#result_list tbody tr")
        assert [text_of(row.select_one(".field-title")) for row in rows] == [expected]


def test_filters_by_use_and_by_uploader(client, editor):
    other = UserFactory(username="oksana", is_staff=True)
    featured = ImageFactory(title="Featured one", uploaded_by=other)
    in_body = ImageFactory(title="In a body")
    ImageFactory(title="Spare")
    ArticleFactory(image=featured)
    ArticleFactory(
        body=f'<figure data-image-id="{in_body.pk}"><img src="/media/x.jpg" alt=""></figure>'
    )

    def titles(**params) -> set[str]:
        rows = parse(client.get(LIST_URL, params)).select("#result_list tbody .field-title")
        return {text_of(row) for row in rows}

    assert titles(used="yes") == {"Featured one", "In a body"}
    assert titles(used="no") == {"Spare"}
    assert titles(uploaded_by__id__exact=str(other.pk)) == {"Featured one"}


# --- deleting ------------------------------------------------------------------------------


def test_deleting_a_featured_image_is_refused_naming_the_article(client, editor):
    image = ImageFactory(title="Grid")
    ArticleFactory(title="Kyiv without power", image=image)

    page = client.get(delete_url(image))
    response = client.post(delete_url(image), {"post": "yes"})

    text = text_of(parse(page).select_one("#content"))
    assert "“Grid” is used by the articles below, so it cannot be deleted" in text
    assert "Article: Kyiv without power" in text
    assert response.status_code in {200, 403}
    assert LibraryImage.objects.filter(pk=image.pk).exists()


def test_deleting_an_image_shown_in_a_body_is_refused_naming_the_article(client, editor):
    image = ImageFactory(title="Grid")
    ArticleFactory(
        title="Київ без світла",
        body=f'<p>Intro</p><figure data-image-id="{image.pk}"><img src="/media/a.jpg" alt="">'
        "<figcaption>Night</figcaption></figure>",
    )

    text = text_of(parse(client.get(delete_url(image))).select_one("#content"))

    assert "Body of “Київ без світла”" in text
    client.post(delete_url(image), {"post": "yes"})
    assert LibraryImage.objects.filter(pk=image.pk).exists()


def test_bulk_delete_of_used_images_is_refused(client, editor):
    used, spare = ImageFactory(title="Used"), ImageFactory(title="Spare")
    ArticleFactory(title="Kyiv without power", image=used)

    response = client.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [used.pk, spare.pk]}
    )

    assert "Kyiv without power" in text_of(parse(response).select_one("#content"))
    assert LibraryImage.objects.count() == 2


def test_an_unused_image_is_deleted(client, editor):
    image = ImageFactory()

    response = client.post(delete_url(image), {"post": "yes"})

    assert response.status_code == 302
    assert not LibraryImage.objects.exists()


# --- who may do what -----------------------------------------------------------------------


def test_writers_upload_and_edit_but_do_not_delete(client):
    client.force_login(staff_in("Writers", username="wanda"))
    image = ImageFactory()

    assert client.get(LIST_URL).status_code == 200
    assert client.get(ADD_URL).status_code == 200
    assert client.post(change_url(image), change_data(image, title="Renamed")).status_code == 302
    assert client.get(delete_url(image)).status_code == 403
    client.post(delete_url(image), {"post": "yes"})
    assert LibraryImage.objects.get().title == "Renamed"


def test_moderators_have_no_access_to_the_library(client):
    client.force_login(staff_in("Moderators", username="moe"))
    image = ImageFactory()

    assert client.get(LIST_URL).status_code == 403
    assert client.get(change_url(image)).status_code == 403
    assert client.get(ADD_URL).status_code == 403


# --- the editor's JSON summary -----------------------------------------------------------


def summary_url(pk: int) -> str:
    return reverse("admin:images_image_summary", args=[pk])


def test_summary_gives_what_the_body_editor_needs(client, editor):
    image = ImageFactory(
        file=image_file("wide.jpg", size=(1600, 900)),
        title="Substation",
        alt_text=MIXED_ALT,
        caption="Repairs",
        credit="Photo: Reuters",
    )

    response = client.get(summary_url(image.pk))

    assert response.status_code == 200
    data = response.json()
    assert data == {
        "id": image.pk,
        "title": "Substation",
        "url": data["url"],
        "alt": MIXED_ALT,
        "caption": "Repairs",
        "credit": "Photo: Reuters",
        "width": 1600,
        "height": 900,
    }
    assert data["url"].startswith("/media/renditions/") and "-800w." in data["url"]
    assert client.get(data["url"]).status_code == 200


def test_summary_of_a_missing_image_is_404_json(client, editor):
    response = client.get(summary_url(999999))

    assert response.status_code == 404
    assert "999999" in response.json()["error"]


@pytest.mark.parametrize("who", ["anonymous", "reader", "moderator"])
def test_summary_is_refused_with_403_json_without_view_permission(client, who):
    image = ImageFactory()
    if who == "reader":
        client.force_login(UserFactory(username="reader"))
    elif who == "moderator":
        client.force_login(staff_in("Moderators", username="moe"))

    response = client.get(summary_url(image.pk))

    assert response.status_code == 403
    assert response.json() == {"error": "You may not view the media library."}


# --- choosing the featured image in the article admin -----------------------------------


def test_article_form_chooses_the_featured_image_from_the_library(client, editor):
    image = ImageFactory(title="Grid", alt_text="Engineers at a substation")
    article = ArticleFactory(image=image)

    page = parse(client.get(reverse("admin:articles_article_change", args=[article.pk])))

    field = page.find("input", attrs={"name": "image"})
    assert field["value"] == str(image.pk)
    lookup = page.find(id="lookup_id_image")
    assert lookup["href"].startswith(LIST_URL)
    preview = page.select_one(".image-chooser__preview img")
    assert preview["src"] == image.file.url
    assert preview["alt"] == "Engineers at a substation"
    chooser = page.select_one(".image-chooser")
    assert chooser["data-summary-url"] == summary_url(0)
    for old in ("image_alt", "image_caption", "image_credit"):
        assert page.find(attrs={"name": old}) is None


def test_library_popup_lists_thumbnails_with_search_filters_and_add(client, editor):
    ImageFactory(title="Grid")

    response = client.get(LIST_URL, {"_popup": "1", "_to_field": "id"})

    page = parse(response)
    assert response.status_code == 200
    assert page.select("#result_list tbody img")
    assert page.find("input", attrs={"name": "q"}) is not None
    assert page.select_one("#changelist-filter") is not None
    add = page.select_one("a.addlink")
    assert add is not None and "_popup=1" in add["href"]


def test_choosing_an_image_in_the_article_admin_stores_it(client, editor):
    image = ImageFactory(title="Grid")
    article = ArticleFactory(
        title="Kyiv without power", status=Article.Status.DRAFT, published_at=None
    )

    response = save_change(client, article, image=str(image.pk))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.image == image
    latest = article.revisions.order_by("-number").first()
    assert latest.content["image"] == {"id": image.pk, "title": "Grid"}
