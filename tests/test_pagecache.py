"""The shared page cache and the HTTP caching headers of public pages (newsroom/pagecache.py)."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import notes, revisions, workflow
from articles.models import Article
from comments.models import Comment
from comments.moderation import actions
from comments.personal_data import erase_commenter_data
from tests.comments.helpers import make_comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 600
    settings.NEWSROOM_CACHE_MAX_AGE = 0
    settings.NEWSROOM_CACHE_S_MAXAGE = 60
    settings.NEWSROOM_CACHE_STALE_WHILE_REVALIDATE = 30


@pytest.fixture
def editor():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def article():
    return ArticleFactory(
        title="Dam holds after the storm",
        section=SectionFactory(name="Weather", slug="weather"),
        authors=[AuthorFactory(name="Olena Kovalenko", slug="olena")],
        source=SourceFactory(),
        tags=["floods"],
    )


def reader() -> Client:
    """A reader with no cookies, whose pages the cache may serve."""
    return Client(HTTP_ACCEPT_ENCODING="")


PUBLIC_PAGES = {
    "home": lambda a: reverse("articles:home"),
    "article": lambda a: a.get_absolute_url(),
    "section": lambda a: reverse("articles:section", args=["weather"]),
    "tag": lambda a: reverse("articles:tag", args=["floods"]),
    "source": lambda a: reverse("articles:source", args=[a.source.slug]),
    "author": lambda a: reverse("authors:detail", args=["olena"]),
    "archive": lambda a: reverse("articles:archive_year", args=[a.published_at.year]),
    "feed": lambda a: reverse("articles:feed_rss"),
    "sitemap": lambda a: reverse("sitemap-index"),
    "sitemap-section": lambda a: reverse("sitemap-section", args=["articles"]),
    "news-sitemap": lambda a: reverse("news-sitemap"),
}


@pytest.mark.parametrize("address", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_second_anonymous_get_is_a_hit_without_queries(address, article, django_assert_num_queries):
    url = address(article)
    first = reader().get(url)
    assert first.status_code == 200
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = reader().get(url)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize("address", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_headers(address, article):
    response = reader().get(address(article))
    assert response["Cache-Control"] == (
        "public, max-age=0, s-maxage=60, stale-while-revalidate=30"
    )
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert response.has_header("Last-Modified")
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies


def test_anonymous_article_page_sets_no_cookie_and_does_not_vary_on_cookies(article):
    response = reader().get(article.get_absolute_url())
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "cookie" not in response.get("Vary", "").lower()


def test_cache_control_settings_are_used(article, settings):
    settings.NEWSROOM_CACHE_MAX_AGE = 5
    settings.NEWSROOM_CACHE_S_MAXAGE = 120
    settings.NEWSROOM_CACHE_STALE_WHILE_REVALIDATE = 600
    response = reader().get(reverse("articles:home"))
    assert response["Cache-Control"] == (
        "public, max-age=5, s-maxage=120, stale-while-revalidate=600"
    )


@pytest.mark.parametrize("warm", [False, True], ids=["miss", "hit"])
def test_if_none_match_gets_304(warm, article):
    url = article.get_absolute_url()
    etag = reader().get(url)["ETag"]
    if warm:
        reader().get(url)
    response = reader().get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_if_modified_since_gets_304_until_the_content_changes(article, editor):
    url = reverse("articles:home")
    last_modified = reader().get(url)["Last-Modified"]
    assert reader().get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        workflow.transition(
            ArticleFactory(draft=True, authors=[AuthorFactory()]), action="publish", actor=editor
        )
        assert reader().get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_a_stale_etag_gets_the_page(article):
    response = reader().get(article.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert response.status_code == 200


def test_gzip_and_plain_readers_get_their_own_copy(article):
    url = reverse("articles:home")
    gzip = Client(HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.get(url)["Content-Encoding"] == "gzip"
    plain = reader().get(url)
    assert plain["X-Cache"] == "miss"
    assert "Content-Encoding" not in plain
    hit = Client(HTTP_ACCEPT_ENCODING="gzip, deflate").get(url)
    assert hit["X-Cache"] == "hit"
    assert hit["Content-Encoding"] == "gzip"
    assert hit["ETag"] != plain["ETag"]  # strong ETags name the bytes sent


def test_a_hit_carries_the_security_headers_of_the_page(article):
    url = article.get_absolute_url()
    first = reader().get(url)
    hit = reader().get(url)
    assert hit["X-Cache"] == "hit"
    for header in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
    ):
        assert hit[header] == first[header], header


def test_tracking_parameters_share_the_page_of_the_plain_address(article):
    url = article.get_absolute_url()
    assert reader().get(url)["X-Cache"] == "miss"
    for query in (
        "?utm_source=newsletter&utm_medium=email",
        "?fbclid=IwAR0xyz",
        "?_=1700000",
        "?utm_source=%D0%9F%D0%BE%D1%88%D1%82%D0%B0%20%F0%9F%93%A8",  # "Пошта 📨"
    ):
        response = reader().get(url + query)
        assert response["X-Cache"] == "hit", query


def test_parameters_a_page_reads_keep_their_own_copies(article, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for number in range(3):
        ArticleFactory(title=f"Older story {number}", section=article.section)
    home = reverse("articles:home")
    first_page = reader().get(home)
    cursor = first_page.content.decode().split("?older=", 1)[1].split('"', 1)[0]
    older = reader().get(f"{home}?older={cursor}&utm_campaign=x")
    assert older["X-Cache"] == "miss"
    assert older.content != first_page.content
    assert reader().get(f"{home}?older={cursor}")["X-Cache"] == "hit"


def test_every_parameter_public_pages_read_is_part_of_the_cache_key():
    """A parameter read by a public view but dropped from the key would serve one reader's
    page to another: every ``request.GET`` name outside the admin is a page parameter, or
    one of the search page's (private, never cached)."""
    import ast
    from pathlib import Path

    from newsroom.pagecache import PAGE_PARAMS

    root = Path(__file__).resolve().parent.parent
    read: set[str] = set()
    for app in ("articles", "authors", "comments", "newsroom", "images", "accounts"):
        for module in (root / app).rglob("*.py"):
            if "admin" in module.name or "migrations" in module.parts:
                continue
            tree = ast.parse(module.read_text())
            constants = {  # NAME = "thread": a parameter read through its constant
                target.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for node in ast.walk(tree):
                target = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr == "get" and node.args:
                        target, name = node.func.value, node.args[0]
                elif isinstance(node, ast.Subscript):
                    target, name = node.value, node.slice
                if isinstance(target, ast.Attribute) and target.attr == "GET":
                    if isinstance(name, ast.Name):
                        name = ast.Constant(constants.get(name.id, name.id))
                    assert isinstance(name, ast.Constant), f"{module}: a parameter read by {name}"
                    read.add(name.value)
    search_page = {"q", "section", "author"}
    login_lockout = {"REDIRECT_FIELD_NAME"}  # accounts/lockout.py: the login's "next"
    assert read - PAGE_PARAMS == search_page | login_lockout
    assert read | {"p"} >= PAGE_PARAMS  # p: django.contrib.sitemaps reads it


def test_a_hit_on_a_recently_served_page_needs_no_round_trip_to_the_shared_cache(
    article, monkeypatch
):
    from newsroom import cache as shared_cache

    url = article.get_absolute_url()
    reader().get(url)
    calls = []
    real_get_many = shared_cache.get_many
    monkeypatch.setattr(
        shared_cache, "get_many", lambda keys: calls.append(keys) or real_get_many(keys)
    )
    assert reader().get(url)["X-Cache"] == "hit"
    assert calls == []


def test_another_servers_change_is_seen_once_the_local_copy_is_old(article, settings, monkeypatch):
    """What another app server does reaches this one through the shared cache: this process
    trusts its copy of the versions for NEWSROOM_PAGE_CACHE_LOCAL_MS, then reads them again."""
    from django.core.cache import cache

    from newsroom import pagecache

    settings.NEWSROOM_PAGE_CACHE_LOCAL_MS = 5000
    url = article.get_absolute_url()
    reader().get(url)
    # Another server bumps the site version in the shared cache; this process is not told.
    cache.set(pagecache.SITE_VERSION_KEY, pagecache._new_version(), None)
    assert reader().get(url)["X-Cache"] == "hit"  # its copy is still recent
    monotonic = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: monotonic() + 6)  # six seconds later
    assert reader().get(url)["X-Cache"] == "miss"


