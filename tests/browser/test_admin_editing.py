"""An editor writes and publishes an article in the admin, in a real browser.

Covers the admin's JavaScript end to end: the slug prepopulated from the title, the Trix body
editor (bold, and a heading that must be an <h2>), the select2 autocompletes for the section and
the byline's author, the tag suggestions <datalist>, and then the public page of the result.
The ``new_page`` fixture (conftest) fails the test if any request left the live server.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Locator, Page, expect

from articles.models import Article
from tests.browser.helpers import admin_log_in, choose_in_autocomplete
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.browser

EDITOR_USERNAME = "editor-in-chief"
EDITOR_PASSWORD = "admin-browser-password-47"
TITLE = "Power restored to Kharkiv after overnight strikes"
SLUG = "power-restored-to-kharkiv-after-overnight-strikes"
DEK = "Engineers worked through the night to reconnect two districts."
HEADING = "What happened overnight"
BOLD_WORD = "forty"
AUTHOR_NAME = "Olena Kovalenko"
SECTION_NAME = "Ukraine war"


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser(
        username=EDITOR_USERNAME, email="editor@example.com", password=EDITOR_PASSWORD
    )


@pytest.fixture
def newsroom_data():
    """A section and an author to pick, and an existing "Ukraine" tag to be suggested."""
    SectionFactory(name="Business", slug="business")
    section = SectionFactory(name=SECTION_NAME, slug="ukraine-war")
    AuthorFactory(name="Mark Whitfield", slug="mark-whitfield")
    author = AuthorFactory(name=AUTHOR_NAME, slug="olena-kovalenko")
    ArticleFactory(title="Older story", slug="older-story", tags=["Ukraine", "Energy"])
    return section, author


def toolbar_button(page: Page, attribute: str) -> Locator:
    return page.locator(f"trix-toolbar button[data-trix-attribute='{attribute}']")


def test_editor_writes_and_publishes_an_article(
    page: Page, live_server, editor, newsroom_data, screenshot
):
    section, author = newsroom_data
    admin_log_in(page, live_server, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(live_server.url + "/admin/articles/article/")
    page.get_by_role("link", name="Add article").click()
    expect(page.get_by_role("heading", level=1, name="Add article")).to_be_visible()

    # The headline and the dek get room to be read whole, not the admin's 20em text box;
    # the empty body editor is a page to write on, not a thin strip.
    for field in [
        page.get_by_label("Title:"),
        page.get_by_label("Dek:"),
        page.locator("trix-editor"),
    ]:
        box = field.bounding_box()
        assert box is not None and box["width"] >= 600, (field, box)

    # Title, typed key by key: the admin's prepopulate.js fills the slug from it.
    page.get_by_label("Title:").press_sequentially(TITLE)
    expect(page.get_by_label("Slug:")).to_have_value(SLUG)
    page.get_by_label("Dek:").fill(DEK)

    # Body, in the Trix editor: a heading, then a paragraph with one bold word.
    body_editor = page.locator("trix-editor")
    body_editor.click()
    page.keyboard.type(HEADING)
    toolbar_button(page, "heading1").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Crews reconnected ")
    toolbar_button(page, "bold").click()
    page.keyboard.type(BOLD_WORD)
    toolbar_button(page, "bold").click()
    page.keyboard.type(" substations before dawn.")
    expect(body_editor.locator("h2")).to_have_text(HEADING)
    expect(body_editor.locator("h1")).to_have_count(0)
    expect(body_editor.locator("strong")).to_have_text(BOLD_WORD)
    body_input = page.locator("input[type=hidden][name=body]")
    # What the form will post: Trix keeps the hidden input in step with the editor. (Trix
    # sometimes writes the spaces around the bold word as &nbsp;, depending on typing timing.)
    expect(body_input).to_have_value(re.compile(rf"^<h2>{HEADING}</h2>"))
    expect(body_input).to_have_value(
        re.compile(rf"reconnected(?: |&nbsp;)<strong>{BOLD_WORD}</strong>(?: |&nbsp;)substations")
    )

    # Section and the byline's author through select2 autocompletes (AJAX to the admin).
    choose_in_autocomplete(page, "id_section", "Ukr", SECTION_NAME)
    choose_in_autocomplete(page, "id_bylines-0-author", "Olena", AUTHOR_NAME)

    # Tags: typing "Ukr" after a first tag makes the datalist offer the existing "Ukraine".
    tags = page.locator("#id_tags")
    tags.press_sequentially("Kharkiv, Ukr")
    datalist = page.locator("datalist#" + tags.get_attribute("list"))
    suggestion = datalist.locator("option")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("label", "Ukraine")
    expect(suggestion).to_have_attribute("value", "Kharkiv, Ukraine")
    tags.fill(suggestion.get_attribute("value"))  # what picking the suggestion does

    # Publishing is a workflow button (no status field); an empty publish time means now.
    expect(page.locator(".field-status_display")).to_contain_text("Draft (new)")

    page.evaluate("window.scrollTo(0, 0)")  # keeps the sticky admin sidebar at the top
    screenshot(page, "admin-add-article.png")
    page.get_by_role("button", name="Publish / schedule").click()

    expect(page.locator(".messagelist .success").first).to_be_visible()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".messagelist")).to_contain_text("Published.")
    article = Article.objects.get(slug=SLUG)
    assert article.status == Article.Status.PUBLISHED
    assert article.section == section
    assert article.byline_authors == [author]
    assert sorted(article.tags.names()) == ["Kharkiv", "Ukraine"]

    page.goto(live_server.url + article.get_absolute_url())
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator(".article__dek")).to_have_text(DEK)
    body = page.locator(".article__body")
    expect(body.locator("h2")).to_have_text(HEADING)
    expect(body.locator("strong")).to_have_text(BOLD_WORD)
    expect(body).to_contain_text(f"Crews reconnected {BOLD_WORD} substations before dawn.")
    expect(page.locator(".article__byline")).to_contain_text(f"By {AUTHOR_NAME}")
    expect(page.locator(".article__byline").get_by_role("link", name=AUTHOR_NAME)).to_be_visible()
    expect(page.get_by_role("link", name="Ukraine", exact=True)).to_be_visible()


def test_body_heading_looks_like_text_not_an_admin_section_bar(page: Page, live_server, editor):
    admin_log_in(page, live_server, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(live_server.url + "/admin/articles/article/add/")
    body_editor = page.locator("trix-editor")
    body_editor.click()
    page.keyboard.type(HEADING)
    toolbar_button(page, "heading1").click()
    heading = body_editor.locator("h2")
    expect(heading).to_have_text(HEADING)

    styles = heading.evaluate(
        """h2 => {
            const own = getComputedStyle(h2), editor = getComputedStyle(h2.parentElement);
            return {background: own.backgroundColor, color: own.color, editor: editor.color};
        }"""
    )
    assert styles["background"] == "rgba(0, 0, 0, 0)", styles
    assert styles["color"] == styles["editor"], styles
