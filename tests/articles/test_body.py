"""The article body as the admin stores it: nothing changes by itself, old bodies become
paragraphs. (What the editor produces when typed into is in tests/browser/test_body_editor.py.)
"""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from articles.models import Article, ArticleRevision
from articles.revisions import record_revision
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.helpers import change_url, form_fields, parse, save_change

pytestmark = pytest.mark.django_db

BODY = (
    "<h2>What happened</h2><p>First paragraph, with <strong>bold</strong> and a "
    '<a href="https://www.kyivpost.com/" rel="noopener noreferrer">link</a>.</p>'
    "<p>Second<br>paragraph.</p><ul><li><p>One</p></li><li><p>Two</p></li></ul>"
    "<blockquote><p>“Quoted,” said Олена.</p></blockquote>"
)

convert_bodies = importlib.import_module("articles.migrations.0013_body_paragraphs").convert_bodies


@pytest.fixture
def editor():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def article(editor):
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        article = ArticleFactory(body=BODY, authors=[AuthorFactory()], tags=["Energy"])
        record_revision(article, actor=editor)
    return article


def stored(article) -> Article:
    return Article.objects.get(pk=article.pk)


@pytest.mark.parametrize(
    "sent_back",
    [
        BODY,
        # What ProseMirror may send for the same content: other whitespace and link attributes.
        BODY.replace("</p><p>", "</p>\n<p>").replace(
            'rel="noopener noreferrer"', 'target="_blank" rel="noopener noreferrer nofollow"'
        ),
    ],
    ids=["same bytes", "same content, other serialization"],
)
def test_opening_and_saving_without_edits_changes_nothing(client, editor, article, sent_back):
    client.force_login(editor)
    before = stored(article)
    revisions = ArticleRevision.objects.filter(article=article).count()

    response = save_change(client, article, body=sent_back)

    assert response.status_code == 302
    after = stored(article)
    assert after.body == BODY  # byte for byte
    assert after.updated_at == before.updated_at  # not "Updated" for readers
    assert after.version == before.version
    assert ArticleRevision.objects.filter(article=article).count() == revisions
    assert not after.was_updated


def test_an_edit_is_stored_canonical_with_a_new_revision(client, editor, article):
    client.force_login(editor)
    revisions = ArticleRevision.objects.filter(article=article).count()

    response = save_change(client, article, body=BODY + "<p>New <b>paragraph</b></p><p></p>")

    assert response.status_code == 302
    assert stored(article).body == BODY + "<p>New <strong>paragraph</strong></p>"
    assert ArticleRevision.objects.filter(article=article).count() == revisions + 1


def test_a_byline_change_alone_is_saved_and_recorded(client, editor, article):
    client.force_login(editor)
    second = AuthorFactory(name="Мар'яна Петренко")
    data = form_fields(client.get(change_url(article)))
    data.update(
        {
            "bylines-TOTAL_FORMS": "2",
            "bylines-1-author": str(second.pk),
            "bylines-1-position": "1",
        }
    )
    revisions = ArticleRevision.objects.filter(article=article).count()

    response = client.post(change_url(article), data)

    assert response.status_code == 302
    assert [a.name for a in stored(article).byline_authors][-1] == "Мар'яна Петренко"
    assert ArticleRevision.objects.filter(article=article).count() == revisions + 1
    assert stored(article).body == BODY


def test_a_headline_typed_with_a_line_break_is_one_line(client, editor, article):
    client.force_login(editor)

    save_change(client, article, title="Світло повернулося\r\nдо Харкова 💡")

    assert stored(article).title == "Світло повернулося до Харкова 💡"


def test_the_change_form_offers_the_body_editor_in_the_order_editors_work(client, editor, article):
    client.force_login(editor)

    soup = parse(client.get(change_url(article)))

    body = soup.find("textarea", attrs={"name": "body"})
    assert body.has_attr("data-django-prose-editor-configurable")
    assert "trix" not in str(soup).lower()
    # Headline and dek, then the byline, then the body, then image, filing and publishing.
    order = [
        element.get("id") or element.get("name")
        for element in soup.select("#id_title, #id_dek, #bylines-group, #id_body, #id_section")
    ]
    assert order == ["id_title", "id_dek", "bylines-group", "id_body", "id_section"]
    # The original article's address is a plain box, not "Currently: … Change:".
    source_url = soup.find("input", attrs={"name": "source_url"})
    assert source_url["type"] == "url"
    assert "Currently" not in source_url.parent.get_text()


# The data migration ------------------------------------------------------------------------

TRIX_BODIES = [
    (
        "<div>First paragraph<br>Second paragraph<br>Third</div>",
        "<p>First paragraph</p><p>Second paragraph</p><p>Third</p>",
    ),
    (
        "<div>Intro<br><br></div><blockquote>Quoted<br>still quoted</blockquote>"
        "<div><br>After an empty line</div>",
        "<p>Intro</p><blockquote><p>Quoted<br>still quoted</p></blockquote>"
        "<p>After an empty line</p>",
    ),
    (
        "<ul><li>One</li><li>Two<ul><li>Two and a half</li></ul></li></ul><div><br></div>"
        "<h1>Heading</h1><div>Text</div>",
        "<ul><li><p>One</p></li><li><p>Two</p><ul><li><p>Two and a half</p></li></ul></li>"
        "</ul><h2>Heading</h2><p>Text</p>",
    ),
]


@pytest.mark.parametrize(("old", "new"), TRIX_BODIES)
def test_the_migration_turns_old_bodies_into_paragraphs_with_a_revision(editor, old, new):
    article = ArticleFactory()
    record_revision(article, actor=editor)
    # Stored as the previous editor left it (bypassing today's save, which would convert it).
    Article.objects.filter(pk=article.pk).update(body=old)
    updated_at = stored(article).updated_at
    untouched = ArticleFactory(body="<p>Already paragraphs.</p>")

    convert_bodies(apps, None)

    converted = stored(article)
    assert converted.body == new
    assert converted.updated_at == updated_at
    latest = ArticleRevision.objects.filter(article=article).order_by("-number").first()
    assert latest.number == converted.version == 2
    assert latest.content["body"] == new
    assert latest.content["title"] == article.title  # the rest of the revision as it was
    assert not ArticleRevision.objects.filter(article=untouched).exists()

    convert_bodies(apps, None)  # a second run changes nothing

    assert stored(article).body == new
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_an_embed_from_a_provider_not_allowed_is_refused_with_the_text_kept(
    client, editor, article
):
    client.force_login(editor)
    body = BODY + '<figure data-embed-url="https://tracker.example/post/1"></figure>'

    response = save_change(client, article, body=body)

    assert response.status_code == 200
    error = parse(response).find(id="id_body_error").get_text()
    assert "cannot be embedded: https://tracker.example/post/1" in " ".join(error.split())
    assert "YouTube" in error
    kept = parse(response).find("textarea", attrs={"name": "body"}).get_text()
    assert "tracker.example" in kept and "“Quoted,” said Олена." in kept
    assert stored(article).body == BODY