def test_a_front_cache_fetching_after_a_ban_gets_another_servers_change_at_once(article, settings):
    from django.core.cache import cache

    from newsroom import frontcache, pagecache

    settings.NEWSROOM_PAGE_CACHE_LOCAL_MS = 60_000
    url = article.get_absolute_url()
    reader().get(url)
    cache.set(pagecache.SITE_VERSION_KEY, pagecache._new_version(), None)  # another server
    assert reader().get(url)["X-Cache"] == "hit"  # a reader of this server: its copy
    fetch = reader().get(url, headers={frontcache.FETCH_HEADER: "fetch"})
    assert fetch["X-Cache"] == "miss"


# Readers with cookies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "cookie", ["sessionid", "newsroom_own_comments", "newsroom_commenter", "messages"]
)
def test_readers_with_cookies_bypass_the_cache(cookie, article):
    url = article.get_absolute_url()
    reader().get(url)
    client = Client()
    client.cookies[cookie] = "something"
    response = client.get(url)
    assert response["X-Cache"] == "bypass"
    assert response["Cache-Control"] == "private, no-cache"
    assert "cookie" in response["Vary"].lower()


def test_the_csrf_cookie_alone_does_not_bypass(article):
    url = reverse("articles:home")
    reader().get(url)
    client = reader()
    client.cookies["csrftoken"] = "x" * 32
    assert client.get(url)["X-Cache"] == "hit"


