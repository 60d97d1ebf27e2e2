"""A reader comments and replies; a moderator approves from the admin queue; in a real browser."""

import importlib
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.http import HttpResponse
from playwright.sync_api import Page, expect

from comments.models import Comment
from comments.threads import remember_commenter
from tests.browser.helpers import admin_log_in
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.browser

READER_NAME = "Halyna Moroz"
READER_EMAIL = "halyna@example.com"
FIRST_COMMENT = "The volunteers in Kharkiv deserve every bit of this coverage."
REPLY = "Agreed, and the drivers who crossed the country at night too."
MODERATOR_PASSWORD = "moderator-browser-password-81"
AWAITING = "Your comment is awaiting moderation."


@pytest.fixture
def comment_settings(settings):
    """No form-age or flood delay, and every comment held, so the queue is always exercised.

    The live server runs in this process, so these overrides reach its requests. With the
    default "first_time" mode the reply (same email, already approved once) would be published
    at once and never reach the queue.
    """
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 0
    settings.NEWSROOM_COMMENT_MODERATION = "all"
    return settings


@pytest.fixture
def article():
    return ArticleFactory(
        title="Winter aid convoy reaches Kharkiv",
        slug="winter-aid-convoy-reaches-kharkiv",
        body="<p>The convoy left Lviv on Monday morning and crossed the country by night.</p>",
    )


@pytest.fixture
def moderator():
    """A staff member in the Moderators group, with the group's own permissions.

    The group comes from a data migration; the transactional database of the live server is
    flushed between tests, which empties it, so it is made again here from the same list.
    """
    migration = importlib.import_module("comments.migrations.0002_moderator_and_editor_groups")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codename in migration.MODERATOR_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user = UserFactory(username="moderator", is_staff=True, password=MODERATOR_PASSWORD)
    user.groups.add(group)
    return user


def labelled_field(page: Page, label: str):
    """The field whose <label> gives it this accessible name.

    Not ``get_by_label(label)``: that matches label text as a substring ("Name" also finds the
    "Save my name, email, …" box), and with exact=True it fails on the aria-hidden "*" of
    required fields. The accessible name (which excludes the "*") is what a screen reader says.
    """
    return page.locator("#respond").get_by_role("textbox", name=label, exact=True)


def fill_comment_form(page: Page, body: str) -> None:
    labelled_field(page, "Name").fill(READER_NAME)
    labelled_field(page, "Email").fill(READER_EMAIL)
    labelled_field(page, "Comment").fill(body)
    page.locator("#respond").get_by_role("button", name="Post Comment").click()


