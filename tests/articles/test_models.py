"""Models of the articles app (and the Author model they byline)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory
from django.utils import timezone

from articles.models import Article, Byline, Section, Source
from authors.models import Author
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, SourceFactory

NOON = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def published_slugs() -> set[str]:
    return set(Article.objects.published().values_list("slug", flat=True))


# --- Article.objects.published(): what readers can see -----------------------------------


def test_published_article_with_past_publish_time_is_visible():
    ArticleFactory(slug="old-news", published_at=timezone.now() - timedelta(days=3))

    assert published_slugs() == {"old-news"}


def test_article_published_exactly_now_is_visible():
    with time_machine.travel(NOON, tick=False):
        ArticleFactory(slug="breaking", published_at=NOON)

        assert timezone.now() == NOON
        assert published_slugs() == {"breaking"}


def test_scheduled_article_appears_by_itself_once_its_time_comes():
    with time_machine.travel(NOON, tick=False):
        ArticleFactory(slug="embargoed", published_at=NOON + timedelta(seconds=1))
        assert published_slugs() == set()

    # No cron job, no re-save: the clock moving on is enough.
    with time_machine.travel(NOON + timedelta(seconds=1), tick=False):
        assert published_slugs() == {"embargoed"}
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        assert published_slugs() == {"embargoed"}


@pytest.mark.parametrize(
    "publish_time",
    [None, NOON - timedelta(days=30), NOON, NOON + timedelta(seconds=1)],
    ids=["no-time", "past", "now", "future"],
)
def test_drafts_are_never_visible_whatever_their_publish_time(publish_time):
    with time_machine.travel(NOON, tick=False):
        ArticleFactory(slug="draft", status=Article.Status.DRAFT, published_at=publish_time)
        ArticleFactory(slug="live", published_at=NOON - timedelta(hours=1))

        assert published_slugs() == {"live"}

    with time_machine.travel(NOON + timedelta(days=365), tick=False):
        assert published_slugs() == {"live"}


def test_published_queryset_mixes_correctly():
    with time_machine.travel(NOON, tick=False):
        ArticleFactory(slug="past", published_at=NOON - timedelta(minutes=5))
        ArticleFactory(slug="now", published_at=NOON)
        ArticleFactory(slug="future", published_at=NOON + timedelta(minutes=5))
        ArticleFactory(slug="draft-past", draft=True, published_at=NOON - timedelta(minutes=5))
        ArticleFactory(slug="draft-none", draft=True)

        assert published_slugs() == {"past", "now"}


# --- is_published / is_scheduled ---------------------------------------------------------


def test_is_published_and_is_scheduled_follow_the_clock():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(published_at=NOON + timedelta(hours=2))
        assert article.is_scheduled is True
        assert article.is_published is False

    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        assert article.is_scheduled is False
        assert article.is_published is True


def test_draft_is_neither_published_nor_scheduled():
    with time_machine.travel(NOON, tick=False):
        past = ArticleFactory(draft=True, published_at=NOON - timedelta(days=1))
        future = ArticleFactory(draft=True, published_at=NOON + timedelta(days=1))
        untimed = ArticleFactory(draft=True)

        for article in (past, future, untimed):
            assert article.is_published is False
            assert article.is_scheduled is False


def test_publishing_without_a_publish_time_uses_the_current_time():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(draft=True)
        assert article.published_at is None

        article.status = Article.Status.PUBLISHED
        article.save()

    article.refresh_from_db()
    assert article.published_at == NOON
    assert article.is_published


def test_saving_a_draft_leaves_the_publish_time_empty():
    article = ArticleFactory(draft=True)
    article.title = "Still working on it"
    article.save()

    article.refresh_from_db()
    assert article.published_at is None


def test_republishing_keeps_the_original_publish_time():
    article = ArticleFactory(published_at=NOON)
    with time_machine.travel(NOON + timedelta(days=2), tick=False):
        article.title = "Corrected headline"
        article.save()

    article.refresh_from_db()
    assert article.published_at == NOON


def test_form_publishing_with_empty_publish_time_uses_the_current_time():
    """The field's help text: "left empty, publishing uses the current time"."""
    form_class = modelform_factory(
        Article, fields=["title", "slug", "dek", "status", "published_at"]
    )
    form = form_class(
        data={
            "title": "Breaking",
            "slug": "breaking",
            "dek": "Something happened.",
            "status": "published",
            "published_at": "",
        }
    )

    with time_machine.travel(NOON, tick=False):
        assert form.is_valid(), form.errors
        article = form.save()

    assert article.published_at == NOON