def test_staff_see_a_fresh_page(article, editor):
    url = reverse("articles:home")
    reader().get(url)
    staff = Client()
    staff.force_login(editor)
    draft_live = ArticleFactory(title="Written straight into the database")
    assert draft_live.title in staff.get(url).content.decode()


def test_commenter_sees_own_held_comment_while_others_get_the_cached_page(article, settings):
    settings.NEWSROOM_COMMENT_MODERATION = "all"
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    url = article.get_absolute_url()
    reader().get(url)
    commenter = Client()
    from tests.comments.helpers import post_comment

    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert post_comment(commenter, article, body="Held for now.").status_code == 302
        assert "Held for now." in commenter.get(url).content.decode()
        other = reader().get(url)
    assert other["X-Cache"] == "hit"
    assert "Held for now." not in other.content.decode()


def test_search_is_private(article):
    response = reader().get(reverse("articles:search"), {"q": "dam"})
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Cache" not in response


def test_no_page_cache_when_turned_off(article, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    url = reverse("articles:home")
    reader().get(url)
    response = reader().get(url)
    assert response["X-Cache"] == "miss"
    assert response["Cache-Control"].startswith("public, ")
    assert "Last-Modified" not in response  # kept with the page cache's versions
    assert reader().get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


# Invalidation ----------------------------------------------------------------------------


def cached(url: str) -> str:
    """The page twice: the second answer must come from the cache."""
    reader().get(url)
    response = reader().get(url)
    assert response["X-Cache"] == "hit"
    return response.content.decode()


def fresh(url: str) -> str:
    response = reader().get(url)
    assert response["X-Cache"] == "miss", "the change did not refresh the cached page"
    return response.content.decode()


def test_publishing_refreshes_listings(article, editor):
    home = reverse("articles:home")
    cached(home)
    draft = ArticleFactory(draft=True, title="Breaking: bridge reopens", authors=[AuthorFactory()])
    workflow.transition(draft, action="publish", actor=editor)
    assert "Breaking: bridge reopens" in fresh(home)


def test_unpublishing_refreshes_the_article_and_listings(article, editor):
    cached(reverse("articles:home"))
    cached(article.get_absolute_url())
    workflow.transition(article, action="unpublish", actor=editor)
    assert reader().get(article.get_absolute_url()).status_code == 404
    assert "Dam holds after the storm" not in fresh(reverse("articles:home"))


def test_editing_a_published_article_refreshes_it(article, editor):
    url = article.get_absolute_url()
    cached(url)
    article.title = "Dam holds, engineers say"
    article.save()
    revisions.record_revision(article, actor=editor)
    assert "Dam holds, engineers say" in fresh(url)


def test_a_note_refreshes_the_article(article, editor):
    url = article.get_absolute_url()
    cached(url)
    notes.add_note(article, kind="correction", text="The dam is 40 m high.", actor=editor)
    assert "The dam is 40 m high." in fresh(url)


def test_approving_a_comment_refreshes_its_article_only(article, editor):
    other = ArticleFactory()
    url = article.get_absolute_url()
    cached(url)
    cached(other.get_absolute_url())
    cached(reverse("articles:home"))
    comment = make_comment(article, status="pending", body="Well said, engineers.")
    actions.approve([comment], actor=editor)
    assert "Well said, engineers." in fresh(url)
    assert reader().get(other.get_absolute_url())["X-Cache"] == "hit"
    assert reader().get(reverse("articles:home"))["X-Cache"] == "hit"


def test_removing_a_comment_refreshes_its_article(article, editor):
    comment = make_comment(article, body="Something regrettable.")
    url = article.get_absolute_url()
    assert "Something regrettable." in cached(url)
    actions.remove([comment], actor=editor)
    assert "Something regrettable." not in fresh(url)


def test_a_held_comment_leaves_the_cached_page(article, editor):
    comment = make_comment(article, status="pending")
    url = article.get_absolute_url()
    cached(url)
    actions.mark_spam([comment], actor=editor)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert reader().get(url)["X-Cache"] == "hit"


def test_a_comment_held_by_readers_reports_leaves_the_cached_page(article, settings):
    settings.NEWSROOM_COMMENT_REPORTS_TO_HOLD = 1
    comment = make_comment(article, body="Дамба не витримає 🌊")
    url = article.get_absolute_url()
    assert "Дамба не витримає 🌊" in cached(url)
    actions.report_comment(
        comment_id=comment.pk,
        reason="abuse",
        note="",
        keys=actions.reader_keys(ip_address="203.0.113.9", user_agent="Firefox"),
        now=timezone.now(),
    )
    assert "Дамба не витримає 🌊" not in fresh(url)


def test_editing_an_approved_comment_refreshes_its_article(article, editor):
    comment = make_comment(article, body="Teh dam held.")
    url = article.get_absolute_url()
    cached(url)
    actions.edit_body(comment, body="The dam held.", actor=editor)
    assert "The dam held." in fresh(url)


def test_a_section_edit_in_the_admin_refreshes_pages(article, admin_client):
    url = article.get_absolute_url()
    cached(url)
    section = article.section
    response = admin_client.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"name": "Climate", "slug": "weather", "position": 0, "description": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "Climate" in fresh(url)


def test_an_author_edit_in_the_admin_refreshes_pages(article, admin_client):
    from tests.helpers import form_fields

    author = article.authors.get()
    url = reverse("authors:detail", args=[author.slug])
    cached(url)
    change = reverse("admin:authors_author_change", args=[author.pk])
    data = form_fields(admin_client.get(change), form_id="author_form")
    data["name"] = "Olena Kovalenko-Shevchenko"
    assert admin_client.post(change, data).status_code == 302
    assert "Olena Kovalenko-Shevchenko" in fresh(url)


def test_a_scheduled_article_appears_at_its_time(article, editor):
    home = reverse("articles:home")
    draft = ArticleFactory(draft=True, title="Embargoed report", authors=[AuthorFactory()])
    workflow.transition(
        draft, action="publish", actor=editor, publish_at=timezone.now() + timedelta(hours=2)
    )
    assert "Embargoed report" not in cached(home)
    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=1)):
        assert "Embargoed report" in fresh(home)


