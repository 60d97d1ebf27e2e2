"""The public pages of the articles app: home, article, section, tag and source pages.

Pages are checked the way a reader meets them: what is listed, in which order, and where on
the page each part of an article appears.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    UserFactory,
    image_file,
)
from tests.helpers import is_rendition_of, parse, text_of

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC)
BAD_PAGES = ["abc", "0", "-1", "99999", ""]


# --- helpers ------------------------------------------------------------------------------


def main_of(response):
    main = parse(response).find("main")
    assert main is not None
    return main


def listed_titles(response) -> list[str]:
    """Titles of the article teasers on a listing page, top to bottom."""
    return [text_of(teaser.find("h2")) for teaser in main_of(response).find_all("article")]


def teaser_for(response, article):
    for teaser in main_of(response).find_all("article"):
        if teaser.find("a", href=article.get_absolute_url()):
            return teaser
    raise AssertionError(f"no teaser for {article.title!r}")


def iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat()


def preview_user(is_staff: bool = True, *, can_publish: bool = True):
    """An editor: may change and publish articles (staff unless told otherwise)."""
    user = UserFactory(is_staff=is_staff)
    codenames = ["change_article", "publish_article"] if can_publish else ["change_article"]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    return user


# --- home page ----------------------------------------------------------------------------


def test_home_lists_published_articles_newest_first(client):
    now = timezone.now()
    # Created in an order unlike their publish times: the list follows the publish time.
    ArticleFactory(title="Yesterday", published_at=now - timedelta(days=1))
    ArticleFactory(title="An hour ago", published_at=now - timedelta(hours=1))
    ArticleFactory(title="Last week", published_at=now - timedelta(days=7))
    ArticleFactory(title="A minute ago", published_at=now - timedelta(minutes=1))

    response = client.get("/")

    assert response.status_code == 200
    assert listed_titles(response) == ["A minute ago", "An hour ago", "Yesterday", "Last week"]


def test_home_teaser_shows_title_dek_byline_and_image(client):
    jane = AuthorFactory(name="Jane Doe", slug="jane-doe")
    john = AuthorFactory(name="John Roe", slug="john-roe")
    with_image = ArticleFactory(
        title="Grid under attack",
        dek="Power cuts across Kyiv after overnight strikes.",
        authors=[jane, john],
        image=ImageFactory(
            file=image_file("grid.jpg"),
            alt_text="A dark street",
        ),
    )
    without_image = ArticleFactory(title="Talks resume", dek="Delegations meet in Geneva.")

    response = client.get("/")

    teaser = teaser_for(response, with_image)
    title_link = teaser.find("h2").find("a")
    assert text_of(title_link) == "Grid under attack"
    assert title_link["href"] == with_image.get_absolute_url()
    assert "Power cuts across Kyiv after overnight strikes." in text_of(teaser)
    byline = teaser.find("a", href=jane.get_absolute_url()).parent
    assert text_of(byline).startswith("By Jane Doe and John Roe")
    assert [a["href"] for a in byline.find_all("a")] == [
        jane.get_absolute_url(),
        john.get_absolute_url(),
    ]
    # One picture: resized copies of the featured image, WebP first.
    (img,) = teaser.find_all("img")
    assert img["src"].startswith("/media/renditions/")
    assert teaser.find("source", type="image/webp")["srcset"].count("w") >= 1

    plain = teaser_for(response, without_image)
    assert "Delegations meet in Geneva." in text_of(plain)
    assert plain.find("img") is None
    assert "By " not in text_of(plain)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Ann Able"], "By Ann Able"),
        (["Ann Able", "Ben Baker", "Cy Cole"], "By Ann Able, Ben Baker and Cy Cole"),
    ],
    ids=["one-author", "three-authors"],
)
def test_home_byline_wording(client, names, expected):
    authors = [AuthorFactory(name=name) for name in names]
    article = ArticleFactory(authors=authors)

    response = client.get("/")

    meta = teaser_for(response, article).find("a", href=authors[0].get_absolute_url()).parent
    assert text_of(meta).startswith(f"{expected} ·")


def test_home_hides_drafts_and_scheduled_articles(client):
    ArticleFactory(title="Out now")
    ArticleFactory(title="Still a draft", draft=True)
    ArticleFactory(title="Draft with old time", status=Article.Status.DRAFT, published_at=NOON)
    ArticleFactory(title="Embargoed until tomorrow", scheduled=True)

    response = client.get("/")

    assert listed_titles(response) == ["Out now"]
    for hidden in ("Still a draft", "Draft with old time", "Embargoed until tomorrow"):
        assert hidden not in response.content.decode()


def test_home_says_so_when_nothing_is_published(client):
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)

    response = client.get("/")

    assert response.status_code == 200
    assert listed_titles(response) == []
    assert "Nothing has been published yet." in text_of(main_of(response))


def test_every_pages_site_links_follow_the_sites_address_prefix(client, settings):
    """The header's, head's and footer's links are worked out once per prefix: a site served
    under /news/ links there, and one served at the root links to the root."""
    from django.test.utils import override_script_prefix

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    ArticleFactory(title="Повінь 🌊")

    def site_links(response) -> set[str]:
        html = parse(response)
        return {html.select_one(".site-name")["href"], html.select_one(".site-search")["action"]}

    with override_script_prefix("/news/"):
        under_news = client.get("/")
        assert site_links(under_news) == {"/news/", "/news/search/"}
        assert 'href="/news/feeds/rss/"' in under_news.content.decode()
    assert site_links(client.get("/")) == {"/", "/search/"}


@pytest.fixture
def five_articles(settings):
    """Five published articles, newest first, two to a page (pages 1–3)."""
    settings.NEWSROOM_PAGE_SIZE = 2
    now = timezone.now()
    return [
        ArticleFactory(title=f"Story {n}", published_at=now - timedelta(hours=n))
        for n in range(1, 6)
    ]


def follow(client, response, rel: str):
    """Follow the listing's "Older" (next) or "Newer" (prev) link."""
    link = main_of(response).find("nav").find("a", rel=rel)
    return client.get(response.wsgi_request.path + link["href"])