def approve_from_queue(page: Page, live_server, body: str) -> None:
    """Comments → the pending queue → tick the comment → "Approve selected comments" → Run."""
    page.goto(live_server.url + "/admin/")
    # The model's row (the app's own heading link, also "Comments", opens the app index).
    page.locator("tr.model-comment").get_by_role("link", name="Comments", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/comments/comment/\?status=pending$"))
    row = page.locator("#result_list tbody tr").filter(has_text=body[:40])
    expect(row).to_have_count(1)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Approve selected comments")
    page.get_by_role("button", name=re.compile(r"^(Run|Go)$")).click()
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    expect(page.locator("#result_list tbody tr").filter(has_text=body[:40])).to_have_count(0)


def test_reader_comments_moderator_approves_reader_replies(
    new_page, live_server, comment_settings, article, moderator, screenshot
):
    reader = new_page()
    admin = new_page()  # a second browser context: its own cookies and session
    article_url = live_server.url + article.get_absolute_url()

    # The reader posts a first comment; it is held, and only they see it, marked as held.
    reader.goto(article_url)
    fill_comment_form(reader, FIRST_COMMENT)
    expect(reader.locator(".messages")).to_contain_text(AWAITING)
    parent = Comment.objects.get(body=FIRST_COMMENT)
    assert parent.status == Comment.Status.PENDING
    held = reader.locator(f"#comment-{parent.pk}")
    expect(held).to_contain_text(FIRST_COMMENT)
    expect(held).to_have_class(re.compile(r"\bcomment--pending\b"))
    expect(held.locator(".comment__awaiting")).to_have_text(
        "Your comment is awaiting moderation. Only you can see it."
    )
    expect(held.get_by_role("link", name=f"Reply to {READER_NAME}")).to_have_count(0)

    # The moderator approves it from the queue.
    admin_log_in(admin, live_server, moderator.username, MODERATOR_PASSWORD)
    approve_from_queue(admin, live_server, FIRST_COMMENT)
    parent.refresh_from_db()
    assert parent.status == Comment.Status.APPROVED

    # The reader reloads: published. "Reply" moves the form under the comment (JavaScript).
    reader.goto(article_url)
    published = reader.locator(f"#comment-{parent.pk}")
    expect(published).to_contain_text(FIRST_COMMENT)
    expect(published).not_to_have_class(re.compile(r"\bcomment--pending\b"))
    expect(published.locator(".comment__awaiting")).to_have_count(0)
    published.get_by_role("link", name=f"Reply to {READER_NAME}").click()
    expect(reader).to_have_url(article_url)  # no navigation: the script handled it
    expect(reader.locator("#reply-title")).to_contain_text(f"Replying to {READER_NAME}")
    expect(published.locator("#respond")).to_be_visible()
    expect(reader.locator("#respond input[name=parent]")).to_have_value(str(parent.pk))
    # "Save my name…" was not ticked, so the form is empty: focus starts at Name.
    expect(labelled_field(reader, "Name")).to_be_focused()

    fill_comment_form(reader, REPLY)
    expect(reader.locator(".messages")).to_contain_text(AWAITING)
    reply = Comment.objects.get(body=REPLY)
    assert reply.parent_id == parent.pk
    assert reply.status == Comment.Status.PENDING
    expect(reader.locator(f"#comment-{reply.pk} .comment__awaiting")).to_be_visible()

    # The moderator approves the reply; the reader sees it nested in the parent's list item.
    approve_from_queue(admin, live_server, REPLY)
    reader.goto(article_url)
    nested = reader.locator(f"#comment-{parent.pk} li")
    expect(nested).to_have_count(1)
    expect(nested).to_have_id(f"comment-{reply.pk}")
    expect(nested).to_contain_text(REPLY)
    expect(nested.locator(".comment__awaiting")).to_have_count(0)
    expect(reader.get_by_role("heading", name="2 Comments")).to_be_visible()

    screenshot(reader, "comments-thread.png")


def test_reply_link_works_without_javascript(new_page, live_server, comment_settings, article):
    parent = CommentFactory(
        article=article,
        name=READER_NAME,
        email=READER_EMAIL,
        body=FIRST_COMMENT,
        status=Comment.Status.APPROVED,
    )
    page = new_page(java_script_enabled=False)
    article_url = live_server.url + article.get_absolute_url()
    page.goto(article_url)
    expect(page.locator("#reply-title")).to_have_text("Leave a comment")

    page.locator(f"#comment-{parent.pk}").get_by_role(
        "link", name=f"Reply to {READER_NAME}"
    ).click()

    expect(page).to_have_url(f"{article_url}?replytocom={parent.pk}#respond")
    expect(page.locator("#reply-title")).to_contain_text(f"Replying to {READER_NAME}")
    expect(page.locator("#respond input[name=parent]")).to_have_value(str(parent.pk))
    expect(page.get_by_role("link", name="Cancel reply")).to_have_attribute(
        "href", article.get_absolute_url() + "#respond"
    )


def approved_comment(article) -> Comment:
    return CommentFactory(
        article=article,
        name=READER_NAME,
        email=READER_EMAIL,
        body=FIRST_COMMENT,
        status=Comment.Status.APPROVED,
    )


def test_reply_focuses_name_for_a_first_time_commenter(new_page, live_server, article):
    parent = approved_comment(article)
    page = new_page()
    page.goto(live_server.url + article.get_absolute_url())

    page.locator(f"#comment-{parent.pk}").get_by_role(
        "link", name=f"Reply to {READER_NAME}"
    ).click()

    expect(page.locator(f"#comment-{parent.pk} #respond")).to_be_visible()
    expect(labelled_field(page, "Name")).to_be_focused()


def test_reply_focuses_the_comment_when_name_and_email_are_remembered(
    new_page, live_server, article
):
    parent = approved_comment(article)
    response = HttpResponse()
    remember_commenter(
        response, name="Ostap Bender", email="ostap@example.com", website="", secure=False
    )
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": cookie.key,
                "value": cookie.value,
                "url": live_server.url,
            }
            for cookie in response.cookies.values()
        ]
    )
    page.goto(live_server.url + article.get_absolute_url())
    expect(labelled_field(page, "Name")).to_have_value("Ostap Bender")
    expect(labelled_field(page, "Email")).to_have_value("ostap@example.com")

    page.locator(f"#comment-{parent.pk}").get_by_role(
        "link", name=f"Reply to {READER_NAME}"
    ).click()

    expect(labelled_field(page, "Comment")).to_be_focused()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_reader_comments_on_a_page_served_from_the_page_cache(
    new_page, live_server, comment_settings, article, screenshot, javascript
):
    """The article page comes from the shared page cache, the same bytes for everyone, with
    no token in it. With JavaScript the form fetches its tokens when the reader starts
    writing; without it the first post answers with the form to send again."""
    comment_settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    comment_settings.NEWSROOM_COMMENT_MIN_SECONDS = 3  # the default: the resend is not "too fast"
    article_url = live_server.url + article.get_absolute_url()
    warm = new_page()
    warm.goto(article_url)  # fills the cache
    reader = new_page(java_script_enabled=javascript)

    answer = reader.goto(article_url)

    assert answer.headers["x-cache"] == "hit"
    assert reader.context.cookies() == []
    if javascript:
        labelled_field(reader, "Name").fill(READER_NAME)
        reader.wait_for_timeout(3100)  # a reader writing; the token was fetched at the focus
        labelled_field(reader, "Email").fill(READER_EMAIL)
        labelled_field(reader, "Comment").fill(FIRST_COMMENT)
        reader.locator("#respond").get_by_role("button", name="Post Comment").click()
    else:
        fill_comment_form(reader, FIRST_COMMENT)
        expect(reader.locator("#error-summary")).to_contain_text("press Post Comment again")
        expect(labelled_field(reader, "Comment")).to_have_value(FIRST_COMMENT)
        assert Comment.objects.count() == 0
        reader.locator("#respond").get_by_role("button", name="Post Comment").click()
    expect(reader.locator(".messages")).to_contain_text(AWAITING)
    comment = Comment.objects.get(body=FIRST_COMMENT)
    assert comment.status == Comment.Status.PENDING  # held by the "all" mode, not spam
    expect(reader.locator(f"#comment-{comment.pk}")).to_contain_text(FIRST_COMMENT)
