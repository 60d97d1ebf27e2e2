"""The media library in a real browser: a click on the preview sets the focal point, and an
editor chooses an article's featured image in the library popup and sees it at once."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from articles.models import Article
from images.models import Image as LibraryImage
from tests.browser.helpers import admin_log_in, choose_in_popup
from tests.factories import ArticleFactory, ImageFactory, image_file

pytestmark = pytest.mark.browser

USERNAME = "picture-editor"
PASSWORD = "admin-browser-password-83"


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser(
        username=USERNAME, email="pictures@example.com", password=PASSWORD
    )


def test_clicking_the_preview_sets_the_focal_point(page: Page, live_server, editor):
    image = ImageFactory(file=image_file("wide.jpg", size=(800, 400)), title="Substation")
    admin_log_in(page, live_server, USERNAME, PASSWORD)
    page.goto(f"{live_server.url}/admin/images/image/{image.pk}/change/")

    alt_text = page.get_by_label("Alt text:")
    box = alt_text.bounding_box()  # room to read the description whole
    assert box is not None and box["width"] >= 600, box
    picture = page.locator(".focal-point img")
    expect(picture).to_be_visible()
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    expect(page.locator("#id_focal_x")).to_have_value("25")
    expect(page.locator("#id_focal_y")).to_have_value("75")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (25, 75)


def test_editor_chooses_a_featured_image_in_the_library_popup(page: Page, live_server, editor):
    ImageFactory(title="Metro platform", alt_text="A crowded platform")
    wanted = ImageFactory(title="Substation at dawn", alt_text="Engineers at a substation")
    article = ArticleFactory(title="Kyiv without power", status=Article.Status.DRAFT)
    admin_log_in(page, live_server, USERNAME, PASSWORD)
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    with page.expect_popup() as opened:
        page.locator("#lookup_id_image").click()
    popup = opened.value
    popup.get_by_role("textbox").first.fill("substation")
    popup.keyboard.press("Enter")
    expect(popup.locator("#result_list tbody tr")).to_have_count(1)
    choose_in_popup(popup, popup.get_by_role("link", name="Substation at dawn"))

    expect(page.locator("#id_image")).to_have_value(str(wanted.pk))
    preview = page.locator(".image-chooser__preview img")
    expect(preview).to_have_attribute("alt", "Engineers at a substation")
    expect(page.locator(".image-chooser__preview")).to_contain_text("Substation at dawn")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.image == wanted
    assert LibraryImage.objects.count() == 2