def test_home_pages_go_older_and_back_newer_by_links(client, five_articles):
    first = client.get("/")
    second = follow(client, first, "next")
    third = follow(client, second, "next")
    back = follow(client, third, "prev")

    assert listed_titles(first) == ["Story 1", "Story 2"]
    assert listed_titles(second) == ["Story 3", "Story 4"]
    assert listed_titles(third) == ["Story 5"]
    assert main_of(third).find("nav").find("a", rel="next") is None
    assert listed_titles(back) == ["Story 3", "Story 4"]
    assert listed_titles(follow(client, back, "prev")) == ["Story 1", "Story 2"]


def test_home_first_page_links_to_older_articles_only(client, five_articles):
    response = client.get("/")

    nav = main_of(response).find("nav")
    assert nav.find("a", rel="prev") is None
    assert nav.find("a", rel="next")["href"].startswith("?older=")


def test_a_new_article_does_not_shift_the_older_pages(client, five_articles):
    second = follow(client, client.get("/"), "next")
    ArticleFactory(title="Breaking", published_at=timezone.now())

    again = client.get(second.wsgi_request.get_full_path())

    # Keyset pages start after the last article seen, not at an offset.
    assert listed_titles(again) == ["Story 3", "Story 4"]


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"older": "abc"},
        {"older": "99999999999999999999999-1"},
        {"older": "-5-3"},
        {"newer": "1-1"},
        {"newer": ""},
        {"older": "1700000000000000-"},
    ],
)
def test_home_bad_page_addresses_show_a_real_page(client, five_articles, query):
    response = client.get("/", query)

    assert response.status_code == 200
    # Never an error: the first page, or the real page such a cursor points at.
    titles = listed_titles(response)
    assert titles and set(titles) <= {f"Story {n}" for n in range(1, 6)}


# --- article page -------------------------------------------------------------------------


@pytest.fixture
def full_article():
    """An article with every part a reader can see, published at NOON."""
    section = SectionFactory(name="Energy", slug="energy")
    source = SourceFactory(name="Kyiv Post", slug="kyiv-post", homepage="https://www.kyivpost.com/")
    jane = AuthorFactory(
        name="Jane Doe",
        slug="jane-doe",
        job_title="Kyiv correspondent",
        bio="Jane has covered Ukraine since 2014.\n\nShe lives in Kyiv.",
        photo=image_file("jane.jpg"),
    )
    john = AuthorFactory(
        name="John Roe",
        slug="john-roe",
        job_title="Energy editor",
        bio="John writes about power grids.",
    )
    with time_machine.travel(NOON, tick=False):
        return ArticleFactory(
            title="Blackouts return to Kyiv",
            slug="blackouts-return",
            dek="Overnight strikes hit three power plants.",
            body="<p>Residents woke to silence.</p><h2>Repairs</h2><p>Crews worked all day.</p>",
            section=section,
            authors=[jane, john],
            tags=["Ukraine", "Power grid"],
            source=source,
            source_url="https://www.kyivpost.com/post/123",
            published_at=NOON,
            image=ImageFactory(
                file=image_file("plant.jpg", size=(120, 80)),
                alt_text="A power plant at dusk",
                caption="The Trypilska plant after the strike.",
                credit="Photo: Jane Doe",
            ),
        )


