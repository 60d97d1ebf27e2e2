"""WCAG 1.4.10 (reflow): at 320 CSS pixels no public page scrolls sideways, even with the
long unbroken strings real content has (raw URLs, e-mail addresses, compound words)."""

import pytest
from playwright.sync_api import Page

from articles.models import Article
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    SectionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.browser

LONG_URL = "https://www.example-regional-news-publication.org/investigations/2026/" + "x" * 80
LONG_WORD = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
LONG_TAG = "Reconstruction-of-critical-energy-infrastructure-in-Zaporizhzhia"


@pytest.fixture
def long_strings():
    section = SectionFactory(name="World", slug="world")
    author = AuthorFactory(
        name="Olena Kovalenko-Shevchenko",
        slug="olena",
        email="olena.kovalenko-shevchenko.correspondent@example-newsroom.org",
        website=LONG_URL,
        social_links=f"https://mastodon.social/@olena_kovalenko_shevchenko_reports\n{LONG_URL}/a",
        bio=f"Olena writes about {LONG_WORD} and keeps notes at {LONG_URL}.",
    )
    source = SourceFactory(
        name="Kyiv Independent",
        slug="kyiv-independent",
        homepage="https://kyivindependent-regional-investigations.example.com/" + "y" * 60,
    )
    article = ArticleFactory(
        title=f"Convoy of {LONG_WORD} reaches Kharkiv",
        slug="convoy",
        dek=f"The {LONG_WORD} arrived.",
        body=f'<p>Read the report at <a href="{LONG_URL}">{LONG_URL}</a> and {LONG_URL} '
        f"about the {LONG_WORD}.</p>",
        section=section,
        authors=[author],
        tags=[LONG_TAG],
        source=source,
        source_url=LONG_URL + "/source",
    )
    CommentFactory(
        article=article,
        name=LONG_WORD,
        email="reader@example.com",
        body=f"See {LONG_URL} about the {LONG_WORD}.",
        status=Comment.Status.APPROVED,
    )
    tag_slug = Article.objects.get(pk=article.pk).tags.get().slug
    year = article.published_at.year
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "author": "/authors/olena/",
        "section": "/sections/world/",
        "tag": f"/tags/{tag_slug}/",
        "source": "/sources/kyiv-independent/",
        "search": f"/search/?q={LONG_WORD}",
        "archive-year": f"/archive/{year}/",
        "archive-month": f"/archive/{year}/{article.published_at.month}/",
    }


@pytest.mark.parametrize(
    "name",
    [
        "home",
        "article",
        "author",
        "section",
        "tag",
        "source",
        "search",
        "archive-year",
        "archive-month",
    ],
)
def test_no_public_page_scrolls_sideways_at_320_px(new_page, live_server, long_strings, name):
    page: Page = new_page(viewport={"width": 320, "height": 640})

    response = page.goto(live_server.url + long_strings[name])

    assert response is not None and response.status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, widest_elements(page)


def widest_elements(page: Page) -> list[str]:
    """The innermost elements sticking out past the right edge, to say what to fix."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
          .filter((el) => el.getBoundingClientRect().right > 320)
          .filter((el) => !Array.from(el.children).some(
            (child) => child.getBoundingClientRect().right > 320))
          .slice(0, 8)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(
            el.getBoundingClientRect().right)}px: ${el.textContent.slice(0, 40)}`)"""
    )
