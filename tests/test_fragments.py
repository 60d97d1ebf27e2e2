"""Fragments of the article page kept in the shared cache (newsroom/fragments.py): the comment
list, the blank comment form, the body and the related articles. Refreshed by the changes
that refresh whole pages; never carrying one reader's own things to another."""

import time
from datetime import timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import notes, revisions, workflow
from comments.models import Comment
from comments.moderation import actions
from newsroom.pagecache import SITE_VERSION_KEY, _new_version, current_versions, local_copies
from tests.comments.helpers import make_comment, parse, post_comment
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, UserFactory
from tests.helpers import without_nonces

pytestmark = pytest.mark.django_db

# article, bylines, tags, notes; the next scheduled change (the site's version is made anew
# in an emptied cache); related articles by tags, then from the section; nav; paginator
# count, top-level page, replies; comment count.
COLD_QUERIES = 12
# The article (with its bylines, tags and notes), the article element, the comment list,
# related articles and nav all come warm.
WARM_QUERIES = 0


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request renders: the fragments answer
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 0


@pytest.fixture
def editor():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def article():
    return ArticleFactory(title="Dam holds after the storm", tags=["floods"])


def page(client: Client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def comment_bodies(html: str) -> list[str]:
    return [body.get_text(strip=True) for body in soup(html).select(".comment__body")]


# Queries ---------------------------------------------------------------------------------


def test_cold_and_warm_article_page_queries(article, django_assert_num_queries):
    for number in range(30):
        make_comment(article, body=f"Comment {number}")
    with django_assert_num_queries(COLD_QUERIES):
        cold = page(Client(), article)
    with django_assert_num_queries(WARM_QUERIES):
        warm = page(Client(), article)
    assert warm == cold
    assert len(comment_bodies(warm)) == 30


def test_the_warm_page_comes_from_the_fragment(article):
    make_comment(article, body="First")
    page(Client(), article)
    # Written straight into the database, as no workflow does: nothing bumped the version.
    make_comment(article, body="Second, unannounced")
    assert comment_bodies(page(Client(), article)) == ["First"]


def test_a_second_comment_page_has_its_own_fragment(article, settings):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 2
    for body in ("One", "Two", "Three"):
        make_comment(article, body=body)
    assert comment_bodies(page(Client(), article)) == ["One", "Two"]
    second = Client().get(article.get_absolute_url(), {"cpage": 2}).content.decode()
    assert comment_bodies(second) == ["Three"]
    assert comment_bodies(page(Client(), article)) == ["One", "Two"]


# Refreshed by changes --------------------------------------------------------------------


def test_approving_a_comment_refreshes_the_list(article, editor):
    held = make_comment(article, status=Comment.Status.PENDING, body="Слава науці 🔬, وداعا")
    before = page(Client(), article)
    assert comment_bodies(before) == []
    actions.approve([held], actor=editor)
    after = page(Client(), article)
    assert comment_bodies(after) == ["Слава науці 🔬, وداعا"]
    assert soup(after).find(id="comments-heading").get_text(strip=True) == "1 Comment"


def test_removing_a_comment_refreshes_the_list(article, editor):
    shown = make_comment(article, body="Soon gone")
    assert comment_bodies(page(Client(), article)) == ["Soon gone"]
    actions.remove([shown], actor=editor)
    assert comment_bodies(page(Client(), article)) == []


def test_editing_a_comment_refreshes_the_list(article, editor):
    shown = make_comment(article, body="Teh dam is fine")
    page(Client(), article)
    actions.edit_body(shown, body="The dam is fine", actor=editor)
    assert comment_bodies(page(Client(), article)) == ["The dam is fine"]


def test_editing_the_article_refreshes_its_body(article, editor):
    page(Client(), article)
    article.body = '<p>The engineers\' report: "no cracks".</p>'
    article.save()
    revisions.record_revision(article, actor=editor)
    body = soup(page(Client(), article)).select_one(".article__body").get_text()
    assert body == "The engineers’ report: “no cracks”."


def test_publishing_an_article_refreshes_related_articles(article, editor):
    assert soup(page(Client(), article)).select(".related__title") == []
    other = ArticleFactory(
        draft=True, title="Second dam inspected", tags=["floods"], authors=[AuthorFactory()]
    )
    workflow.transition(other, action="publish", actor=editor)
    titles = [
        t.get_text(strip=True) for t in soup(page(Client(), article)).select(".related__title")
    ]
    assert titles == ["Second dam inspected"]


def test_unpublishing_a_kept_article_takes_its_page_down(article, editor):
    page(Client(), article)  # the article is kept now
    workflow.transition(article, action="unpublish", actor=editor)
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_a_drafts_preview_is_never_kept(editor):
    draft = ArticleFactory(draft=True, title="Draft", body="<p>First words.</p>")
    staff = Client()
    staff.force_login(editor)
    assert "First words." in page(staff, draft)
    # A draft's edits bump no version (no reader sees them): its preview reads it afresh.
    draft.body = "<p>Друге речення 🌧, הגשם נמשך.</p>"
    draft.save()
    body = soup(page(staff, draft)).select_one(".article__body").get_text()
    assert body == "Друге речення 🌧, הגשם נמשך."


def test_an_edit_shows_in_the_byline_tags_and_notes(article, editor):
    page(Client(), article)  # the article, its element and head are kept now
    author = AuthorFactory(name="Олена Коваль")
    article.bylines.create(author=author, position=9)
    article.tags.add("повінь 🌊")
    revisions.record_revision(article, actor=editor)
    note = notes.add_note(article, kind="correction", text="Виправлено дату, تصحيح", actor=editor)
    shown = soup(page(Client(), article))
    assert "Олена Коваль" in shown.select_one(".article__byline").get_text()
    assert "повінь 🌊" in [tag.get_text() for tag in shown.select(".tags a")]
    assert "Виправлено дату, تصحيح" in shown.select_one(".article-notes").get_text()
    # A removal leaves the revision time alone: the site's version alone refreshes it.
    notes.remove_note(note, actor=editor, reason="Duplicate")
    assert soup(page(Client(), article)).select_one(".article-notes") is None


def test_an_article_read_under_one_version_is_not_kept_under_the_next(article, settings):
    """A request that read the site's version early (from this process's copy) and a newer
    one later must keep what it read under the first: else the old article would be served
    under the new version, to every reader, until the next change."""
    settings.NEWSROOM_PAGE_CACHE_LOCAL_MS = 60_000
    author = AuthorFactory(name="Ада Стара")
    article.bylines.create(author=author, position=0)
    reader = Client()
    reader.cookies["newsroom_theme"] = "dark"  # the page is rendered for this reader
    page(reader, article)
    local_copies.clear()
    current_versions()  # this process now trusts the site's version alone, not the article's
    # Another server renames the author and bumps the site's version; this one is not told.
    type(author).objects.filter(pk=author.pk).update(name="Ада Нова ✍️")
    cache.set(SITE_VERSION_KEY, _new_version(), None)
    page(reader, article)  # still the old site version here, the article's read afresh
    local_copies.clear()
    byline = soup(page(Client(), article)).select_one(".article__byline").get_text()
    assert "Ада Нова ✍️" in byline


def test_a_kept_article_that_cannot_be_loaded_is_read_afresh(article, caplog):
    page(Client(), article)
    keys = [key for key in local_copies._entries if key.startswith("fragment:instance:")]
    assert len(keys) == 1
    # What an older deploy left: bytes this code cannot unpickle (a class since moved).
    broken = b"not a pickle of anything"
    local_copies.clear()
    cache.set(keys[0], broken, 600)
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Dam holds after the storm" in response.content.decode()
    assert "could not be loaded" in caplog.text


# This process's own copies ---------------------------------------------------------------


def test_a_fragment_used_here_lately_asks_the_shared_cache_nothing(article, monkeypatch):
    page(Client(), article)  # read and kept, here and in the shared cache
    from newsroom import cache as shared_cache

    asked = []
    real = shared_cache.get_many
    monkeypatch.setattr(shared_cache, "get_many", lambda keys: asked.append(keys) or real(keys))
    again = page(Client(), article)
    assert [key for keys in asked for key in keys if key.startswith("fragment:")] == []
    assert "Dam holds after the storm" in again


def test_a_change_made_through_another_server_is_seen_once_the_versions_are_read_again(
    article, editor, settings
):
    from newsroom.pagecache import ARTICLE_VERSION_KEY, _new_version

    settings.NEWSROOM_PAGE_CACHE_LOCAL_MS = 1  # the versions are trusted here for 1 ms
    make_comment(article, body="Old")
    assert comment_bodies(page(Client(), article)) == ["Old"]
    assert comment_bodies(page(Client(), article)) == ["Old"]  # kept here too
    # Another server's edit: a new comments version in the shared cache, and nothing said
    # to this process, whose copy of the old list is still there.
    Comment.objects.update(body="Новий текст ✨")
    cache.set(ARTICLE_VERSION_KEY.format(slug=article.slug), _new_version(), None)
    time.sleep(0.01)
    assert comment_bodies(page(Client(), article)) == ["Новий текст ✨"]


# Nothing of one reader's reaches another -------------------------------------------------


def test_a_held_comment_shows_to_its_writer_alone(article, settings):
    settings.NEWSROOM_COMMENT_MODERATION = "all"
    make_comment(article, body="Public one")
    assert comment_bodies(page(Client(), article)) == ["Public one"]  # the fragment, warm
    writer = Client()
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        response = post_comment(writer, article, name="Олена", body="Held: مرحبا 👋")
    assert response.status_code == 302
    assert Comment.objects.get(body="Held: مرحبا 👋").status == Comment.Status.PENDING
    cache.clear()  # the writer's page is the first rendered since: nothing of it may be kept
    local_copies.clear()
    assert comment_bodies(page(writer, article)) == ["Public one", "Held: مرحبا 👋"]
    other = page(Client(), article)  # after the writer's page was rendered
    assert comment_bodies(other) == ["Public one"]
    assert "Олена" not in other


def test_a_remembered_name_and_a_reply_stay_with_their_reader(article, settings):
    settings.NEWSROOM_COMMENT_MODERATION = "all"
    shown = make_comment(article, name="Ada", body="Public one")
    writer = Client()
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        post_comment(writer, article, name="Олена", body="Held.", remember="on")
    form = soup(page(writer, article)).select_one("form.comment-form")
    assert form.select_one("input[name=name]")["value"] == "Олена"
    replying = writer.get(article.get_absolute_url(), {"replytocom": shown.pk})
    assert "Replying to" in parse(replying).select_one("#reply-title").get_text()
    other = soup(page(Client(), article))
    assert other.select_one("input[name=name]").get("value") is None
    assert other.select_one("#reply-title").get_text() == "Leave a comment"


def test_a_refused_forms_token_is_not_served_to_others(article):
    writer = Client()
    page(writer, article)
    refused = post_comment(writer, article, body="")
    assert refused.status_code == 400  # the form again, with its errors
    token = parse(refused).select_one("form.comment-form input[name=csrfmiddlewaretoken]")
    assert token["value"]
    other = soup(page(Client(), article))
    assert other.select_one("form.comment-form input[name=csrfmiddlewaretoken]")["value"] == ""
    assert token["value"] not in str(other)


# Listings and the navigation -------------------------------------------------------------


def listing(url: str) -> BeautifulSoup:
    response = Client().get(url)
    assert response.status_code == 200
    return soup(response.content.decode())


def teaser_titles(page_soup: BeautifulSoup) -> list[str]:
    return [title.get_text(strip=True) for title in page_soup.select(".teaser__title")]


def test_a_warm_listing_costs_no_query(article, django_assert_num_queries):
    section = article.section
    url = reverse("articles:section", args=[section.slug])
    cold = listing(url)
    with django_assert_num_queries(0):  # the section itself is kept too
        warm = listing(url)
    assert warm == cold
    assert teaser_titles(warm) == ["Dam holds after the storm"]
    listing(reverse("articles:home"))  # cold: the home page's own fragment
    with django_assert_num_queries(0):
        home = listing(reverse("articles:home"))
    assert teaser_titles(home) == ["Dam holds after the storm"]


def test_a_warm_archive_page_costs_no_query(article, django_assert_num_queries):
    year = timezone.localtime(article.published_at).year
    url = reverse("articles:archive_year", args=[year])
    cold = listing(url)
    assert teaser_titles(cold) == ["Dam holds after the storm"]
    with django_assert_num_queries(0):  # its articles and its months both come kept
        assert listing(url) == cold


def test_publishing_refreshes_the_listings(article, editor):
    home = reverse("articles:home")
    tag = reverse("articles:tag", args=["floods"])
    assert teaser_titles(listing(home)) == ["Dam holds after the storm"]
    assert teaser_titles(listing(tag)) == ["Dam holds after the storm"]
    draft = ArticleFactory(
        draft=True, title="Річка відступає 🌊", tags=["floods"], authors=[AuthorFactory()]
    )
    workflow.transition(draft, action="publish", actor=editor)
    assert teaser_titles(listing(home)) == ["Річка відступає 🌊", "Dam holds after the storm"]
    assert teaser_titles(listing(tag)) == ["Річка відступає 🌊", "Dam holds after the storm"]


def test_each_section_page_marks_its_own_section_in_the_navigation(article):
    other = SectionFactory(name="Sport", slug="sport")
    listing(reverse("articles:home"))  # the navigation, warm, with no section current
    for section in (article.section, other):
        nav = listing(reverse("articles:section", args=[section.slug])).select_one(".site-nav")
        current = nav.select('[aria-current="page"]')
        assert [link.get_text() for link in current] == [section.name]


def test_a_listing_of_a_deleted_section_is_gone(article, editor):
    section = article.section
    url = reverse("articles:section", args=[section.slug])
    listing(url)  # the section is kept now
    admin = Client()
    admin.force_login(editor)
    article.section = None
    article.save()
    response = admin.post(
        reverse("admin:articles_section_delete", args=[section.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert Client().get(url).status_code == 404


def test_renaming_a_section_in_the_admin_refreshes_the_navigation(article, editor):
    section = article.section
    assert section.name in listing(reverse("articles:home")).select_one(".site-nav").get_text()
    section_url = reverse("articles:section", args=[section.slug])
    listing(section_url)  # its feed links, kept
    admin = Client()
    admin.force_login(editor)
    response = admin.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"name": "Погода", "slug": section.slug, "description": "", "position": section.position},
    )
    assert response.status_code == 302
    nav = listing(reverse("articles:home")).select_one(".site-nav").get_text()
    assert "Погода" in nav
    assert section.name not in nav
    feeds = listing(section_url).select('link[rel="alternate"]')
    assert "Погода (RSS)" in [link["title"] for link in feeds]


@pytest.mark.parametrize("authors", [1, 3])
def test_the_kept_article_without_its_fragments_shows_everything_in_fixed_queries(
    authors, editor, monkeypatch, django_assert_num_queries
):
    """The article is kept lean (no body, bylines, tags or notes: they cost most of the time
    to unpickle it). When its fragments are not kept with it (evicted, another host), the
    page still shows every part, and reads them in as many queries for three authors as
    for one."""
    from comments.templatetags import comments_tags
    from newsroom import fragments

    article = ArticleFactory(
        title="Дамба витримала 🌊",
        body="<p>Тіло статті, مرحبا.</p>",
        tags=["повінь", "floods"],
        authors=[AuthorFactory(name=f"Автор {n}") for n in range(authors)],
    )
    notes.add_note(article, kind="correction", text="Виправлено дату ✍", actor=editor)
    make_comment(article, body="Перший 👋")
    full = page(Client(), article)  # read whole, kept lean, fragments kept
    for name in ("Тіло статті", "Автор 0", f"Автор {authors - 1}", "повінь", "Виправлено дату"):
        assert name in full

    def rendered_afresh(request, kept):
        return [fragments.mark_safe(fragment.render()) for fragment in kept]

    monkeypatch.setattr(fragments, "cached_fragments", rendered_afresh)
    monkeypatch.setattr(comments_tags, "cached_fragments", rendered_afresh)
    # The body; the bylines with their authors; the tags, once for the head, the tag list,
    # the JSON-LD and the related articles; the notes; two related-article queries; the
    # nav; four for the comment section.
    with django_assert_num_queries(11):
        from_lean = page(Client(), article)
    assert without_nonces(from_lean) == without_nonces(full)


def test_the_kept_footer_turns_to_the_new_year_at_midnight_in_the_sites_time_zone(settings):
    """The footer is kept per year: its © year and its archive link change at midnight on
    New Year's Eve where the site is, not when the kept copy happens to expire."""
    settings.TIME_ZONE = "Europe/Kyiv"
    ArticleFactory(title="Новорічний випуск 🎆")

    def footer() -> tuple[str, str]:
        found = soup(Client().get("/").content.decode()).find("footer", class_="site-footer")
        archive = found.find("a", string="Archive")["href"]
        return found.select_one(".site-footer__small").get_text(" ", strip=True), archive

    with time_machine.travel("2026-12-31 23:58 +02:00", tick=False):
        assert footer() == ("© 2026 Newsroom. Published with Newsroom.", "/archive/2026/")
        assert footer()[1] == "/archive/2026/"  # kept
    with time_machine.travel("2027-01-01 00:01 +02:00", tick=False):
        assert footer() == ("© 2027 Newsroom. Published with Newsroom.", "/archive/2027/")