def test_article_page_shows_every_part_in_reading_order(client, full_article):
    article = full_article
    jane, john = article.byline_authors

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    soup = parse(response)
    main = soup.find("main")
    document_order = {id(element): index for index, element in enumerate(soup.find_all(True))}

    def position(element) -> int:
        assert element is not None
        return document_order[id(element)]

    # The headline is the page's only h1.
    (h1,) = soup.find_all("h1")
    assert text_of(h1) == "Blackouts return to Kyiv"

    section_link = main.find("a", href="/sections/energy/")
    assert text_of(section_link) == "Energy"

    dek = main.find(lambda tag: tag.name == "p" and text_of(tag) == article.dek)

    jane_links = main.find_all("a", href=jane.get_absolute_url())
    john_links = main.find_all("a", href=john.get_absolute_url())
    byline = jane_links[0].parent
    assert text_of(byline).startswith("By Jane Doe and John Roe")
    assert byline.find("a", href=john.get_absolute_url()) is not None

    published = byline.find("time")
    assert published["datetime"] == iso(NOON)
    assert "14 March 2025" in text_of(published)

    figure = main.find("figure")
    img = figure.find("img")
    assert is_rendition_of(img["src"], article.image.file)
    assert img["alt"] == "A power plant at dusk"
    caption = text_of(figure.find("figcaption"))
    assert "The Trypilska plant after the strike." in caption
    assert "Photo: Jane Doe" in caption

    body_start = main.find(string="Residents woke to silence.").parent
    body_end = main.find(string="Crews worked all day.").parent
    assert main.find("h2", string="Repairs") is not None

    tag_links = {text_of(a): a for a in main.find_all("a", rel="tag")}
    assert set(tag_links) == {"Ukraine", "Power grid"}
    assert tag_links["Ukraine"]["href"] == "/tags/ukraine/"
    assert tag_links["Power grid"]["href"] == "/tags/power-grid/"

    source_line = main.find(lambda tag: tag.name == "p" and "Original Source:" in text_of(tag))
    assert text_of(source_line).startswith("Original Source: www.kyivpost.com")
    source_link = source_line.find("a", string="www.kyivpost.com")
    assert source_link["href"] == "https://www.kyivpost.com/post/123"

    jane_box, john_box = main.find_all("aside")
    assert jane_box.find("a", href=jane.get_absolute_url()) is jane_links[-1]
    assert john_box.find("a", href=john.get_absolute_url()) is john_links[-1]

    comments = soup.find(id="comments")

    positions = [
        position(section_link),
        position(h1),
        position(dek),
        position(byline),
        position(published),
        position(figure),
        position(body_start),
        position(body_end),
        *sorted(position(a) for a in tag_links.values()),
        position(source_line),
        position(jane_box),
        position(john_box),
        position(comments),
    ]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)


def test_article_page_bio_boxes_follow_the_byline(client, full_article):
    jane, john = full_article.byline_authors

    response = client.get(full_article.get_absolute_url())

    boxes = main_of(response).find_all("aside")
    assert len(boxes) == 2
    jane_box, john_box = boxes

    assert jane_box.find("a", href=jane.get_absolute_url()).get_text(strip=True) == "Jane Doe"
    (photo,) = jane_box.find_all("img")
    assert is_rendition_of(photo["src"], jane.photo)
    # Two authors: one line each (name and job title), not two full bios.
    assert [text_of(p) for p in jane_box.find_all("p")] == ["Jane Doe Kyiv correspondent"]

    assert john_box.find("a", href=john.get_absolute_url()).get_text(strip=True) == "John Roe"
    assert john_box.find("img") is None  # no photo uploaded
    assert [text_of(p) for p in john_box.find_all("p")] == ["John Roe Energy editor"]


