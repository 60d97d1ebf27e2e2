"""Phones. WCAG 1.4.10 (reflow): at 320 CSS pixels no public page scrolls sideways, even with
the long unbroken strings real content has (raw URLs, e-mail addresses, compound words). At
390 × 844 (a common phone) the header is one compact row and one line of sections, and the
front page is a lead and a list, not a column of screen-wide pictures."""

import pytest
from playwright.sync_api import Page, expect

from articles.models import Article
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    image_file,
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
        "search-empty": "/search/",
        "not-found": "/no-such-page/",
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
        "search-empty",
        "not-found",
    ],
)
def test_no_public_page_scrolls_sideways_at_320_px(new_page, live_server, long_strings, name):
    page: Page = new_page(viewport={"width": 320, "height": 640})

    response = page.goto(live_server.url + long_strings[name])

    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
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


SECTION_NAMES = ["World", "Politics", "Business", "Science", "Culture", "Environment", "Sport"]


@pytest.fixture
def front_page():
    """A front page as the demo has it: every story illustrated, seven sections."""
    sections = [SectionFactory(name=name, slug=name.lower()) for name in SECTION_NAMES]
    author = AuthorFactory(name="Olena Marchenko", slug="olena-marchenko")
    return [
        ArticleFactory(
            title=f"Story number {n} about the winter",
            slug=f"story-{n}",
            section=sections[n % len(sections)],
            authors=[author],
            image=ImageFactory(file=image_file(f"story{n}.jpg", size=(1600, 900))),
        )
        for n in range(10)
    ]


def test_the_mobile_header_is_one_row_and_one_line_of_sections(new_page, live_server, front_page):
    page: Page = new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/")

    header = page.locator(".site-header").bounding_box()
    name = page.get_by_role("link", name="Newsroom", exact=True).first.bounding_box()
    search = page.get_by_role("banner").get_by_role("link", name="Search").bounding_box()
    nav = page.get_by_role("navigation", name="Sections")
    # 208 px before the redesign; a row and a line of links fit in well under 120.
    assert header is not None and header["height"] <= 120, header
    assert name is not None and search is not None
    assert abs((name["y"] + name["height"] / 2) - (search["y"] + search["height"] / 2)) < 12
    assert search["x"] + search["width"] <= 390 and search["width"] >= 44  # a thumb-sized target
    expect(page.get_by_role("search", name="Site")).to_be_hidden()
    expect(page.locator(".site-tagline")).to_be_hidden()
    # One line of sections, scrolled sideways rather than wrapped.
    links = nav.get_by_role("link")
    expect(links).to_have_count(len(SECTION_NAMES) + 1)
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(len(SECTION_NAMES) + 1)}
    assert len(tops) == 1, tops
    strip = nav.get_by_role("list")
    assert strip.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    last = links.last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()


def test_the_mobile_search_link_works_without_javascript(new_page, live_server, front_page):
    page: Page = new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(live_server.url + "/")

    page.get_by_role("banner").get_by_role("link", name="Search").click()

    expect(page).to_have_url(live_server.url + "/search/")
    page.get_by_role("main").get_by_role("searchbox").fill("winter")
    page.get_by_role("main").get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("main")).to_contain_text("Story number 3 about the winter")


def test_the_phone_front_page_is_a_lead_then_a_list_of_thumbnails(
    new_page, live_server, front_page
):
    page: Page = new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/")

    pictures = page.locator(".teaser__image img")
    expect(pictures).to_have_count(10)
    widths = [pictures.nth(i).bounding_box()["width"] for i in range(10)]
    assert widths[0] >= 350, "the lead keeps a screen-wide picture"
    assert all(width <= 120 for width in widths[1:]), widths
    # The secondary stories keep their dek; the compact ones after them do not show one.
    deks = page.locator(".teaser__dek")
    assert [deks.nth(i).is_visible() for i in range(10)] == [True] * 4 + [False] * 6
    # Ten illustrated stories used to make a page of about 5,000 px.
    assert page.evaluate("document.documentElement.scrollHeight") < 3000


def test_the_footer_stays_at_the_bottom_of_a_short_page(new_page, live_server, front_page):
    page: Page = new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server.url + "/search/?q=zzyzx")

    footer = page.get_by_role("contentinfo").bounding_box()

    assert footer is not None
    assert footer["y"] + footer["height"] == pytest.approx(1000, abs=1)
