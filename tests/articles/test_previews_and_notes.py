"""Previews for staff and through shared links, unpublished articles never reaching readers,
and corrections/updates shown at the end of an article."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone

from articles.models import PREVIEW_LINK_SALT, Article, ArticleNote, PreviewLink
from tests.articles.admin_helpers import logged_in_editor
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    SourceFactory,
    UserFactory,
)
from tests.helpers import parse, staff_in, text_of

pytestmark = pytest.mark.django_db

BANNER = "Preview — not published"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local(moment, fmt: str = "j F Y, H:i") -> str:
    return dateformat.format(timezone.localtime(moment), fmt)


UNPUBLISHED = {
    "draft": {"status": Article.Status.DRAFT, "published_at": None},
    "in_review": {"status": Article.Status.IN_REVIEW, "published_at": None},
    "returned": {"status": Article.Status.RETURNED, "published_at": None},
    "unpublished": {
        "status": Article.Status.UNPUBLISHED,
        "published_at": timezone.now() - timedelta(days=2),
    },
    "scheduled": {"status": Article.Status.PUBLISHED, "scheduled": True},
}


def unpublished_article(state: str, **fields) -> Article:
    return ArticleFactory(**UNPUBLISHED[state], **fields)


def assert_preview(response, title: str) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert BANNER in text_of(parse(response))
    assert parse(response).find("h1", class_="article__title").get_text() == title
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex' in html
    # No comment form on something readers cannot see.
    assert parse(response).find("form", action=lambda a: a and "comment" in a) is None


def assert_not_preview(response) -> None:
    assert BANNER not in text_of(parse(response))
    assert "no-store" not in response.get("Cache-Control", "")
    assert "X-Robots-Tag" not in response
    assert '<meta name="robots"' not in response.content.decode()


# --- staff preview ------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(UNPUBLISHED))
def test_staff_see_unpublished_articles_as_marked_previews(editor_client, state):
    article = unpublished_article(state, title="Not out yet")

    response = editor_client.get(article.get_absolute_url())

    assert_preview(response, "Not out yet")
    banner = text_of(parse(response).find(class_="preview-banner"))
    if state == "scheduled":
        assert f"Scheduled for {local(article.published_at)}" in banner
    else:
        assert f"Status: {article.get_status_display()}" in banner


def test_staff_see_published_articles_without_the_banner(editor_client):
    article = ArticleFactory(title="Out now")

    response = editor_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert_not_preview(response)


@pytest.mark.parametrize("state", list(UNPUBLISHED))
def test_staff_without_article_permissions_get_404(client, state):
    article = unpublished_article(state)
    client.force_login(UserFactory(is_staff=True))

    assert client.get(article.get_absolute_url()).status_code == 404


# --- shared preview links -----------------------------------------------------------------


def previews_url(article) -> str:
    return reverse("admin:articles_article_previews", args=[article.pk])


def create_link(client, article, hours=48):
    return client.post(previews_url(article), {"create": "1", "hours": str(hours)})


def test_shared_link_shows_the_draft_to_anyone_until_it_expires(editor_client, editor):
    article = unpublished_article("draft", title="Secret draft")
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        response = create_link(editor_client, article)
        assert response.status_code == 302
        assert response["Location"] == previews_url(article)
        link = PreviewLink.objects.get()
        assert link.article == article
        assert link.created_by == editor
        assert link.expires_at == start + timedelta(hours=48)
        url = link.get_absolute_url()

        # The editor's page lists the full link to copy.
        page = parse(editor_client.get(previews_url(article)))
        assert page.find("input", attrs={"aria-label": "Preview link"})["value"].endswith(url)
        assert "Active" in text_of(page.find("tbody"))

        anonymous = Client()
        assert anonymous.get(article.get_absolute_url()).status_code == 404
        assert_preview(anonymous.get(url), "Secret draft")

    with time_machine.travel(start + timedelta(hours=47, minutes=59), tick=False):
        assert_preview(Client().get(url), "Secret draft")

    with time_machine.travel(start + timedelta(hours=48, seconds=1), tick=False):
        link.refresh_from_db()
        assert not link.is_active
        page = parse(editor_client.get(previews_url(article)))
        assert "Expired" in text_of(page.find("tbody"))
        assert page.find("input", attrs={"aria-label": "Preview link"}) is None


def assert_gone(response, title: str) -> None:
    assert response.status_code == 410
    assert "no longer works" in text_of(parse(response))
    assert title not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex' in response.content.decode()


def test_expired_link_is_gone(editor_client):
    article = unpublished_article("draft", title="Secret draft")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        create_link(editor_client, article, hours=48)
    url = PreviewLink.objects.get().get_absolute_url()

    with time_machine.travel(start + timedelta(hours=48, seconds=1), tick=False):
        response = Client().get(url)

    assert_gone(response, "Secret draft")
    assert "It expired on" in text_of(parse(response))


def test_revoking_a_link_is_recorded(editor_client, editor):
    article = unpublished_article("in_review", title="Under review")
    create_link(editor_client, article)
    link = PreviewLink.objects.get()
    assert Client().get(link.get_absolute_url()).status_code == 200

    response = editor_client.post(previews_url(article), {"revoke": str(link.pk)})

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.revoked_by == editor
    assert not link.is_active
    page = parse(editor_client.get(previews_url(article)))
    assert "Revoked" in text_of(page.find("tbody"))
    assert page.find("button", attrs={"name": "revoke"}) is None


def test_revoked_link_is_gone(editor_client):
    article = unpublished_article("in_review", title="Under review")
    create_link(editor_client, article)
    link = PreviewLink.objects.get()
    editor_client.post(previews_url(article), {"revoke": str(link.pk)})

    response = Client().get(link.get_absolute_url())

    assert_gone(response, "Under review")
    assert "revoked" in text_of(parse(response))


def test_revoking_another_articles_link_is_404(editor_client):
    article, other = unpublished_article("draft"), unpublished_article("draft")
    create_link(editor_client, other)
    link = PreviewLink.objects.get()

    response = editor_client.post(previews_url(article), {"revoke": str(link.pk)})

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_tampered_token_is_404(editor_client):
    article = unpublished_article("draft", title="Secret draft")
    create_link(editor_client, article)
    token = PreviewLink.objects.get().token

    for tampered in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        ("x" if token[0] != "x" else "y") + token[1:],
        "not-a-token",
    ):
        response = Client().get(reverse("articles:shared_preview", kwargs={"token": tampered}))
        assert response.status_code == 404, tampered
        assert "Secret draft" not in response.content.decode()


def test_link_to_a_deleted_preview_is_404(editor_client):
    article = unpublished_article("draft")
    create_link(editor_client, article)
    url = PreviewLink.objects.get().get_absolute_url()
    PreviewLink.objects.all().delete()

    assert Client().get(url).status_code == 404


@pytest.mark.parametrize("hours", ["0", "9999", "-5", "", "abc"])
def test_link_lifetime_is_checked(editor_client, hours):
    article = unpublished_article("draft")

    response = create_link(editor_client, article, hours=hours)

    assert response.status_code == 200
    assert parse(response).select("ul.errorlist")
    assert not PreviewLink.objects.exists()


@pytest.mark.parametrize("group", ["Writers", "Moderators"])
def test_only_editors_may_share_previews(group):
    user = staff_in(group)
    article = unpublished_article("draft")
    Article.objects.filter(pk=article.pk).update(created_by=user)
    client = logged_in(user)

    assert client.get(previews_url(article)).status_code == 403
    assert create_link(client, article).status_code == 403
    assert not PreviewLink.objects.exists()


# --- unpublished articles never reach readers ---------------------------------------------


@pytest.fixture
def newsroom():
    """One published article and one of every unpublished kind, all filed alike."""
    section = SectionFactory(name="Energy", slug="energy")
    source = SourceFactory(name="Kyiv Post", slug="kyiv-post")
    author = AuthorFactory(name="Olena Kovalenko", slug="olena-kovalenko")
    filed = {"section": section, "source": source, "authors": [author], "tags": ["Grid"]}
    published = ArticleFactory(title="Published story", **filed)
    hidden = {
        state: unpublished_article(state, title=f"Hidden {state} story", **filed)
        for state in UNPUBLISHED
    }
    return {
        "published": published,
        "hidden": hidden,
        "pages": {
            "home": reverse("articles:home"),
            "section": section.get_absolute_url(),
            "tag": reverse("articles:tag", kwargs={"slug": published.tags.get().slug}),
            "author": author.get_absolute_url(),
            "source": source.get_absolute_url(),
        },
    }


@pytest.mark.parametrize("page", ["home", "section", "tag", "author", "source"])
@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_listings_show_only_published_articles(newsroom, page, who, editor):
    client = logged_in(editor) if who == "editor" else Client()

    response = client.get(newsroom["pages"][page])

    assert response.status_code == 200
    html = response.content.decode()
    assert "Published story" in html
    for state, article in newsroom["hidden"].items():
        assert article.title not in html, state
        assert article.get_absolute_url() not in html, state


def test_unpublished_articles_are_404_for_readers(newsroom, editor):
    # An editor looking first must not leave anything behind for the next visitor.
    editor_client = logged_in(editor)
    for article in newsroom["hidden"].values():
        assert editor_client.get(article.get_absolute_url()).status_code == 200

    reader = Client()
    for state, article in newsroom["hidden"].items():
        response = reader.get(article.get_absolute_url())
        assert response.status_code == 404, state
        assert article.title not in response.content.decode()
    assert reader.get(newsroom["published"].get_absolute_url()).status_code == 200


def test_scheduled_article_appears_when_its_time_comes(newsroom):
    scheduled = newsroom["hidden"]["scheduled"]

    with time_machine.travel(scheduled.published_at + timedelta(minutes=1), tick=False):
        reader = Client()
        assert scheduled.title in reader.get(newsroom["pages"]["home"]).content.decode()
        response = reader.get(scheduled.get_absolute_url())
        assert response.status_code == 200
        assert_not_preview(response)


# --- corrections and updates --------------------------------------------------------------


def notes_url(article) -> str:
    return reverse("admin:articles_article_notes", args=[article.pk])


def public_notes(client, article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    section = parse(response).find("section", class_="article-notes")
    if section is None:
        return []
    assert text_of(section.find("h2")) == "Corrections and updates"
    return [text_of(item) for item in section.find_all("li")]


def updated_time(client, article) -> str | None:
    """The "Updated" time shown under the headline, if any."""
    dates = parse(client.get(article.get_absolute_url())).find(class_="article__dates")
    times = dates.find_all("time")
    if len(times) < 2:
        assert "Updated" not in text_of(dates)
        return None
    assert "Updated" in text_of(dates)
    return times[1]["datetime"]


@pytest.fixture
def start():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def article(start):
    with time_machine.travel(start, tick=False):
        return ArticleFactory(title="Grid story", published_at=start - timedelta(hours=1))


def test_corrections_and_updates_appear_at_the_end_newest_first(editor, article, start):
    editor_client, reader = logged_in(editor), Client()
    first, second = start + timedelta(hours=2), start + timedelta(hours=5)

    with time_machine.travel(start, tick=False):
        assert public_notes(reader, article) == []
        assert updated_time(reader, article) is None

    with time_machine.travel(first, tick=False):
        response = editor_client.post(
            notes_url(article),
            {"add": "1", "kind": "correction", "text": "An earlier version misnamed the plant."},
        )
        assert response.status_code == 302
        assert response["Location"] == notes_url(article)
        assert public_notes(reader, article) == [
            f"Correction, {local(first)}: An earlier version misnamed the plant."
        ]
        assert updated_time(reader, article) == local(first, "c")

    with time_machine.travel(second, tick=False):
        editor_client.post(
            notes_url(article),
            {"add": "1", "kind": "update", "text": "Power was restored at 5 pm."},
        )
        assert public_notes(reader, article) == [
            f"Update, {local(second)}: Power was restored at 5 pm.",
            f"Correction, {local(first)}: An earlier version misnamed the plant.",
        ]
        assert updated_time(reader, article) == local(second, "c")
        # The notes come after the body and the tags, at the end of the article.
        page = parse(reader.get(article.get_absolute_url()))
        notes = page.find("section", class_="article-notes")
        assert notes.find_previous(class_="article__body") is not None
        assert notes.find_previous(class_="article__footer") is not None

    notes = list(ArticleNote.objects.filter(article=article).order_by("created_at"))
    assert [(n.kind, n.created_by, n.created_at) for n in notes] == [
        ("correction", editor, first),
        ("update", editor, second),
    ]
    article.refresh_from_db()
    assert article.updated_at == second
    assert article.updated_by == editor


def test_note_text_is_shown_as_plain_text(editor_client, article):
    editor_client.post(
        notes_url(article), {"add": "1", "kind": "clarification", "text": "<b>Bold</b> claim"}
    )

    response = Client().get(article.get_absolute_url())
    section = parse(response).find("section", class_="article-notes")
    assert section.find("b") is None
    assert "Clarification" in text_of(section)
    assert "<b>Bold</b> claim" in text_of(section)


@pytest.mark.parametrize(
    "data",
    [{"kind": "correction", "text": "   "}, {"kind": "retraction", "text": "Wrong kind"}],
    ids=["blank-text", "unknown-kind"],
)
def test_invalid_note_is_refused(editor_client, article, data):
    response = editor_client.post(notes_url(article), {"add": "1", **data})

    assert response.status_code == 200
    assert parse(response).select("ul.errorlist")
    assert not ArticleNote.objects.exists()


def test_removing_a_note_needs_a_reason_and_keeps_it_on_record(editor, article, start):
    editor_client, reader = logged_in(editor), Client()
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        editor_client.post(
            notes_url(article), {"add": "1", "kind": "correction", "text": "Wrong correction."}
        )
        editor_client.post(
            notes_url(article), {"add": "1", "kind": "update", "text": "A real update."}
        )
    note = ArticleNote.objects.get(kind="correction")

    # Without a reason nothing happens.
    response = editor_client.post(notes_url(article), {"remove": "1", "note": str(note.pk)})
    assert response.status_code == 200
    assert "This field is required" in text_of(parse(response).find(class_="errornote"))
    note.refresh_from_db()
    assert note.removed_at is None
    assert len(public_notes(reader, article)) == 2

    response = editor_client.post(
        notes_url(article), {"remove": "1", "note": str(note.pk), "reason": "   "}
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.removed_at is None

    removed_at = start + timedelta(hours=3)
    with time_machine.travel(removed_at, tick=False):
        response = editor_client.post(
            notes_url(article),
            {"remove": "1", "note": str(note.pk), "reason": "It corrected nothing."},
        )
    assert response.status_code == 302

    assert [text.split(",")[0] for text in public_notes(reader, article)] == ["Update"]
    assert "Wrong correction." not in reader.get(article.get_absolute_url()).content.decode()

    # The admin page still lists it, marked removed with who, when and why.
    page = parse(editor_client.get(notes_url(article)))
    entry = page.find(string=lambda s: "Wrong correction." in s).find_parent(class_="module")
    assert (
        f"removed {local(removed_at, 'j M Y, H:i')} by Anna Hrytsenko: It corrected nothing."
        in text_of(entry)
    )
    assert entry.find("button", attrs={"name": "remove"}) is None

    # Never deleted.
    assert ArticleNote.objects.filter(article=article).count() == 2
    note.refresh_from_db()
    assert (note.removed_by, note.removed_at, note.removal_reason) == (
        editor,
        removed_at,
        "It corrected nothing.",
    )
    assert note.text == "Wrong correction."


def test_removing_all_notes_removes_the_section(editor_client, article):
    editor_client.post(notes_url(article), {"add": "1", "kind": "update", "text": "Only one."})
    note = ArticleNote.objects.get()

    editor_client.post(notes_url(article), {"remove": "1", "note": str(note.pk), "reason": "Dup"})

    response = Client().get(article.get_absolute_url())
    assert parse(response).find("section", class_="article-notes") is None
    assert "Corrections and updates" not in response.content.decode()


def test_removing_another_articles_note_is_404(editor_client, article):
    other = ArticleFactory()
    editor_client.post(notes_url(other), {"add": "1", "kind": "update", "text": "Elsewhere."})
    note = ArticleNote.objects.get()

    response = editor_client.post(
        notes_url(article), {"remove": "1", "note": str(note.pk), "reason": "Nope"}
    )

    assert response.status_code == 404
    note.refresh_from_db()
    assert note.removed_at is None


@pytest.mark.parametrize("group", ["Writers", "Moderators"])
def test_only_editors_may_add_or_remove_notes(group, article, editor):
    user = staff_in(group)
    Article.objects.filter(pk=article.pk).update(created_by=user)
    note = ArticleNote.objects.create(article=article, kind="update", text="x", created_by=editor)
    client = logged_in(user)

    assert client.get(notes_url(article)).status_code == 403
    response = client.post(notes_url(article), {"add": "1", "kind": "update", "text": "Mine"})
    assert response.status_code == 403
    response = client.post(notes_url(article), {"remove": "1", "note": note.pk, "reason": "r"})
    assert response.status_code == 403
    assert ArticleNote.objects.count() == 1
    note.refresh_from_db()
    assert note.removed_at is None


def test_anonymous_visitors_are_sent_to_the_login_page(article):
    for url in (notes_url(article), previews_url(article)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("value", ["abc", "", "\u00b2", "9" * 30])
def test_revoking_a_preview_with_a_bad_id_is_404(client, value):
    client, _ = logged_in_editor(client)
    article = ArticleFactory(draft=True)

    response = client.post(f"/admin/articles/article/{article.pk}/previews/", {"revoke": value})

    assert response.status_code == 404


@pytest.mark.parametrize("payload", ["abc", [1], {"a": 1}, None, 1.5, True])
def test_a_signed_token_that_is_not_a_preview_link_is_404(client, payload):
    """Only this site can sign, but any of its signed values (say, a future feature's) must
    not reach the database as a preview link's id."""
    token = signing.dumps(payload, salt=PREVIEW_LINK_SALT)

    response = client.get(reverse("articles:shared_preview", args=[token]))

    assert response.status_code == 404
