"""The editorial workflow in a real browser: a writer submits, an editor schedules, readers wait.

A writer (Writers group, linked to an Author profile) writes an article in the admin and submits
it for review; an editor (Editors group), in a second browser context, previews it on the site
and schedules it a few seconds ahead; an anonymous reader, in a third context, sees it appear on
the home page only once the publish time has come. The groups come from data migrations, and the
live server's transactional database is flushed between tests, so they are made again here from
the same permission lists.
"""

import importlib
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Page, expect

from articles.models import Article
from tests.browser.helpers import admin_log_in, choose_in_autocomplete
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "workflow-browser-password-62"
TITLE = "Night trains to Kyiv run on schedule again"
SLUG = "night-trains-to-kyiv-run-on-schedule-again"
DEK = "Ukrzaliznytsia restored the overnight service after repairs to the line."
BODY = "The first train left Przemyśl at ten in the evening, full."
SECTION_NAME = "Ukraine war"
WRITER_AUTHOR_NAME = "Daryna Shevchuk"
SCHEDULE_AHEAD = timedelta(seconds=8)
APPEARANCE_TIMEOUT = 20  # seconds the reader waits for the scheduled article


def make_groups() -> tuple[Group, Group]:
    """Writers and Editors with the permissions their migrations give them."""
    roles = importlib.import_module("articles.migrations.0004_writer_and_editor_roles")
    groups = importlib.import_module("comments.migrations.0002_moderator_and_editor_groups")
    writers, _ = Group.objects.get_or_create(name="Writers")
    writers.permissions.set(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in roles.WRITER_PERMISSIONS
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=groups.EDITOR_APPS)
    )
    assert editors.permissions.filter(codename="publish_article").exists()
    return writers, editors


@pytest.fixture
def staff():
    """A writer with an Author profile, and an editor; neither is a superuser."""
    writers, editors = make_groups()
    writer = UserFactory(username="writer", is_staff=True, password=PASSWORD)
    writer.groups.add(writers)
    author = AuthorFactory(name=WRITER_AUTHOR_NAME, slug="daryna-shevchuk", user=writer)
    editor = UserFactory(username="editor", is_staff=True, password=PASSWORD)
    editor.groups.add(editors)
    return writer, author, editor


@pytest.fixture
def newsroom_data():
    SectionFactory(name="Business", slug="business")
    section = SectionFactory(name=SECTION_NAME, slug="ukraine-war")
    ArticleFactory(title="An older published story", slug="older-story")
    return section


def publish_buttons(page: Page):
    return page.get_by_role("button", name=re.compile("publish", re.IGNORECASE))


def teaser_link(page: Page):
    return page.locator(".teaser__title").get_by_role("link", name=TITLE, exact=True)


def test_writer_submits_editor_schedules_reader_sees_it_when_due(
    new_page, live_server, staff, newsroom_data, screenshot
):
    writer, author, editor_user = staff
    section = newsroom_data
    writer_page = new_page()
    editor_page = new_page()  # separate browser contexts: separate cookies and sessions
    reader = new_page()

    # The writer adds an article; the publishing controls are not theirs.
    admin_log_in(writer_page, live_server, writer.username, PASSWORD)
    writer_page.goto(live_server.url + "/admin/articles/article/")
    writer_page.get_by_role("link", name="Add article").click()
    expect(writer_page.get_by_role("heading", level=1, name="Add article")).to_be_visible()
    expect(publish_buttons(writer_page)).to_have_count(0)
    expect(writer_page.locator("#id_published_at_0")).to_have_count(0)

    writer_page.get_by_label("Title:").press_sequentially(TITLE)
    expect(writer_page.get_by_label("Slug:")).to_have_value(SLUG)
    writer_page.get_by_label("Dek:").fill(DEK)
    writer_page.locator(".ProseMirror[contenteditable=true]").click()
    writer_page.keyboard.type(BODY)
    expect(writer_page.locator("#id_body")).to_have_value(f"<p>{BODY}</p>")
    choose_in_autocomplete(writer_page, "id_section", "Ukr", SECTION_NAME)
    writer_page.get_by_role("button", name="Submit for review").click()

    expect(writer_page.locator(".messagelist")).to_contain_text("Submitted for review.")
    expect(writer_page.locator(".messagelist .error")).to_have_count(0)
    expect(publish_buttons(writer_page)).to_have_count(0)
    article = Article.objects.get(slug=SLUG)
    assert article.status == Article.Status.IN_REVIEW
    assert article.created_by == writer
    assert article.section == section
    assert article.byline_authors == [author]  # added for them, from their Author profile
    assert BODY in article.body

    # The editor finds it in the changelist and previews it on the site.
    admin_log_in(editor_page, live_server, editor_user.username, PASSWORD)
    editor_page.goto(live_server.url + "/admin/articles/article/")
    editor_page.locator("#result_list").get_by_role("link", name=TITLE, exact=True).click()
    expect(editor_page.get_by_role("heading", level=1, name="Change article")).to_be_visible()
    change_url = editor_page.url
    editor_page.get_by_role("link", name="View on site").click()
    expect(editor_page).to_have_url(live_server.url + article.get_absolute_url())
    expect(editor_page.locator(".preview-banner")).to_contain_text("Preview — not published.")
    expect(editor_page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()

    # Meanwhile readers cannot open it.
    response = reader.goto(live_server.url + article.get_absolute_url())
    assert response is not None and response.status == 404

    # Back in the admin, the editor schedules it a few seconds ahead.
    editor_page.goto(change_url)
    when = timezone.localtime(timezone.now() + SCHEDULE_AHEAD)
    editor_page.locator("#id_published_at_0").fill(when.strftime("%Y-%m-%d"))
    editor_page.locator("#id_published_at_1").fill(when.strftime("%H:%M:%S"))
    editor_page.get_by_role("button", name="Publish / schedule").click()

    expect(editor_page.locator(".messagelist")).to_contain_text(
        f"Scheduled for {when:%d %b %Y, %H:%M}."
    )
    expect(editor_page.locator(".field-status_display")).to_contain_text("Scheduled for")
    screenshot(editor_page, "workflow-scheduled.png")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == when.replace(microsecond=0)

    # The reader: not on the home page yet, then there once the time has come.
    reader.goto(live_server.url + "/")
    expect(reader.get_by_role("link", name="An older published story")).to_be_visible()
    if timezone.now() < article.published_at:  # else the check would be meaningless
        expect(teaser_link(reader)).to_have_count(0)
    deadline = time.monotonic() + APPEARANCE_TIMEOUT
    while teaser_link(reader).count() == 0 and time.monotonic() < deadline:
        reader.wait_for_timeout(1000)
        reader.reload()
    expect(teaser_link(reader)).to_be_visible()
    assert timezone.now() >= article.published_at

    teaser_link(reader).click()
    expect(reader).to_have_url(live_server.url + article.get_absolute_url())
    expect(reader.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(reader.locator(".preview-banner")).to_have_count(0)
    expect(reader.locator(".article__byline")).to_contain_text(f"By {WRITER_AUTHOR_NAME}")
    expect(reader.locator(".article__body")).to_contain_text(BODY)


def test_writer_viewing_article_in_review_is_offered_no_save(page, live_server, staff):
    writer, author, _ = staff
    article = ArticleFactory(
        title=TITLE, slug=SLUG, status=Article.Status.IN_REVIEW, published_at=None,
        created_by=writer, authors=[author],
    )  # fmt: skip
    admin_log_in(page, live_server, writer.username, PASSWORD)
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    expect(page.get_by_role("heading", level=1, name="View article")).to_be_visible()
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
