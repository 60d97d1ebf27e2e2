"""Readers report a comment without JavaScript; enough reports put it back in the queue."""

import re

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment, CommentReport
from tests.factories import ArticleFactory, CommentFactory

from .helpers import admin_log_in
from .test_accessibility import SCHEMES, audit, expect_scheme

# The Moderators group, made again after the live server's database flush.
from .test_commenting import MODERATOR_PASSWORD, moderator  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def reported(settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 2
    article = ArticleFactory(title="Night trains return to the Carpathians")
    comment = CommentFactory(article=article, name="Spam Bot", body="Cheap watches, click here")
    return article, comment


def open_report_page(page: Page, live_server, article, comment) -> None:
    page.goto(live_server.url + article.get_absolute_url())
    # The article page may be cached and set no cookie: the report must not need one from it.
    page.context.clear_cookies()
    page.get_by_role("link", name="Report the comment by Spam Bot").click()
    expect(page).to_have_url(live_server.url + f"/comments/{comment.pk}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")


def test_report_without_javascript(new_page, live_server, reported):
    article, comment = reported
    page = new_page(java_script_enabled=False, user_agent="First reader's browser")
    open_report_page(page, live_server, article, comment)

    # No reason chosen: the error by the reasons, the note kept.
    page.get_by_label("Anything moderators should know").fill("Реклама 🤖 إعلان")
    page.get_by_role("button", name="Send report").click()
    expect(page).to_have_title(re.compile(r"^Error: Report a comment"))
    reasons = page.get_by_role("group", name="What is wrong with this comment?")
    expect(reasons).to_contain_text("Please choose a reason.")
    expect(page.get_by_label("Anything moderators should know")).to_have_value("Реклама 🤖 إعلان")
    assert not CommentReport.objects.exists()

    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("status")).to_have_text("Your report has been sent to the moderators.")
    stored = CommentReport.objects.get()
    assert (stored.reason, stored.note) == ("spam", "Реклама 🤖 إعلان")
    page.get_by_role("link", name=re.compile("Back to")).click()
    expect(page.locator(f"#comment-{comment.pk}")).to_be_visible()  # one report is not enough

    # The same reader again: told so, nothing stored.
    page.goto(live_server.url + f"/comments/{comment.pk}/report/")
    page.get_by_label("Off-topic").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#error-summary")).to_contain_text(
        "You have already reported this comment."
    )
    assert CommentReport.objects.count() == 1


def test_second_reader_sends_it_to_the_queue(new_page, live_server, reported, moderator):  # noqa: F811
    article, comment = reported
    for reader, reason in (("Reader A", "Spam"), ("Reader B", "Abusive or hateful")):
        page = new_page(java_script_enabled=False, user_agent=reader)
        open_report_page(page, live_server, article, comment)
        page.get_by_label(reason).check()
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    page.get_by_role("link", name=re.compile("Back to")).click()
    expect(page.locator(f"#comment-{comment.pk}")).to_have_count(0)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING

    admin = new_page()
    admin_log_in(admin, live_server, moderator.username, MODERATOR_PASSWORD)
    admin.goto(live_server.url + "/admin/comments/comment/?status=pending")
    row = admin.locator("#result_list tbody tr").filter(has_text="Cheap watches")
    expect(row.locator(".field-reasons")).to_have_text("reported by readers (2)")
    expect(row.locator(".field-reader_reports")).to_contain_text("2 reports")
    expect(row.locator(".field-reader_reports")).to_contain_text("Abusive or hateful 1")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_report_page_is_accessible_and_fits_320_px(new_page, live_server, scheme):
    comment = CommentFactory(
        article=ArticleFactory(),
        name="Довгеім'я" * 8,
        body="https://spam.example/" + "x" * 300 + " تعليق 😡",
    )
    page = new_page(color_scheme=scheme, viewport={"width": 320, "height": 640})
    page.goto(live_server.url + f"/comments/{comment.pk}/report/")
    page.get_by_role("button", name="Send report").click()  # refused: no reason chosen
    expect(page.locator(".field-error")).to_have_text(["Please choose a reason."])
    expect_scheme(page, scheme)

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    audit(page, f"report page with a refused report ({scheme})")
