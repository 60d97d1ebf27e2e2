"""Search at scale: only the newest RANK_LIMIT matches are ranked and shown, the count stops
just past that ("1,000+ results"), and the author choices cost one EXISTS query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import search as search_module
from articles.models import Article
from newsroom.pagecache import content_changed
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.helpers import parse, text_of

from .test_search import SEARCH_PAGE_QUERIES, SEARCH_URL, main_text, result_titles, search

pytestmark = pytest.mark.django_db


def zeppelin_articles(n: int) -> list[Article]:
    """``n`` published matches, "Zeppelin 0" the newest."""
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Zeppelin {i}",
            slug=f"zeppelin-{i}",
            dek="An airship.",
            body="<p>A zeppelin over the harbour.</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=i + 1),
        )
        for i in range(n)
    )
    return list(Article.objects.order_by("-published_at"))


def test_more_matches_than_are_ranked_show_as_a_capped_count(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 50
    zeppelin_articles(search_module.RANK_LIMIT + 5)

    response = search(client, "zeppelin")

    assert "1,000+ results for “zeppelin”" in main_text(response)
    assert "Page 1 of 20" in main_text(response)


def test_exactly_the_limit_is_an_exact_count(client, settings, monkeypatch):
    monkeypatch.setattr(search_module, "RANK_LIMIT", 3)
    zeppelin_articles(3)

    assert "3 results for “zeppelin”" in main_text(search(client, "zeppelin"))


def test_only_the_newest_matches_are_ranked_and_paged(
    client, settings, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(search_module, "RANK_LIMIT", 3)
    settings.NEWSROOM_PAGE_SIZE = 2
    zeppelin_articles(5)

    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        first = search(client, "zeppelin")
    second = search(client, "zeppelin", page=2)
    beyond = search(client, "zeppelin", page=3)  # out of range: the last page

    assert "3+ results for “zeppelin”" in main_text(first)
    assert "Page 1 of 2" in main_text(first)
    shown = result_titles(first) + result_titles(second)
    assert sorted(shown) == ["Zeppelin 0", "Zeppelin 1", "Zeppelin 2"]
    assert result_titles(beyond) == result_titles(second)


def test_pages_split_the_ranking_without_gaps_or_repeats(client, settings):
    ArticleFactory(title="Zeppelin zeppelin zeppelin", body="<p>Zeppelin, zeppelin.</p>")
    for n in range(6):
        ArticleFactory(title=f"Story {n}", body=f"<p>A zeppelin{' story' * n}.</p>")
    settings.NEWSROOM_PAGE_SIZE = 20
    whole = result_titles(search(client, "zeppelin"))

    settings.NEWSROOM_PAGE_SIZE = 3
    paged = [
        title
        for page in (1, 2, 3)
        for title in result_titles(search(client, "zeppelin", page=page))
    ]

    assert len(whole) == 7
    assert paged == whole


def test_author_choices_are_the_authors_of_published_articles(client):
    ada, bob, cy = (AuthorFactory(name=name) for name in ("Ada", "Bob", "Cy"))
    ArticleFactory(authors=[ada, bob])
    ArticleFactory(authors=[bob])
    ArticleFactory(authors=[cy], status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(authors=[cy], published_at=timezone.now() + timedelta(days=1))  # scheduled
    SectionFactory()

    response = client.get(SEARCH_URL, {"q": "anything"})

    options = parse(response).select("#search-author option")
    assert [text_of(option) for option in options] == ["All authors", "Ada", "Bob"]


def test_kept_choices_still_show_each_readers_filters(client, settings, django_assert_num_queries):
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 600
    ada, bob = AuthorFactory(name="Ada"), AuthorFactory(name="Bob")
    politics, sport = SectionFactory(name="Politics"), SectionFactory(name="Sport")
    ArticleFactory(title="Zeppelin policy", authors=[ada], section=politics)
    ArticleFactory(title="Zeppelin race", authors=[bob], section=sport)

    def selected(response, select: str) -> list[str]:
        return [option["value"] for option in parse(response).select(f"{select} option[selected]")]

    first = client.get(SEARCH_URL, {"q": "zeppelin", "author": ada.slug, "section": politics.slug})
    # The same choices again: kept, so neither the authors nor the sections are read (two
    # queries fewer), while the filters given are looked up (two more).
    with django_assert_num_queries(SEARCH_PAGE_QUERIES - 2 + 2):
        again = client.get(
            SEARCH_URL, {"q": "zeppelin", "author": ada.slug, "section": politics.slug}
        )
    other = client.get(SEARCH_URL, {"q": "zeppelin", "author": bob.slug})

    assert selected(first, "#search-author") == selected(again, "#search-author") == [ada.slug]
    assert selected(first, "#search-section") == [politics.slug]
    assert result_titles(again) == ["Zeppelin policy"]
    assert selected(other, "#search-author") == [bob.slug]
    assert selected(other, "#search-section") == []
    # A new author's first article shows them in the choices at once.
    cy = AuthorFactory(name="Cy")
    ArticleFactory(title="Zeppelin drill", authors=[cy])
    content_changed()
    options = parse(client.get(SEARCH_URL, {"q": "zeppelin"})).select("#search-author option")
    assert [text_of(option) for option in options] == ["All authors", "Ada", "Bob", "Cy"]