def test_a_scheduled_article_written_without_the_workflow_still_appears(article):
    """Even a schedule the cache was never told about is found when the version is made."""
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() + timedelta(hours=1))
    home = reverse("articles:home")
    assert "Dam holds after the storm" not in cached(home)
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        assert "Dam holds after the storm" in fresh(home)


def test_comments_closing_by_time_refresh_the_article(article, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 1
    url = article.get_absolute_url()
    assert "Post Comment" in cached(url)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        page = fresh(url)
    assert "Comments are closed" in page


def test_an_approved_comment_refreshes_the_comment_feeds(article, editor):
    latest = reverse("comments:feed_rss")
    own = reverse("comments:article_feed_rss", args=[article.slug])
    cached(latest)
    cached(own)
    comment = make_comment(article, status="pending", body="Feeds should say so.")
    actions.approve([comment], actor=editor)
    assert "Feeds should say so." in fresh(latest)
    assert "Feeds should say so." in fresh(own)


def test_deleting_an_article_in_the_admin_refreshes_pages(article, admin_client):
    assert "Dam holds after the storm" in cached("/")
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert "Dam holds after the storm" not in fresh("/")


def test_erasing_a_commenter_refreshes_the_pages_that_showed_them(article, editor):
    make_comment(article, name="Олена Коваль", email="olena@example.com", body="Моя думка.")
    url = article.get_absolute_url()
    assert "Олена Коваль" in cached(url)
    erase_commenter_data(email="olena@example.com", remove_text=True, actor=editor)
    page = fresh(url)
    assert "Олена Коваль" not in page
    assert "Моя думка." not in page
