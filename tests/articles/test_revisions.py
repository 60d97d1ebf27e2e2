"""Revisions: one per admin save, the history and compare pages, restoring, and refusing a
save made from a form that someone else's save has made stale."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleRevision, Byline
from articles.revisions import record_revision, restore_revision
from images.models import Image as LibraryImage
from tests.articles.admin_helpers import COMPLETE_BODY, history_url, logged_in_editor
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    image_file,
)
from tests.helpers import change_url, form_fields, parse, save_change, staff_in, text_of

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


# --- helpers ------------------------------------------------------------------------------


def byline_fields(article, authors_in_order) -> dict:
    """Byline rows giving the existing rows new positions so ``authors_in_order`` results."""
    rows = {b.author_id: b for b in Byline.objects.filter(article=article)}
    fields = {}
    for index, (author_id, byline) in enumerate(sorted(rows.items())):
        fields[f"bylines-{index}-id"] = str(byline.pk)
        fields[f"bylines-{index}-author"] = str(author_id)
        fields[f"bylines-{index}-position"] = str([a.pk for a in authors_in_order].index(author_id))
    return fields


def word_marks(element, tag: str) -> list[str]:
    return [word for mark in element.find_all(tag) for word in mark.get_text().split()]


def compare_changes(response) -> dict:
    """Each changed field's label on the compare page → its <dd>."""
    assert response.status_code == 200, response.content.decode()[:2000]
    changes = parse(response).find("dl", class_="revision-changes")
    assert changes is not None
    return {
        text_of(dt): dt.find_next_sibling("dd") for dt in changes.find_all("dt", recursive=False)
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def filing():
    return {
        "energy": SectionFactory(name="Energy"),
        "politics": SectionFactory(name="Politics"),
        "source": SourceFactory(name="Kyiv Post", homepage="https://www.kyivpost.com/"),
        "first": AuthorFactory(name="Olena Kovalenko"),
        "second": AuthorFactory(name="Mark Smith"),
    }


def add_data(client, filing) -> dict:
    """The add form as served, filled in like an editor would."""
    data = form_fields(client.get(ADD_URL))
    data.update(
        {
            "title": "Kyiv without power",
            "slug": "kyiv-without-power",
            "dek": "Strikes hit the grid overnight.",
            "body": "<p>Hello <strong>readers</strong> in Kyiv.</p>",
            "section": str(filing["energy"].pk),
            "tags": "Ukraine, energy",
            "source": str(filing["source"].pk),
            "source_url": "https://www.kyivpost.com/post/123",
            "image": str(
                ImageFactory(
                    file=image_file("grid.jpg"), title="Grid", alt_text="Engineers at a substation"
                ).pk
            ),
            # The second row holds the first author: order follows positions.
            "bylines-TOTAL_FORMS": "2",
            "bylines-0-author": str(filing["second"].pk),
            "bylines-0-position": "1",
            "bylines-1-author": str(filing["first"].pk),
            "bylines-1-position": "0",
        }
    )
    return data


@pytest.fixture
def three_saves(editor_client, editor, filing):
    """An article added and then changed twice through the admin, by the same editor."""
    response = editor_client.post(ADD_URL, add_data(editor_client, filing))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="kyiv-without-power")

    response = save_change(
        editor_client,
        article,
        title="Kyiv still without power",
        dek="Drones hit the grid overnight.",
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    response = save_change(
        editor_client,
        article,
        title="Kyiv still <script>alert(1)</script> without power tonight",
        body="<p>Hello <em>dear</em> readers in Kharkiv.</p>",
        section=str(filing["politics"].pk),
        tags="Ukraine, blackout",
        _workflow="submit",
        **byline_fields(article, [filing["second"], filing["first"]]),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    return article


# --- one revision per save ----------------------------------------------------------------


def test_every_admin_save_records_a_full_revision(three_saves, editor, filing):
    article = three_saves
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("number"))

    assert [r.number for r in revisions] == [1, 2, 3]
    assert article.version == 3
    assert all(r.created_by == editor for r in revisions)
    assert all(r.restored_from is None for r in revisions)

    first, second, third = (r.content for r in revisions)
    assert first["title"] == "Kyiv without power"
    assert first["slug"] == "kyiv-without-power"
    assert first["dek"] == "Strikes hit the grid overnight."
    assert first["body"] == "<p>Hello <strong>readers</strong> in Kyiv.</p>"
    assert first["bylines"] == [
        {"id": filing["first"].pk, "name": "Olena Kovalenko"},
        {"id": filing["second"].pk, "name": "Mark Smith"},
    ]
    assert first["tags"] == ["Ukraine", "energy"]  # as typed
    assert first["section"] == {"id": filing["energy"].pk, "name": "Energy"}
    assert first["source"] == {"id": filing["source"].pk, "name": "Kyiv Post"}
    assert first["source_url"] == "https://www.kyivpost.com/post/123"
    assert first["image"] == {"id": LibraryImage.objects.get().pk, "title": "Grid"}
    assert first["status"] == "draft"

    assert second["title"] == "Kyiv still without power"
    assert second["dek"] == "Drones hit the grid overnight."
    assert second["body"] == first["body"]
    assert second["bylines"] == first["bylines"]
    assert second["image"] == first["image"]

    assert third["title"] == "Kyiv still <script>alert(1)</script> without power tonight"
    assert third["body"] == "<p>Hello <em>dear</em> readers in Kharkiv.</p>"
    assert third["bylines"] == [
        {"id": filing["second"].pk, "name": "Mark Smith"},
        {"id": filing["first"].pk, "name": "Olena Kovalenko"},
    ]
    assert third["tags"] == ["Ukraine", "blackout"]
    assert third["section"] == {"id": filing["politics"].pk, "name": "Politics"}
    assert third["status"] == "in_review"  # the workflow step is in the same revision
    assert third["image"] == first["image"]


def test_a_refused_save_records_no_revision(editor_client, three_saves):
    response = save_change(editor_client, three_saves, slug="")

    assert response.status_code == 200
    assert three_saves.revisions.count() == 3
    three_saves.refresh_from_db()
    assert three_saves.version == 3


# --- history and compare ------------------------------------------------------------------


def test_history_page_lists_revisions_newest_first(editor_client, three_saves):
    response = editor_client.get(reverse("admin:articles_article_revisions", args=[three_saves.pk]))

    assert response.status_code == 200
    soup = parse(response)
    rows = soup.find("h2", string="Revisions").find_next("table").find("tbody").find_all("tr")
    assert [text_of(row.find_all("td")[2]) for row in rows] == ["3", "2", "1"]
    assert all("Anna Hrytsenko" in text_of(row) for row in rows)
    assert "Kyiv without power" in text_of(rows[2])
    # The title is shown as text, never as markup.
    assert soup.find("div", id="content-main").find("script") is None
    # Older revisions can be restored; the current one cannot.
    for number in (1, 2):
        url = reverse("admin:articles_article_restore", args=[three_saves.pk, number])
        assert soup.find("form", action=url, method="post") is not None
    assert (
        soup.find(
            "form", action=reverse("admin:articles_article_restore", args=[three_saves.pk, 3])
        )
        is None
    )


def compare_url(article, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("admin:articles_article_compare", args=[article.pk]) + (
        f"?{query}" if query else ""
    )


def test_compare_marks_changed_words_only(editor_client, three_saves):
    response = editor_client.get(compare_url(three_saves, a=1, b=3))

    changes = compare_changes(response)
    assert list(changes) == ["Title", "Dek", "Body", "Byline", "Tags", "Section", "Status"]

    title = changes["Title"]
    assert word_marks(title, "del") == []
    assert word_marks(title, "ins") == ["still", "<script>alert(1)</script>", "tonight"]
    # Unchanged words are there, unmarked.
    unmarked = " ".join(
        s for s in title.find(class_="word-diff").find_all(string=True, recursive=False)
    ).split()
    assert unmarked == ["Kyiv", "without", "power"]

    dek = changes["Dek"]
    assert word_marks(dek, "del") == ["Strikes"]
    assert word_marks(dek, "ins") == ["Drones"]
    assert "hit the grid overnight." in text_of(dek)


def test_compare_escapes_markup_typed_into_the_title(editor_client, three_saves):
    response = editor_client.get(compare_url(three_saves, a=1, b=3))

    content = parse(response).find("div", id="content-main")
    assert content.find("script") is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    assert "<script>alert(1)</script>" in text_of(compare_changes(response)["Title"])


def test_compare_treats_body_html_as_text(editor_client, three_saves):
    changes = compare_changes(editor_client.get(compare_url(three_saves, a=1, b=3)))

    body = changes["Body"]
    # <strong> became <em>: no tag appears in the diff, only the words that changed.
    assert word_marks(body, "del") == ["Kyiv."]
    assert word_marks(body, "ins") == ["dear", "Kharkiv."]
    assert text_of(body) == "Hello dear readers in Kyiv.Kharkiv."
    assert body.find(["strong", "em", "p"]) is None
    assert "<strong>" not in text_of(body) and "<p>" not in text_of(body)


def body_revisions(editor, *bodies):
    """An article whose revisions 1, 2, ... have these bodies and nothing else changed."""
    article = ArticleFactory(draft=True)
    for body in bodies:
        article.body = body
        article.save()
        record_revision(article, actor=editor)
    return article


def test_compare_keeps_words_of_separate_paragraphs_apart(editor_client, editor):
    article = body_revisions(
        editor,
        "<p>The grid failed.</p><p>Repairs began.</p>",
        "<p>The grid failed.</p><p>Work began.</p>",
    )

    body = compare_changes(editor_client.get(compare_url(article, a=1, b=2)))["Body"]

    assert word_marks(body, "del") == ["Repairs"]
    assert word_marks(body, "ins") == ["Work"]


def test_compare_shows_angle_brackets_typed_into_the_body(editor_client, editor):
    article = body_revisions(
        editor, "<p>Use a tag at AT&amp;T.</p>", "<p>Use a &lt;blink&gt; tag at AT&amp;T.</p>"
    )

    response = editor_client.get(compare_url(article, a=1, b=2))
    body = compare_changes(response)["Body"]

    assert word_marks(body, "ins") == ["<blink>"]
    assert text_of(body) == "Use a <blink> tag at AT&T."
    assert parse(response).find("blink") is None


def test_compare_lists_changes_of_other_fields(editor_client, three_saves):
    changes = compare_changes(editor_client.get(compare_url(three_saves, a=1, b=3)))

    def before_after(label):
        dd = changes[label]
        return text_of(dd.find("del")), text_of(dd.find("ins"))

    assert before_after("Byline") == (
        "Olena Kovalenko, Mark Smith",
        "Mark Smith, Olena Kovalenko",
    )
    assert before_after("Tags") == ("Ukraine, energy", "Ukraine, blackout")
    assert before_after("Section") == ("Energy", "Politics")
    assert before_after("Status") == ("Draft", "In review")
    # Fields that did not change are not listed.
    assert "Source" not in changes and "Featured image" not in changes


def test_compare_order_of_numbers_does_not_matter(editor_client, three_saves):
    forward = compare_changes(editor_client.get(compare_url(three_saves, a=1, b=2)))
    backward = compare_changes(editor_client.get(compare_url(three_saves, a=2, b=1)))

    assert list(forward) == list(backward) == ["Title", "Dek"]
    assert word_marks(forward["Title"], "ins") == ["still"]


@pytest.mark.parametrize(
    "params",
    [{"a": 2, "b": 2}, {}, {"a": 1}, {"b": 3}, {"a": "x", "b": 3}],
    ids=["same", "none", "only-a", "only-b", "not-a-number"],
)
def test_compare_needs_two_different_revisions(editor_client, three_saves, params):
    response = editor_client.get(compare_url(three_saves, **params), follow=True)

    assert response.redirect_chain == [
        (reverse("admin:articles_article_revisions", args=[three_saves.pk]), 302)
    ]
    assert "Choose two different revisions to compare." in messages_of(response)


@pytest.mark.parametrize("params", [{"a": 1, "b": 9}, {"a": 7, "b": 8}])
def test_compare_unknown_revision_is_404(editor_client, three_saves, params):
    response = editor_client.get(compare_url(three_saves, **params))

    assert response.status_code == 404


def test_compare_does_not_mix_articles(editor_client, three_saves, editor):
    other = ArticleFactory(draft=True)
    record_revision(other, actor=editor)

    # Revision 3 exists for the first article only.
    response = editor_client.get(compare_url(other, a=1, b=3))

    assert response.status_code == 404


# --- restore ------------------------------------------------------------------------------


def restore_url(article, number: int) -> str:
    return reverse("admin:articles_article_restore", args=[article.pk, number])


def test_restore_brings_back_an_old_revision_as_a_new_one(
    editor_client, editor, three_saves, filing
):
    article = three_saves
    old_contents = {r.number: r.content for r in article.revisions.all()}

    response = editor_client.post(restore_url(article, 1), follow=True)

    assert response.redirect_chain[-1] == (change_url(article), 302)
    assert "Revision 1 restored as revision 4. Nothing was lost." in messages_of(response)
    article = Article.objects.get(pk=article.pk)
    assert article.title == "Kyiv without power"
    assert article.dek == "Strikes hit the grid overnight."
    assert article.body == "<p>Hello <strong>readers</strong> in Kyiv.</p>"
    assert set(article.tags.names()) == {"energy", "Ukraine"}
    assert article.section == filing["energy"]
    assert article.byline_authors == [filing["first"], filing["second"]]
    assert article.updated_by == editor
    assert article.version == 4

    revisions = {r.number: r for r in article.revisions.all()}
    assert sorted(revisions) == [1, 2, 3, 4]
    new = revisions[4]
    assert new.restored_from == revisions[1]
    assert new.created_by == editor
    for field in ("title", "dek", "body", "bylines", "tags", "section", "source", "image"):
        assert new.content[field] == old_contents[1][field]
    # Older revisions are untouched.
    assert {n: revisions[n].content for n in (1, 2, 3)} == old_contents

    # The restored revision is visible in the history, and the change form is current.
    history = editor_client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    assert "4 (restored from 1)" in text_of(parse(history).find("tbody"))
    assert form_fields(editor_client.get(change_url(article)))["loaded_version"] == "4"


def test_restore_by_get_is_refused(editor_client, three_saves):
    response = editor_client.get(restore_url(three_saves, 1))

    assert response.status_code == 405
    assert three_saves.revisions.count() == 3
    three_saves.refresh_from_db()
    assert three_saves.title.endswith("tonight")


def test_restore_unknown_revision_is_404(editor_client, three_saves):
    response = editor_client.post(restore_url(three_saves, 42))

    assert response.status_code == 404
    assert three_saves.revisions.count() == 3


def test_writer_cannot_restore_someone_elses_article(client, three_saves):
    client.force_login(staff_in("Writers"))

    response = client.post(restore_url(three_saves, 1))

    assert response.status_code == 403
    assert three_saves.revisions.count() == 3
    three_saves.refresh_from_db()
    assert three_saves.title.endswith("tonight")


def test_writer_cannot_restore_own_article_in_review(client, editor):
    writer = staff_in("Writers")
    article = ArticleFactory(
        title="Submitted text", status=Article.Status.IN_REVIEW, published_at=None
    )
    Article.objects.filter(pk=article.pk).update(created_by=writer)
    article.refresh_from_db()
    record_revision(article, actor=writer)
    article.title = "Edited by the editor"
    article.save()
    record_revision(article, actor=editor)
    client.force_login(writer)

    # The writer may look at the history of their own article, but not edit it in review.
    history = client.get(reverse("admin:articles_article_revisions", args=[article.pk]))
    assert history.status_code == 200
    assert parse(history).find("form", action=restore_url(article, 1)) is None
    response = client.post(restore_url(article, 1))

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Edited by the editor"
    assert article.revisions.count() == 2


# --- two people editing at once -----------------------------------------------------------


@pytest.fixture
def second_editor():
    return staff_in("Editors", username="bohdan", first_name="Bohdan", last_name="Lysenko")


def test_a_stale_form_is_refused_and_keeps_what_was_typed(editor, second_editor):
    author = AuthorFactory(name="Olena Kovalenko")
    article = ArticleFactory(
        draft=True,
        title="Kyiv without power",
        body="<p>The original body.</p>",
        authors=[author],
        tags=["Ukraine"],
    )
    record_revision(article, actor=editor)  # version 1
    anna, bohdan = Client(), Client()
    anna.force_login(editor)
    bohdan.force_login(second_editor)

    anna_form = form_fields(anna.get(change_url(article)))
    bohdan_form = form_fields(bohdan.get(change_url(article)))
    assert anna_form["loaded_version"] == bohdan_form["loaded_version"] == "1"

    anna_form["title"] = "Kyiv still without power"
    response = anna.post(change_url(article), anna_form)
    assert response.status_code == 302, response.content.decode()[:3000]

    bohdan_form["body"] = "<p>Bohdan's new body.</p>"
    response = bohdan.post(change_url(article), bohdan_form)

    assert response.status_code == 200
    soup = parse(response)
    errors = " ".join(text_of(note) for note in soup.select(".errornote, .errorlist"))
    assert "Anna Hrytsenko saved this article after you opened it" in errors
    assert "Nothing of yours was saved" in errors
    conflict = soup.find(class_="edit-conflict")
    assert conflict is not None
    assert "Anna Hrytsenko" in text_of(conflict.find("strong"))
    items = conflict.find_all("li")
    assert [text_of(item.find("strong")) for item in items] == ["Title"]
    assert word_marks(items[0], "ins") == ["still"]
    assert word_marks(items[0], "del") == []
    # What Bohdan typed is still in the form, which now carries the current version.
    refused_form = form_fields(response)
    assert refused_form["body"] == "<p>Bohdan's new body.</p>"
    assert refused_form["loaded_version"] == "2"
    # Nothing of Bohdan's reached the database.
    article.refresh_from_db()
    assert article.title == "Kyiv still without power"
    assert article.body == "<p>The original body.</p>"
    assert article.version == 2
    assert article.revisions.count() == 2
    assert article.updated_by == editor

    # Saving again is deliberate: it replaces Anna's version with Bohdan's.
    response = bohdan.post(change_url(article), refused_form)

    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.body == "<p>Bohdan's new body.</p>"
    assert article.version == 3
    assert article.updated_by == second_editor
    latest = article.revisions.get(number=3)
    assert latest.created_by == second_editor
    assert latest.content["body"] == "<p>Bohdan's new body.</p>"
    assert article.byline_authors == [author]
    assert list(article.tags.names()) == ["Ukraine"]


def test_a_form_saved_twice_by_the_same_person_is_also_stale(editor_client, editor):
    article = ArticleFactory(draft=True, title="First title")
    record_revision(article, actor=editor)
    data = form_fields(editor_client.get(change_url(article)))

    assert editor_client.post(change_url(article), {**data, "title": "Second"}).status_code == 302
    # The same old form (e.g. the back button) is refused rather than silently reverting.
    response = editor_client.post(change_url(article), {**data, "title": "Third"})

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "Second"


def messages_on(response) -> list[str]:
    """The messages as the page shows them to the editor."""
    return [text_of(item) for item in parse(response).select("ul.messagelist li")]


def article_with_an_early_draft(editor, **final) -> Article:
    """Revision 1: an early draft (no body, section or byline). Revision 2: the full article."""
    article = ArticleFactory(draft=True, title="Power back in Kharkiv", body="", section=None)
    record_revision(article, actor=editor)
    article.body = COMPLETE_BODY
    article.section = SectionFactory(name="Energy")
    for name, value in final.items():
        setattr(article, name, value)
    article.save()
    Byline.objects.create(article=article, author=AuthorFactory(name="Olena Kovalenko"))
    record_revision(article, actor=editor)
    return Article.objects.get(pk=article.pk)


# --- 1. restoring a revision onto a published article ------------------------------------------


@pytest.mark.parametrize("scheduled", [False, True], ids=["live", "scheduled"])
def test_restoring_an_incomplete_revision_onto_a_published_article_is_refused(
    reader, editor_client, editor, scheduled
):
    publish_at = datetime(2100, 1, 1, tzinfo=UTC) if scheduled else datetime(2025, 5, 1, tzinfo=UTC)
    article = article_with_an_early_draft(
        editor, status=Article.Status.PUBLISHED, published_at=publish_at
    )

    response = editor_client.post(restore_url(article, 1), follow=True)

    # The editor stays on the history page and is told what the revision lacks.
    assert response.redirect_chain[-1] == (history_url(article), 302)
    assert response.status_code == 200
    shown = messages_on(response)
    assert len(shown) == 1
    assert "Revision 1 was not restored" in shown[0]
    for missing in ("a body", "a section", "at least one author in the byline"):
        assert missing in shown[0]
    assert "Nothing was changed" in shown[0]
    # Nothing changed: no new revision, same content, same status.
    stored = Article.objects.get(pk=article.pk)
    assert stored.version == 2
    assert stored.revisions.count() == 2
    assert stored.status == Article.Status.PUBLISHED
    assert stored.body == COMPLETE_BODY
    assert stored.section.name == "Energy"
    assert [a.name for a in stored.byline_authors] == ["Olena Kovalenko"]
    if not scheduled:
        # Readers still get the whole article.
        page = reader.get(stored.get_absolute_url())
        assert page.status_code == 200
        assert "restored power to the eastern districts" in page.content.decode()
        assert "Olena Kovalenko" in page.content.decode()


def test_restoring_a_complete_revision_onto_a_published_article_still_works(editor_client, editor):
    article = ArticleFactory(
        title="First headline", authors=[AuthorFactory(name="Olena Kovalenko")]
    )
    record_revision(article, actor=editor)
    article.title = "Second headline"
    article.save()
    record_revision(article, actor=editor)

    response = editor_client.post(restore_url(article, 1), follow=True)

    assert response.redirect_chain[-1] == (change_url(article), 302)
    assert "Revision 1 restored as revision 3. Nothing was lost." in messages_on(response)
    assert Article.objects.get(pk=article.pk).title == "First headline"


def test_restoring_onto_a_published_article_may_keep_what_it_already_lacked(editor_client, editor):
    # Published before bylines were required: neither revision has one, nothing is lost.
    article = ArticleFactory(title="First headline")
    record_revision(article, actor=editor)
    article.title = "Second headline"
    article.save()
    record_revision(article, actor=editor)

    response = editor_client.post(restore_url(article, 1), follow=True)

    assert "Revision 1 restored as revision 3. Nothing was lost." in messages_on(response)
    assert Article.objects.get(pk=article.pk).title == "First headline"


def test_restoring_an_incomplete_revision_onto_a_draft_is_allowed(editor_client, editor):
    article = article_with_an_early_draft(editor)

    response = editor_client.post(restore_url(article, 1), follow=True)

    assert response.redirect_chain[-1] == (change_url(article), 302)
    assert "Revision 1 restored as revision 3. Nothing was lost." in messages_on(response)
    stored = Article.objects.get(pk=article.pk)
    assert stored.body == ""
    assert stored.section is None
    assert not stored.bylines.exists()
    assert stored.revisions.count() == 3


def test_comparing_impossible_revision_numbers_is_404(client):
    client, _ = logged_in_editor(client)
    article = ArticleFactory()

    response = client.get(
        f"/admin/articles/article/{article.pk}/revisions/compare/",
        {"a": "1", "b": "99999999999999999999"},
    )

    assert response.status_code == 404


def test_restoring_a_revision_restores_the_image_and_its_size(client):
    _, editor = logged_in_editor(client)
    wide = ImageFactory(file=image_file("wide.jpg", size=(400, 200)), alt_text="x")
    article = ArticleFactory(image=wide)
    first = record_revision(article, actor=editor)
    article.image = ImageFactory(file=image_file("tall.jpg", size=(100, 300)), alt_text="y")
    article.save()
    record_revision(article, actor=editor)

    restore_revision(first, actor=editor)

    article.refresh_from_db()
    assert article.image == wide
    assert (article.image.width, article.image.height) == (400, 200)