def test_database_refuses_published_article_without_publish_time():
    article = ArticleFactory(draft=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_database_refuses_clearing_publish_time_of_published_article():
    article = ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(published_at=None)

    article.refresh_from_db()
    assert article.published_at is not None


# --- unique slugs and bylines ---------------------------------------------------------


@pytest.mark.parametrize(
    "factory",
    [ArticleFactory, SectionFactory, SourceFactory, AuthorFactory],
    ids=["article", "section", "source", "author"],
)
def test_slugs_are_unique(factory):
    factory(slug="same-slug")

    with pytest.raises(IntegrityError), transaction.atomic():
        factory(slug="same-slug")

    model = factory._meta.model
    assert model.objects.filter(slug="same-slug").count() == 1


def test_section_names_are_unique():
    SectionFactory(name="World")

    with pytest.raises(IntegrityError), transaction.atomic():
        SectionFactory(name="World")

    assert Section.objects.filter(name="World").count() == 1


def test_an_author_appears_only_once_in_a_byline():
    author = AuthorFactory()
    article = ArticleFactory(authors=[author])

    with pytest.raises(IntegrityError), transaction.atomic():
        Byline.objects.create(article=article, author=author, position=5)

    assert article.bylines.count() == 1


def test_same_author_may_write_several_articles():
    author = AuthorFactory()
    ArticleFactory(authors=[author])
    ArticleFactory(authors=[author])

    assert author.articles.count() == 2


def test_byline_authors_are_in_position_order_not_insertion_order():
    article = ArticleFactory()
    anna, bohdan, cyril = (
        AuthorFactory(name="Anna"),
        AuthorFactory(name="Bohdan"),
        AuthorFactory(name="Cyril"),
    )
    Byline.objects.create(article=article, author=anna, position=2)
    Byline.objects.create(article=article, author=bohdan, position=0)
    Byline.objects.create(article=article, author=cyril, position=1)

    fresh = Article.objects.get(pk=article.pk)
    assert fresh.byline_authors == [bohdan, cyril, anna]

    listed = Article.objects.for_listing().get(pk=article.pk)
    assert listed.byline_authors == [bohdan, cyril, anna]


def test_byline_authors_of_article_without_bylines_is_empty():
    assert ArticleFactory().byline_authors == []


# --- Source, Author ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("homepage", "domain"),
    [
        ("https://www.kyivpost.com/news", "www.kyivpost.com"),
        ("https://www.kyivpost.com/", "www.kyivpost.com"),
        ("http://Example.ORG:8080/path?q=1", "example.org"),
    ],
)
def test_source_domain_is_the_host_of_its_homepage(homepage, domain):
    assert Source(name="Outlet", slug="outlet", homepage=homepage).domain == domain


def test_author_bio_is_split_into_paragraphs_on_blank_lines():
    author = AuthorFactory.build(
        bio="Born in Lviv.\nStudied in Kyiv.\n\nJoined us in 2019.\r\n\r\nCovers energy.\n\n\n"
    )

    assert author.bio_paragraphs == [
        "Born in Lviv.\nStudied in Kyiv.",
        "Joined us in 2019.",
        "Covers energy.",
    ]


def test_author_without_bio_has_no_paragraphs():
    assert AuthorFactory.build(bio="").bio_paragraphs == []


def test_author_bio_blank_line_with_spaces_separates_paragraphs():
    author = AuthorFactory.build(bio="Born in Lviv.\n   \nJoined us in 2019.")

    assert author.bio_paragraphs == ["Born in Lviv.", "Joined us in 2019."]


@pytest.mark.parametrize("bad_link", ["javascript:alert(1)", "ftp://x", "mastodon.social/@jane"])
def test_author_social_links_must_be_web_addresses(bad_link):
    author = AuthorFactory.build(social_links=f"https://bsky.app/profile/jane\n{bad_link}")

    with pytest.raises(ValidationError) as excinfo:
        author.clean()

    errors = excinfo.value.message_dict
    assert list(errors) == ["social_links"]
    assert bad_link in errors["social_links"][0]
    assert "http" in errors["social_links"][0]


def test_author_social_links_refused_by_full_clean_too():
    author = AuthorFactory.build(social_links="javascript:alert(1)")

    with pytest.raises(ValidationError) as excinfo:
        author.full_clean()

    assert "social_links" in excinfo.value.message_dict


def test_author_social_links_accept_http_and_https():
    author = AuthorFactory.build(
        social_links="https://mastodon.social/@jane\n\n  https://bsky.app/profile/jane  \n"
        "http://example.com/jane\n"
    )

    author.clean()  # no error

    assert author.social_link_list == [
        "https://mastodon.social/@jane",
        "https://bsky.app/profile/jane",
        "http://example.com/jane",
    ]


def test_author_str_and_active_filter():
    active = AuthorFactory(name="Active Writer")
    AuthorFactory(name="Gone Writer", is_active=False)

    assert list(Author.objects.active()) == [active]
    assert str(active) == "Active Writer"


# --- was_updated ------------------------------------------------------------------------


def test_was_updated_is_false_right_after_publishing():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(draft=True)
    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        article.status = Article.Status.PUBLISHED
        article.save()

    article.refresh_from_db()
    assert article.was_updated is False


def test_was_updated_is_false_for_an_edit_within_the_grace_minute():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(draft=True)
        article.status = Article.Status.PUBLISHED
        article.save()
    with time_machine.travel(NOON + timedelta(seconds=30), tick=False):
        article.title = "Typo fixed"
        article.save()

    article.refresh_from_db()
    assert article.was_updated is False


def test_was_updated_is_true_after_a_later_edit():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(draft=True)
        article.status = Article.Status.PUBLISHED
        article.save()
    with time_machine.travel(NOON + timedelta(minutes=1, seconds=1), tick=False):
        article.body = "<p>Updated with new figures.</p>"
        article.save()

    article.refresh_from_db()
    assert article.was_updated is True


def test_was_updated_is_false_for_edits_before_a_scheduled_article_goes_out():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(published_at=NOON + timedelta(days=1))
    with time_machine.travel(NOON + timedelta(hours=5), tick=False):
        article.title = "Final headline"
        article.save()
    with time_machine.travel(NOON + timedelta(days=2), tick=False):
        article.refresh_from_db()
        assert article.is_published
        assert article.was_updated is False


def test_draft_was_never_updated():
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(draft=True)
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        article.save()

    assert article.was_updated is False