def test_a_single_author_gets_the_full_bio_box(client, full_article):
    jane = full_article.byline_authors[0]
    article = ArticleFactory(authors=[jane])

    (box,) = main_of(client.get(article.get_absolute_url())).find_all("aside")

    paragraphs = [text_of(p) for p in box.find_all("p")]
    assert "Kyiv correspondent" in paragraphs
    assert "Jane has covered Ukraine since 2014." in paragraphs
    assert "She lives in Kyiv." in paragraphs


def test_bio_boxes_swap_when_the_byline_order_changes(client):
    first = AuthorFactory(name="Zoe Zed")
    second = AuthorFactory(name="Adam Ant")
    article = ArticleFactory(authors=[first, second])

    response = client.get(article.get_absolute_url())

    names = [text_of(box.find("a")) for box in main_of(response).find_all("aside")]
    assert names == ["Zoe Zed", "Adam Ant"]


def test_original_source_without_article_url_links_to_source_homepage(client):
    source = SourceFactory(homepage="https://www.kyivpost.com/")
    article = ArticleFactory(source=source, source_url="")

    response = client.get(article.get_absolute_url())

    source_line = main_of(response).find(
        lambda tag: tag.name == "p" and "Original Source:" in text_of(tag)
    )
    assert source_line.find("a", string="www.kyivpost.com")["href"] == "https://www.kyivpost.com/"


def test_article_without_source_has_no_original_source_line(client):
    article = ArticleFactory(source=None)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Original Source" not in response.content.decode()


