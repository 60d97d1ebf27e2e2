"""The article form chooses the source from the original article's URL, in a real browser."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from articles.models import Article
from tests.browser.helpers import admin_log_in
from tests.factories import SourceFactory

pytestmark = pytest.mark.browser

EDITOR_USERNAME = "source-editor"
EDITOR_PASSWORD = "source-browser-password-83"


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser(
        username=EDITOR_USERNAME, email="sources@example.com", password=EDITOR_PASSWORD
    )


def test_typing_the_original_url_selects_its_source(page: Page, live_server, editor):
    SourceFactory(name="Reuters", slug="reuters", homepage="https://www.reuters.com/")
    source = SourceFactory(name="Київ Пост", slug="kyiv-post", homepage="https://www.kyivpost.com/")
    admin_log_in(page, live_server, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(live_server.url + "/admin/articles/article/add/")
    selection = page.locator("#id_source + .select2-container .select2-selection")
    expect(selection).not_to_contain_text("Київ Пост")

    # Typed key by key, with a domain spelled differently from the source's homepage.
    page.get_by_label("Original article URL:").press_sequentially("https://KyivPost.com/post/41827")

    expect(selection).to_contain_text("Київ Пост")
    expect(page.locator("#id_source")).to_have_value(str(source.pk))

    # Pasted over: a URL at another known source selects that one instead.
    page.get_by_label("Original article URL:").fill("https://www.reuters.com/world/europe/1")
    expect(selection).to_contain_text("Reuters")

    # And what the browser chose is what is saved.
    page.get_by_label("Original article URL:").fill("https://kyivpost.com/post/41827")
    expect(selection).to_contain_text("Київ Пост")
    page.get_by_label("Title:").fill("Київ без світла")
    page.get_by_label("Slug:").fill("kyiv-bez-svitla")
    page.get_by_label("Dek:").fill("Удари по енергосистемі вночі.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Article.objects.get().source == source
