from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    SectionFactory,
    SourceFactory,
)
from tests.helpers import staff_in

# --- a small newsroom --------------------------------------------------------------------


@pytest.fixture
def world():
    """Published articles in two sections, plus everything readers must not see."""
    now = timezone.now()
    politics = SectionFactory(name="Politics", slug="politics")
    sport = SectionFactory(name="Sport", slug="sport")
    olena = AuthorFactory(name="Olena Kovalenko", slug="olena")
    mark = AuthorFactory(name="Mark Smith", slug="mark")
    lonely = AuthorFactory(name="Only Drafts", slug="only-drafts")
    quiet = AuthorFactory(name="No Articles", slug="no-articles")
    kyiv_post = SourceFactory(name="Kyiv Post", slug="kyiv-post")
    hidden_source = SourceFactory(name="Hidden Source", slug="hidden-source")
    idle_source = SourceFactory(name="Idle Source", slug="idle-source")

    old = ArticleFactory(
        title="Old politics story",
        slug="old-politics",
        dek="The oldest published story.",
        section=politics,
        published_at=now - timedelta(hours=5),
        authors=[olena, mark],
        tags=["Elections", "Kyiv"],
        source=kyiv_post,
        source_url="https://www.kyivpost.com/post/1",
    )
    other_section = ArticleFactory(
        title="Sport story",
        slug="sport-story",
        dek="A story in another section.",
        section=sport,
        published_at=now - timedelta(hours=3),
        authors=[olena],
        tags=["Kyiv"],
    )
    new = ArticleFactory(
        title="New politics story",
        slug="new-politics",
        dek="The newest published story.",
        section=politics,
        published_at=now - timedelta(hours=1),
        authors=[mark],
        tags=["Elections"],
    )
    hidden = [
        ArticleFactory(
            draft=True,
            slug="a-draft",
            section=politics,
            authors=[olena, lonely],
            tags=["Elections", "Drafty"],
            source=hidden_source,
        ),
        ArticleFactory(
            status=Article.Status.IN_REVIEW,
            published_at=None,
            slug="in-review",
            section=politics,
            authors=[mark],
            tags=["Elections"],
        ),
        ArticleFactory(
            status=Article.Status.RETURNED,
            published_at=None,
            slug="returned",
            section=politics,
            authors=[mark],
            tags=["Kyiv"],
        ),
        ArticleFactory(
            status=Article.Status.UNPUBLISHED,
            published_at=now - timedelta(hours=2),
            slug="unpublished",
            section=politics,
            authors=[olena],
            tags=["Elections", "Pulled"],
            source=hidden_source,
        ),
        ArticleFactory(
            scheduled=True,
            slug="scheduled",
            section=politics,
            authors=[olena, lonely],
            tags=["Elections", "Tomorrow"],
            source=hidden_source,
        ),
    ]
    return {
        "politics": politics,
        "sport": sport,
        "olena": olena,
        "mark": mark,
        "lonely": lonely,
        "quiet": quiet,
        "kyiv_post": kyiv_post,
        "hidden_source": hidden_source,
        "idle_source": idle_source,
        "old": old,
        "other_section": other_section,
        "new": new,
        "published": [new, other_section, old],
        "hidden": hidden,
    }


@pytest.fixture
def people():
    writer = staff_in("Writers", username="wanda")
    other_writer = staff_in("Writers", username="oscar")
    AuthorFactory(name="Wanda Writer", user=writer)
    AuthorFactory(name="Oscar Other", user=other_writer)
    return {
        "writer": writer,
        "other_writer": other_writer,
        "editor": staff_in("Editors", username="edith"),
        "moderator": staff_in("Moderators", username="moe"),
        "anonymous": None,
    }


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