def test_article_without_image_or_authors_has_no_figure_or_bio_boxes(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    main = main_of(response)
    assert main.find("figure") is None
    assert main.find("aside") is None
    assert "By " not in text_of(main.find("header"))


def edited_after(seconds: int) -> Article:
    with time_machine.travel(NOON, tick=False):
        article = ArticleFactory(published_at=NOON)
    with time_machine.travel(NOON + timedelta(seconds=seconds), tick=False):
        article.title = "Corrected headline"
        article.save()
    return article


def test_article_changed_well_after_publishing_shows_updated_time(client):
    article = edited_after(seconds=5 * 60)

    response = client.get(article.get_absolute_url())

    header = main_of(response).find("header")
    assert "Updated" in text_of(header)
    times = [time["datetime"] for time in header.find_all("time")]
    assert times == [iso(NOON), iso(NOON + timedelta(minutes=5))]


@pytest.mark.parametrize("seconds", [0, 30, 60])
def test_article_saved_within_a_minute_of_publishing_shows_no_updated_time(client, seconds):
    article = edited_after(seconds=seconds)

    response = client.get(article.get_absolute_url())

    header = main_of(response).find("header")
    assert "Updated" not in text_of(header)
    assert [time["datetime"] for time in header.find_all("time")] == [iso(NOON)]


def test_back_dated_article_is_not_called_updated_until_edited(client):
    # Written at 14:00 with the publish time set to when the news broke, at noon.
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        article = ArticleFactory(published_at=NOON)

    response = client.get(article.get_absolute_url())

    header = main_of(response).find("header")
    assert "Updated" not in text_of(header)
    assert [time["datetime"] for time in header.find_all("time")] == [iso(NOON)]

    with time_machine.travel(NOON + timedelta(hours=3), tick=False):
        article.dek = "A corrected summary."
        article.save()

    response = client.get(article.get_absolute_url())

    header = main_of(response).find("header")
    assert "Updated" in text_of(header)
    assert [time["datetime"] for time in header.find_all("time")] == [
        iso(NOON),
        iso(NOON + timedelta(hours=3)),
    ]


def test_script_stored_in_body_is_not_rendered(client):
    article = ArticleFactory()
    # Bypasses save() and its sanitizing, as a raw import or SQL fix-up would.
    Article.objects.filter(pk=article.pk).update(body="<p>x</p><script>alert(1)</script>")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "alert(1)" not in html
    body = main_of(response).find("p", string="x").parent
    assert body.find("script") is None
    # Scripts the site itself loads come from files; the only inline one is JSON-LD data.
    inline = [s for s in parse(response).find_all("script") if not s.get("src")]
    assert [s.get("type") for s in inline] == ["application/ld+json"]


def test_unknown_article_is_404(client):
    ArticleFactory(slug="real-story")

    response = client.get("/articles/no-such-story/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.fixture(params=["draft", "draft-with-past-time", "scheduled"])
def unpublished_article(request):
    if request.param == "draft":
        return ArticleFactory(title="Secret draft", draft=True)
    if request.param == "draft-with-past-time":
        return ArticleFactory(
            title="Unpublished again", status=Article.Status.DRAFT, published_at=NOON
        )
    return ArticleFactory(title="Secret scheduled", scheduled=True)


@pytest.mark.parametrize(
    "visitor",
    ["anonymous", "reader", "reader-with-permission", "staff-without-permission"],
)
def test_unpublished_article_is_404_for_those_who_may_not_preview(
    client, unpublished_article, visitor
):
    if visitor == "reader":
        client.force_login(UserFactory())
    elif visitor == "reader-with-permission":
        client.force_login(preview_user(is_staff=False))
    elif visitor == "staff-without-permission":
        client.force_login(UserFactory(is_staff=True))

    response = client.get(unpublished_article.get_absolute_url())

    assert response.status_code == 404
    assert unpublished_article.title not in response.content.decode()


def test_staff_editor_previews_unpublished_article_without_caching_or_indexing(
    client, unpublished_article
):
    client.force_login(preview_user())

    response = client.get(unpublished_article.get_absolute_url())

    assert response.status_code == 200
    banner = text_of(main_of(response))
    assert "Preview — not published" in banner
    if unpublished_article.is_scheduled:
        assert "Scheduled for" in banner
    else:
        assert "Status: Draft" in banner
    assert text_of(parse(response).find("h1")) == unpublished_article.title
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_staff_editor_sees_published_article_without_preview_banner(client):
    article = ArticleFactory()
    client.force_login(preview_user())

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Preview" not in text_of(main_of(response))
    assert not response.has_header("X-Robots-Tag")
    assert "no-store" not in response.get("Cache-Control", "")


# --- section, tag and source pages ---------------------------------------------------------


def test_section_page_lists_only_its_published_articles(client):
    energy = SectionFactory(name="Energy", slug="energy", description="Power and fuel.")
    other = SectionFactory(name="Politics", slug="politics")
    now = timezone.now()
    ArticleFactory(title="Older energy", section=energy, published_at=now - timedelta(days=2))
    ArticleFactory(title="Newer energy", section=energy, published_at=now - timedelta(days=1))
    ArticleFactory(title="Energy draft", section=energy, draft=True)
    ArticleFactory(title="Energy tomorrow", section=energy, scheduled=True)
    ArticleFactory(title="Election news", section=other)

    response = client.get("/sections/energy/")

    assert response.status_code == 200
    soup = parse(response)
    assert text_of(soup.find("h1")) == "Energy"
    assert "Power and fuel." in text_of(main_of(response))
    assert listed_titles(response) == ["Newer energy", "Older energy"]
    # The navigation marks where the reader is.
    current = soup.find("nav").find_all("a", attrs={"aria-current": "page"})
    assert [a["href"] for a in current] == ["/sections/energy/"]


def test_empty_section_says_so(client):
    SectionFactory(slug="culture")
    ArticleFactory(section=SectionFactory(slug="culture-draft"), draft=True)

    response = client.get("/sections/culture/")

    assert response.status_code == 200
    assert listed_titles(response) == []
    assert "No articles in this section yet." in text_of(main_of(response))


def test_tag_page_lists_only_published_articles_with_the_tag(client):
    now = timezone.now()
    ArticleFactory(title="Older", tags=["Ukraine"], published_at=now - timedelta(days=2))
    ArticleFactory(title="Newer", tags=["Ukraine", "Energy"], published_at=now - timedelta(days=1))
    ArticleFactory(title="Tagged draft", tags=["Ukraine"], draft=True)
    ArticleFactory(title="Tagged tomorrow", tags=["Ukraine"], scheduled=True)
    ArticleFactory(title="Energy only", tags=["Energy"])
    ArticleFactory(title="No tags")
    slug = Tag.objects.get(name="Ukraine").slug

    response = client.get(f"/tags/{slug}/")

    assert response.status_code == 200
    assert text_of(parse(response).find("h1")) == "Ukraine"
    assert listed_titles(response) == ["Newer", "Older"]


def test_source_page_lists_only_published_articles_from_the_source(client):
    kyiv_post = SourceFactory(
        name="Kyiv Post", slug="kyiv-post", homepage="https://www.kyivpost.com/"
    )
    other = SourceFactory(name="Reuters", slug="reuters")
    now = timezone.now()
    ArticleFactory(title="Older", source=kyiv_post, published_at=now - timedelta(days=2))
    ArticleFactory(title="Newer", source=kyiv_post, published_at=now - timedelta(days=1))
    ArticleFactory(title="Source draft", source=kyiv_post, draft=True)
    ArticleFactory(title="Source tomorrow", source=kyiv_post, scheduled=True)
    ArticleFactory(title="Wire story", source=other)
    ArticleFactory(title="Own reporting")

    response = client.get("/sources/kyiv-post/")

    assert response.status_code == 200
    main = main_of(response)
    assert text_of(parse(response).find("h1")) == "Kyiv Post"
    assert main.find("a", string="www.kyivpost.com")["href"] == "https://www.kyivpost.com/"
    assert listed_titles(response) == ["Newer", "Older"]


@pytest.mark.parametrize("url", ["/sections/nope/", "/tags/nope/", "/sources/nope/"])
def test_unknown_section_tag_or_source_is_404(client, url):
    ArticleFactory(section=SectionFactory(slug="real"), tags=["real"], source=SourceFactory())

    response = client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("page", BAD_PAGES)
@pytest.mark.parametrize("kind", ["section", "tag", "source"])
def test_listing_pages_survive_bad_page_numbers(client, kind, page):
    article = ArticleFactory(
        title="The one story",
        section=SectionFactory(slug="world"),
        tags=["World"],
        source=SourceFactory(slug="wire"),
    )
    url = {"section": "/sections/world/", "tag": "/tags/world/", "source": "/sources/wire/"}[kind]

    response = client.get(url, {"page": page})

    assert response.status_code == 200
    assert listed_titles(response) == [article.title]


def test_tag_and_source_pages_with_only_unpublished_articles_say_so(client):
    source = SourceFactory(slug="wire", name="Wire")
    ArticleFactory(tags=["Quiet"], source=source, draft=True)
    ArticleFactory(tags=["Quiet"], source=source, scheduled=True)

    tag_page = client.get("/tags/quiet/")
    source_page = client.get("/sources/wire/")

    assert listed_titles(tag_page) == listed_titles(source_page) == []
    assert "No published articles carry this tag yet." in text_of(main_of(tag_page))
    assert "No published articles are based on this source yet." in text_of(main_of(source_page))


def test_a_writer_previews_their_own_draft_but_not_another_writers(client):
    writer = preview_user(can_publish=False)
    own = ArticleFactory(title="Mine", draft=True, created_by=writer)
    other = ArticleFactory(title="Theirs", draft=True, created_by=UserFactory())
    client.force_login(writer)

    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def featured_links(response) -> list[str] | None:
    section = parse(response).find("section", class_="featured")
    if section is None:
        return None
    assert section.find(id="featured-heading").get_text() == "Featured"
    return [a["href"] for a in section.select(".teaser__title a")]


def test_featured_article_shows_on_home_page_one_only(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    now = timezone.now()
    featured = ArticleFactory(
        slug="featured", is_featured=True, published_at=now - timedelta(hours=10)
    )
    for n in range(4):
        ArticleFactory(published_at=now - timedelta(hours=n + 1))
    ArticleFactory(slug="featured-draft", is_featured=True, draft=True)
    ArticleFactory(slug="featured-scheduled", is_featured=True, scheduled=True)
    ArticleFactory(
        slug="featured-unpublished",
        is_featured=True,
        status=Article.Status.UNPUBLISHED,
        published_at=now - timedelta(hours=1),
    )

    response = client.get("/")
    assert response.status_code == 200
    assert featured_links(response) == [featured.get_absolute_url()]

    for _ in (2, 3):  # follow "Older" to pages 2 and 3
        older = parse(response).find("main").find("a", rel="next")["href"]
        response = client.get("/" + older)
        assert response.status_code == 200
        assert featured_links(response) is None
        assert "Featured" not in parse(response).find("main").get_text()
    # Page 3 still lists the featured article among the latest, as an ordinary teaser.
    listed = [a["href"] for a in parse(response).select("main .teaser__title a")]
    assert featured.get_absolute_url() in listed


def test_home_without_featured_articles_has_no_featured_area(client):
    ArticleFactory()
    assert featured_links(client.get("/")) is None
