"""Related articles at the end of an article: shared tags first, then the section."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, SectionFactory
from tests.helpers import parse

pytestmark = pytest.mark.django_db


# --- related and featured articles -----------------------------------------------------------


def related_links(client, article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    aside = parse(response).find("aside", class_="related")
    if aside is None:
        return []
    return [a["href"] for a in aside.find_all("a")]


def test_related_articles_rank_shared_tags_then_section(client):
    now = timezone.now()
    section = SectionFactory()
    elsewhere = SectionFactory()
    article = ArticleFactory(slug="subject", section=section, tags=["t1", "t2", "t3"])

    def make(slug, hours, **fields):
        fields.setdefault("section", elsewhere)
        return ArticleFactory(slug=slug, published_at=now - timedelta(hours=hours), **fields)

    three = make("three-tags", 30, tags=["t1", "t2", "t3", "x"])
    two = make("two-tags", 20, tags=["t2", "t3"])
    one = make("one-tag", 2, tags=["t1", "y", "z"])
    same_section = make("same-section", 1, section=section)
    make("older-same-section", 3, section=section)  # beyond the limit of four
    make("unrelated", 0.5, tags=["other"])
    make("draft-three-tags", 0, draft=True, tags=["t1", "t2", "t3"])
    ArticleFactory(slug="scheduled-three-tags", scheduled=True, tags=["t1", "t2", "t3"])
    ArticleFactory(slug="scheduled-section", scheduled=True, section=section)
    ArticleFactory(slug="draft-section", draft=True, section=section)
    make(
        "unpublished-tags",
        1,
        status=Article.Status.UNPUBLISHED,
        tags=["t1", "t2", "t3"],
        section=section,
    )

    assert related_links(client, article) == [
        a.get_absolute_url() for a in (three, two, one, same_section)
    ]


def test_related_articles_are_at_most_four_and_never_the_article_itself(client):
    now = timezone.now()
    article = ArticleFactory(slug="subject", tags=["shared"])
    sharers = [
        ArticleFactory(slug=f"sharer-{n}", tags=["shared"], published_at=now - timedelta(hours=n))
        for n in range(2, 8)
    ]
    links = related_links(client, article)
    assert links == [a.get_absolute_url() for a in sharers[:4]]
    assert article.get_absolute_url() not in links


def test_related_articles_fall_back_to_the_section_newest_first(client):
    now = timezone.now()
    section = SectionFactory()
    article = ArticleFactory(slug="subject", section=section)
    older = ArticleFactory(section=section, published_at=now - timedelta(hours=5))
    newer = ArticleFactory(section=section, published_at=now - timedelta(hours=2))
    ArticleFactory(section=SectionFactory(), published_at=now - timedelta(minutes=5))
    assert related_links(client, article) == [newer.get_absolute_url(), older.get_absolute_url()]


def test_related_article_matching_both_ways_is_listed_once(client):
    now = timezone.now()
    section = SectionFactory()
    article = ArticleFactory(slug="subject", section=section, tags=["a", "b"])
    both = ArticleFactory(section=section, tags=["a", "b"], published_at=now - timedelta(hours=3))
    section_only = ArticleFactory(section=section, published_at=now - timedelta(hours=2))
    assert related_links(client, article) == [
        both.get_absolute_url(),
        section_only.get_absolute_url(),
    ]


def test_article_without_tags_or_section_has_no_related_block(client):
    ArticleFactory(section=None)
    article = ArticleFactory(slug="alone", section=None)
    assert related_links(client, article) == []
