"""A refused comment lands the reader on its errors, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser

# Long enough that the comment form starts well below the first screen.
LONG_BODY = "".join(
    f"<p>Paragraph {n}: the convoy crossed another oblast overnight, and the drivers slept "
    "in the cabs while volunteers unloaded generators, blankets and medicine.</p>"
    for n in range(60)
)


@pytest.fixture
def article(settings):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 0
    return ArticleFactory(
        title="Winter aid convoy reaches Kharkiv",
        slug="winter-aid-convoy-reaches-kharkiv",
        body=LONG_BODY,
    )


def field(page: Page, label: str) -> Locator:
    return page.locator("#respond").get_by_role("textbox", name=label, exact=True)


def post_invalid_comment(page: Page) -> None:
    field(page, "Name").fill("Olena")
    field(page, "Email").fill("олена@")
    field(page, "Comment").fill("Thank you for this report.")
    page.locator("#respond").get_by_role("button", name="Post Comment").click()


def box_in_viewport(page: Page, locator: Locator) -> tuple[dict, dict]:
    box = locator.bounding_box()
    assert box is not None
    viewport = page.evaluate("({width: innerWidth, height: innerHeight})")
    return box, viewport


def test_failed_comment_focuses_the_error_summary(new_page, live_server, article):
    page = new_page()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("scrollY") == 0
    post_invalid_comment(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Winter aid convoy reaches Kharkiv"))
    box, viewport = box_in_viewport(page, summary)
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert page.evaluate("scrollY") > 0
    expect(field(page, "Email")).to_have_value("олена@")

    # Each error in the summary leads to its field.
    summary.get_by_role("link").first.click()
    expect(field(page, "Email")).to_be_focused()


def test_failed_comment_lands_on_the_form_without_javascript(new_page, live_server, article):
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + article.get_absolute_url())
    post_invalid_comment(page)

    expect(page).to_have_url(re.compile(r"#respond$"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator("#error-summary")).to_contain_text("There is a problem")
    box, viewport = box_in_viewport(page, page.locator("#respond"))
    assert -1 <= box["y"] < viewport["height"] / 2, (box, viewport)
    summary, _ = box_in_viewport(page, page.locator("#error-summary"))
    assert summary["y"] >= 0 and summary["y"] + summary["height"] <= viewport["height"]
    assert page.evaluate("scrollY") > 0
