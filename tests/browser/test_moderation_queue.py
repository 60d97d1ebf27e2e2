"""The moderation queue fits a laptop screen, however long or strange the held comments are.

The queue is opened as a moderator first sees it: a fresh browser, so both the navigation sidebar
and the filter sidebar are open, which leaves the table about 630 px at 1280 px. It holds a
3,000-character comment with three hold reasons, a comment made of two 200-character URLs, an
unbroken 3,000-character word, a 100-character email, Cyrillic and Arabic names and an emoji.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.browser.helpers import admin_log_in
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.browser

USERNAME = "queue-moderator"
PASSWORD = "queue-browser-password-31"
VIEWPORT_HEIGHT = 800
# The tallest cell is the commenter's: a two-line name, a two-line email, the IP address and
# their record, about 120 px at 1280. 160 px keeps four or more rows in view on an 800 px
# screen, and is far below what one unclamped 3,000-character comment takes (over 1,500 px).
MAX_ROW_HEIGHT = 160

LONG_COMMENT = " ".join(
    "The council said the repairs to the east bank pumping station would take three weeks, "
    "but residents have heard that before and the river is rising again this spring."
    for _ in range(19)
)[:3000]
LONG_URL = ("https://example.com/reports/" + "flood-defences-east-bank-" * 8)[:200]
LONG_EMAIL = "oleksandra.vyshnevska-kovalenko.flood.committee@" + "kharkiv-" * 5 + "example.org"
assert len(LONG_EMAIL) <= 100  # the column's length; SQLite would not say


@pytest.fixture
def moderator():
    return get_user_model().objects.create_superuser(
        username=USERNAME, email="queue@example.com", password=PASSWORD
    )


@pytest.fixture
def queue():
    """Held comments, oldest first as the queue lists them; returns the 3,000-character one."""
    article = ArticleFactory(
        title="Flood barriers on the east bank will not be ready before the spring thaw, "
        "the council admits"
    )
    parent = CommentFactory(
        article=article,
        name="Taras Bondar",
        email="taras@example.com",
        body="Does anyone know when the pumping station reopens?",
        status=Comment.Status.APPROVED,
    )
    held = [
        {
            "name": "Олександра Вишневська-Коваленко",
            "email": LONG_EMAIL,
            "ip_address": "203.0.113.7",
            "body": LONG_COMMENT,
            "hold_reasons": [
                "first-time commenter",
                "3 links (limit 2)",
                "moderation keyword 'casino' in body",
            ],
            "parent": parent,
        },
        {
            "name": "محمد عبد الرحمن الهاشمي",
            "email": "mohammed@example.com",
            "ip_address": "2001:db8:85a3::8a2e:370:7334",
            "body": f"Both reports: {LONG_URL} and {LONG_URL}",
            "hold_reasons": ["first-time commenter", "2 links (limit 2)"],
        },
        {
            "name": "Ada 🦊 Reader",
            "email": "ada@example.com",
            "ip_address": "198.51.100.23",
            "body": "Thank you for staying with this story 🙏",
            "hold_reasons": ["first-time commenter"],
        },
        {
            "name": "Bartholomew" * 8,
            "email": "b" * 60 + "@" + "c" * 30 + ".org",
            "body": "z" * 3000,
            "hold_reasons": ["moderation keyword 'loan' in name"],
        },
    ]
    comments = []
    for minutes_ago, fields in zip(range(len(held) * 10, 0, -10), held, strict=True):
        comment = CommentFactory(article=article, status=Comment.Status.PENDING, **fields)
        Comment.objects.filter(pk=comment.pk).update(
            submitted_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
        comments.append(comment)
    return comments[0]


def measure(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            return {
                page: document.documentElement.scrollWidth,
                table: table.scrollWidth,
                container: table.parentElement.clientWidth,
                rows: [...table.querySelectorAll('tbody tr')].map(
                    (row) => row.getBoundingClientRect().height),
            };
        }"""
    )


@pytest.mark.parametrize("width", [1280, 1440])
def test_queue_fits_a_laptop_screen(new_page, live_server, moderator, queue, width, screenshot):
    page = new_page(viewport={"width": width, "height": VIEWPORT_HEIGHT})
    admin_log_in(page, live_server, USERNAME, PASSWORD)
    page.goto(live_server.url + "/admin/comments/comment/")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    # Both sidebars open: the narrowest the table gets at this width.
    expect(page.locator("#nav-sidebar")).to_be_visible()
    expect(page.locator("#changelist-filter")).to_be_visible()
    screenshot(page, f"moderation-queue-{width}.png")

    sizes = measure(page)
    assert sizes["page"] <= width, f"the page scrolls sideways: {sizes}"
    assert sizes["table"] <= sizes["container"], f"the table is wider than its place: {sizes}"
    assert max(sizes["rows"]) <= MAX_ROW_HEIGHT, f"a row is too tall: {sizes['rows']}"

    # The long comment is cut short in the queue, not dropped: its text starts there and the
    # whole of it is on the comment's own page.
    long_row = page.locator("#result_list tbody tr").filter(has_text=LONG_COMMENT[:60])
    expect(long_row).to_contain_text("first-time commenter")
    expect(long_row).to_contain_text("moderation keyword 'casino' in body")
    expect(long_row).to_contain_text(LONG_EMAIL[:20])
    long_row.get_by_role("link", name=LONG_COMMENT[:40]).click()
    expect(page).to_have_url(
        f"{live_server.url}/admin/comments/comment/{queue.pk}/change/?_changelist_filters=status%3Dpending"
    )
    expect(page.locator("#id_body")).to_have_value(LONG_COMMENT)
