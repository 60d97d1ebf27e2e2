"""What the reader's pages say in their design (issue 12): the front page's ranks, short
unbroken dates and names in lists, times with their zone on an article, curly quotes, related
stories as cards, one-line bios for several authors, and a footer of the site's own pages."""

from datetime import UTC, datetime

import pytest

from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory
from tests.helpers import parse, text_of

pytestmark = pytest.mark.django_db


def ranks(soup) -> list[str]:
    return [
        "lead"
        if "teaser--lead" in teaser["class"]
        else "secondary"
        if "teaser--secondary" in teaser["class"]
        else "compact"
        for teaser in soup.select("main .teaser")
    ]


def test_the_front_page_is_a_lead_three_secondary_stories_then_compact_items(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 6
    for n in range(8):
        ArticleFactory(published_at=datetime(2026, 11, 1 + n, 12, tzinfo=UTC))

    first = parse(client.get("/"))
    older = client.get("/" + first.select_one("a[rel=next]")["href"].lstrip("/"))

    assert ranks(first) == ["lead", "secondary", "secondary", "secondary", "compact", "compact"]
    # Older pages are plain lists: the ranks belong to the top of the news.
    assert ranks(parse(older)) == ["compact", "compact"]


def test_featured_stories_take_the_lead_and_the_latest_are_compact(client):
    for n in range(3):
        ArticleFactory(is_featured=True, published_at=datetime(2026, 11, 1 + n, tzinfo=UTC))
    ArticleFactory(published_at=datetime(2026, 11, 10, tzinfo=UTC))

    soup = parse(client.get("/"))

    featured = soup.select(".featured .teaser")
    assert [t["class"][-1] for t in featured] == [
        "teaser--lead",
        "teaser--secondary",
        "teaser--secondary",
    ]
    assert ranks(soup)[len(featured) :] == ["compact"] * 4


def test_lists_show_short_dates_and_keep_dates_and_names_whole(client):
    author = AuthorFactory(name="Olena Kovalenko-Shevchenko")
    ArticleFactory(authors=[author], published_at=datetime(2026, 11, 2, 21, 53, tzinfo=UTC))

    meta = parse(client.get("/")).select_one("main .teaser .meta")

    assert text_of(meta) == "By Olena Kovalenko-Shevchenko · 2 Nov 2026"
    assert "unbroken" in meta.find("time")["class"]
    assert "unbroken" in meta.find("a", rel="author")["class"]


def test_an_article_gives_its_times_with_the_time_zone(client, settings):
    settings.TIME_ZONE = "Europe/Kyiv"
    article = ArticleFactory(published_at=datetime(2026, 11, 2, 19, 53, tzinfo=UTC))

    dates = parse(client.get(article.get_absolute_url())).select_one(".article__dates")

    assert text_of(dates) == "2 November 2026, 21:53 EET"


def test_titles_deks_and_body_text_get_curly_quotes_but_links_do_not(client):
    article = ArticleFactory(
        title='Kyiv\'s "lights on" plan',
        dek="The mayor's team says 'it works'.",
        body='<p>"Yes," she said. <a href="https://example.org/it\'s">it\'s here</a></p>',
    )

    response = client.get(article.get_absolute_url())
    soup = parse(response)

    assert text_of(soup.select_one(".article__title")) == "Kyiv’s “lights on” plan"
    assert text_of(soup.select_one(".article__dek")) == "The mayor’s team says ‘it works’."
    body = soup.select_one(".article__body")
    assert text_of(body.p) == "“Yes,” she said. it’s here"
    assert body.a["href"] == "https://example.org/it's"
    # The page's title element, meta tags and feeds keep what the writer typed.
    assert soup.title.get_text().startswith('Kyiv\'s "lights on" plan')
    teaser = parse(client.get("/")).select_one(".teaser__title")
    assert text_of(teaser) == "Kyiv’s “lights on” plan"


def test_related_stories_are_cards_with_thumbnails(client):
    section = SectionFactory()
    article = ArticleFactory(section=section)
    ArticleFactory(section=section, title="With a picture", image=ImageFactory())
    ArticleFactory(section=section, title="Without a picture")

    soup = parse(client.get(article.get_absolute_url()))

    cards = soup.select(".related .related__card")
    assert [text_of(card.select_one(".related__title")) for card in cards] == [
        "Without a picture",
        "With a picture",
    ]
    assert cards[0].select_one(".related__image") is None
    assert cards[1].select_one(".related__image img")["alt"] == ""


def test_one_author_gets_the_full_bio_and_several_get_one_line_each(client):
    first = AuthorFactory(name="Olena Kovalenko", job_title="Kyiv correspondent")
    second = AuthorFactory(name="Mark Smith", job_title="", bio="Mark covers energy.\n\nMore.")
    alone = ArticleFactory(authors=[first])
    together = ArticleFactory(authors=[first, second])

    full = parse(client.get(alone.get_absolute_url())).select(".bio-box")
    compact = parse(client.get(together.get_absolute_url())).select(".bio-box")

    assert len(full) == 1 and "bio-box--compact" not in full[0]["class"]
    assert "First paragraph of the bio." in text_of(full[0])
    assert [text_of(box) for box in compact] == [
        "Olena Kovalenko Kyiv correspondent",
        "Mark Smith Mark covers energy.",
    ]
    assert [box.a["href"] for box in compact] == [
        first.get_absolute_url(),
        second.get_absolute_url(),
    ]


def test_the_footer_links_to_the_pages_a_news_site_has(client, settings):
    settings.NEWSROOM_ABOUT_URL = "/about/"
    settings.NEWSROOM_CONTACT_URL = "mailto:desk@example.org"
    settings.NEWSROOM_CORRECTIONS_URL = "https://example.org/corrections"

    footer = parse(client.get("/")).find("footer", class_="site-footer")

    links = {text_of(a): a["href"] for a in footer.find_all("a")}
    assert links["About us"] == "/about/"
    assert links["Contact"] == "mailto:desk@example.org"
    assert links["Corrections policy"] == "https://example.org/corrections"
    assert links["Privacy"] == "/privacy/"
    assert links["RSS feed"] == "/feeds/rss/"
    assert links["Atom feed"] == "/feeds/atom/"


def test_a_footer_link_without_a_url_is_left_out(client, settings):
    settings.NEWSROOM_ABOUT_URL = ""
    settings.NEWSROOM_CONTACT_URL = ""

    footer = parse(client.get("/")).find("footer", class_="site-footer")

    texts = [text_of(a) for a in footer.find_all("a")]
    assert "About us" not in texts and "Contact" not in texts
    assert "Privacy" in texts
