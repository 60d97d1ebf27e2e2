"""A live article stays complete: restoring a revision and saving the change form cannot take
away what publishing requires; and the date archive answers 404, not 500, for years outside
what any time zone can represent."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Byline
from articles.revisions import record_revision
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.helpers import change_url, form_fields, parse, save_change, staff_in, text_of

pytestmark = pytest.mark.django_db

COMPLETE_BODY = "<p>Engineers restored power to the eastern districts overnight.</p>"


@pytest.fixture
def editor():
    return staff_in("Editors", username="anna", first_name="Anna", last_name="Hrytsenko")


@pytest.fixture
def reader():
    return Client()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def history_url(article) -> str:
    return reverse("admin:articles_article_revisions", args=[article.pk])


def restore_url(article, number: int) -> str:
    return reverse("admin:articles_article_restore", args=[article.pk, number])


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


# --- 2. the byline inline of a published article -----------------------------------------------


def byline_rows(article, **changes) -> dict:
    """The change form as served, with every existing byline row marked for deletion."""
    return {
        **{
            f"bylines-{index}-DELETE": "on"
            for index in range(Byline.objects.filter(article=article).count())
        },
        **changes,
    }


BYLINE_REQUIRED = (
    "A published article needs at least one byline. "
    "Add another author before removing the last one."
)


def inline_errors(response) -> str:
    """The errors shown in the byline inline, above its rows."""
    group = parse(response).find(id="bylines-group")
    assert group is not None
    return " ".join(text_of(errors) for errors in group.select("ul.errorlist"))


@pytest.fixture
def live_article():
    return ArticleFactory(
        title="Power back in Kharkiv",
        body=COMPLETE_BODY,
        authors=[AuthorFactory(name="Olena Kovalenko"), AuthorFactory(name="Mark Smith")],
    )


def test_deleting_every_byline_of_a_published_article_is_refused(
    reader, editor_client, live_article
):
    response = save_change(editor_client, live_article, **byline_rows(live_article))

    assert response.status_code == 200
    assert inline_errors(response) == BYLINE_REQUIRED
    stored = Article.objects.get(pk=live_article.pk)
    assert [a.name for a in stored.byline_authors] == ["Olena Kovalenko", "Mark Smith"]
    assert stored.revisions.count() == 0
    page = reader.get(stored.get_absolute_url()).content.decode()
    assert "Olena Kovalenko" in page


def test_a_scheduled_article_cannot_lose_every_byline_either(editor_client):
    article = ArticleFactory(scheduled=True, authors=[AuthorFactory(name="Olena Kovalenko")])

    response = save_change(editor_client, article, **byline_rows(article))

    assert response.status_code == 200
    assert inline_errors(response) == BYLINE_REQUIRED
    assert Byline.objects.filter(article=article).count() == 1


def test_replacing_the_bylines_of_a_published_article_is_allowed(editor_client, live_article):
    newcomer = AuthorFactory(name="Iryna Shevchenko")
    data = form_fields(editor_client.get(change_url(live_article)))
    data.update(byline_rows(live_article))
    extra = int(data["bylines-TOTAL_FORMS"]) - 1  # the empty row the admin offers
    data[f"bylines-{extra}-author"] = str(newcomer.pk)
    data[f"bylines-{extra}-position"] = "0"

    response = editor_client.post(change_url(live_article), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(pk=live_article.pk).byline_authors == [newcomer]


def test_a_draft_may_lose_every_byline(editor_client):
    article = ArticleFactory(draft=True, authors=[AuthorFactory(name="Olena Kovalenko")])

    response = save_change(editor_client, article, **byline_rows(article))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Byline.objects.filter(article=article).exists()


def test_unpublishing_may_remove_every_byline(reader, editor_client, live_article):
    # Readers lose the article, so nothing of theirs is at stake; publishing again checks.
    response = save_change(
        editor_client, live_article, _workflow="unpublish", **byline_rows(live_article)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    stored = Article.objects.get(pk=live_article.pk)
    assert stored.status == Article.Status.UNPUBLISHED
    assert not stored.bylines.exists()
    assert reader.get(stored.get_absolute_url()).status_code == 404


def test_an_older_published_article_without_a_byline_can_still_be_corrected(editor_client):
    # Published before bylines were required: the save takes nothing away, so it goes through.
    article = ArticleFactory(title="Legacy story with a typpo")

    response = save_change(editor_client, article, title="Legacy story without a typo")

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Article.objects.get(pk=article.pk).title == "Legacy story without a typo"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "", "A published article needs a body."),
        ("body", "<p> </p>", "A published article needs a body."),
        ("section", "", "A published article needs a section."),
    ],
)
def test_emptying_the_body_or_section_of_a_published_article_is_refused(
    reader, editor_client, live_article, field, value, message
):
    response = save_change(editor_client, live_article, **{field: value})

    assert response.status_code == 200
    errors = parse(response).select(f".field-{field} ul.errorlist")
    assert [text_of(e) for e in errors] == [message]
    stored = Article.objects.get(pk=live_article.pk)
    assert stored.body == COMPLETE_BODY
    assert stored.section is not None
    page = reader.get(stored.get_absolute_url()).content.decode()
    assert "restored power to the eastern districts" in page


# --- 3. the date archive in any time zone ------------------------------------------------------


TIME_ZONES = ["UTC", "Europe/Kyiv", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"]


@pytest.mark.parametrize("time_zone", TIME_ZONES)
@pytest.mark.parametrize(
    "url",
    [
        "/archive/1/",
        "/archive/1/1/",
        "/archive/999/",
        "/archive/999/12/",
        "/archive/9001/",
        "/archive/9001/1/",
        "/archive/9999/",
        "/archive/9999/12/",
        "/archive/99999999999999999999/",
    ],
)
def test_archive_years_no_news_site_has_are_404_in_any_time_zone(client, settings, time_zone, url):
    settings.TIME_ZONE = time_zone

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("time_zone", TIME_ZONES)
@pytest.mark.parametrize(
    "url", ["/archive/1000/", "/archive/1000/1/", "/archive/9000/", "/archive/9000/12/"]
)
def test_archive_first_and_last_years_answer_in_any_time_zone(client, settings, time_zone, url):
    settings.TIME_ZONE = time_zone

    response = client.get(url)

    assert response.status_code == 200
    assert "Nothing was published in this period." in response.content.decode()


@pytest.mark.parametrize("time_zone", ["Europe/Kyiv", "America/New_York"])
def test_archive_lists_articles_by_local_date(client, settings, time_zone):
    settings.TIME_ZONE = time_zone
    ArticleFactory(title="Spring story", published_at=datetime(2025, 5, 10, 12, tzinfo=UTC))

    for url in ("/archive/2025/", "/archive/2025/5/"):
        response = client.get(url)
        assert response.status_code == 200
        titles = [text_of(a) for a in parse(response).select(".teaser__title a")]
        assert titles == ["Spring story"]
