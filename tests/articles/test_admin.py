"""The editors' admin: writing an article with its byline, and the pages around it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline
from tests.articles.admin_helpers import ADD_URL, article_post_data, full_article_data
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    SourceFactory,
    UserFactory,
    image_file,
)
from tests.helpers import parse, text_of

pytestmark = pytest.mark.django_db


def assert_saved_as_submitted(article, filing, admin_user):
    assert article.title == "Kyiv without power"
    assert article.dek == "Strikes hit the grid overnight."
    assert article.body == "<p>Hello</p>"
    assert [(b.author, b.position) for b in article.bylines.all()] == [
        (filing["first"], 0),
        (filing["second"], 1),
    ]
    assert article.byline_authors == [filing["first"], filing["second"]]
    assert set(article.tags.names()) == {"Ukraine", "Energy"}
    assert article.section == filing["section"]
    assert article.source == filing["source"]
    assert article.source_url == "https://www.kyivpost.com/post/123"
    assert article.status == Article.Status.PUBLISHED
    assert article.image.file.name.startswith("images/")
    assert (article.image.width, article.image.height) == (64, 48)
    assert article.image.alt_text == "Engineers at a substation"
    assert article.created_by == admin_user
    assert article.updated_by == admin_user


def assert_public_byline(client, article, filing):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    main = parse(response).find("main")
    first_link = main.find("a", href=filing["first"].get_absolute_url())
    assert text_of(first_link.parent).startswith("By Olena Kovalenko and Mark Smith")
    body = main.find("p", string="Hello").parent
    assert body.find("script") is None
    # The only inline script is the JSON-LD data block; the body's script is gone.
    inline = [s for s in parse(response).find_all("script") if not s.get("src")]
    assert [s.get("type") for s in inline] == ["application/ld+json"]


# --- adding an article --------------------------------------------------------------------


def test_editor_publishes_article_with_empty_publish_time(admin_client, admin_user, client, filing):
    data = full_article_data(admin_client, filing)
    before = timezone.now()

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.content.decode()
    # After a workflow button the editor stays on the article.
    assert response["Location"] == reverse(
        "admin:articles_article_change", args=[Article.objects.get().pk]
    )
    article = Article.objects.get(slug="kyiv-without-power")
    assert_saved_as_submitted(article, filing, admin_user)
    assert before <= article.published_at <= timezone.now()
    assert article.is_published
    assert_public_byline(client, article, filing)


def test_editor_publishes_article_with_explicit_publish_time(
    admin_client, admin_user, client, filing
):
    data = full_article_data(
        admin_client, filing, published_at_0="2025-03-14", published_at_1="12:00:00"
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.content.decode()
    # After a workflow button the editor stays on the article.
    assert response["Location"] == reverse(
        "admin:articles_article_change", args=[Article.objects.get().pk]
    )
    article = Article.objects.get(slug="kyiv-without-power")
    assert_saved_as_submitted(article, filing, admin_user)
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") == (
        "2025-03-14 12:00"
    )
    assert_public_byline(client, article, filing)


def test_byline_order_follows_positions_not_form_order(admin_client, client, filing):
    # The second row of the form holds the first author.
    data = article_post_data(
        admin_client,
        authors=[(filing["second"], 1), (filing["first"], 0)],
        section=str(filing["section"].pk),
        status="published",
        published_at_0="2025-03-14",
        published_at_1="12:00:00",
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302, response.content.decode()
    article = Article.objects.get(slug="kyiv-without-power")
    assert article.byline_authors == [filing["first"], filing["second"]]
    assert_public_byline(client, article, filing)


# --- refusing bad input -------------------------------------------------------------------


def error_fields(soup) -> set[str]:
    """The fields the page marks as wrong (Django gives each error list id_<field>_error)."""
    return {
        error["id"].removeprefix("id_").removesuffix("_error")
        for error in soup.select("ul.errorlist[id]")
    }


def assert_refused(response, field: str, message: str, title: str) -> None:
    assert response.status_code == 200
    soup = parse(response)
    assert error_fields(soup) == {field}
    assert message in text_of(soup.find(id=f"id_{field}_error"))
    assert soup.find(attrs={"name": field}).get("aria-invalid") == "true"
    assert soup.find("textarea", attrs={"name": "title"}).get_text().strip() == title


def test_duplicate_slug_is_refused(admin_client):
    ArticleFactory(slug="kyiv-without-power", title="The original")

    data = article_post_data(admin_client, title="A second try")
    response = admin_client.post(ADD_URL, data)

    assert_refused(response, "slug", "already exists", "A second try")
    assert list(Article.objects.values_list("title", flat=True)) == ["The original"]


def test_source_url_without_source_is_refused(admin_client):
    data = article_post_data(
        admin_client, title="Unsourced", source_url="https://www.kyivpost.com/post/123"
    )
    response = admin_client.post(ADD_URL, data)

    assert_refused(response, "source", "Choose the source", "Unsourced")
    assert not Article.objects.exists()


@pytest.mark.parametrize("typed", ["999999", "abc", "-1", "9" * 30])
def test_featured_image_that_is_not_in_the_library_is_refused(admin_client, typed):
    data = article_post_data(admin_client, title="Pictured", image=typed)
    response = admin_client.post(ADD_URL, data)

    assert_refused(response, "image", "Select a valid choice", "Pictured")
    assert parse(response).find("input", attrs={"name": "image"})["value"] == typed
    assert not Article.objects.exists()


def test_refused_article_stores_no_bylines_or_tags(admin_client, filing):
    ArticleFactory(slug="kyiv-without-power")
    tags_before = Tag.objects.count()

    data = article_post_data(
        admin_client,
        authors=[(filing["first"], 0), (filing["second"], 1)],
        tags="Brand new tag",
    )
    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "slug" in error_fields(parse(response))
    assert Article.objects.count() == 1
    assert not Byline.objects.exists()
    assert Tag.objects.count() == tags_before


# --- the other admin pages ----------------------------------------------------------------


def test_article_changelist_lists_articles(admin_client):
    author = AuthorFactory(name="Olena Kovalenko")
    ArticleFactory(
        title="Out now", authors=[author], image=ImageFactory(file=image_file(), alt_text="x")
    )
    ArticleFactory(title="Coming tomorrow", scheduled=True)
    ArticleFactory(title="Work in progress", draft=True)

    response = admin_client.get(reverse("admin:articles_article_changelist"))

    assert response.status_code == 200
    text = text_of(parse(response).find(id="result_list"))
    for title in ("Out now", "Coming tomorrow", "Work in progress", "Olena Kovalenko"):
        assert title in text
    assert "Scheduled for" in text


def test_article_change_page_loads_with_its_byline(admin_client):
    author = AuthorFactory(name="Olena Kovalenko")
    article = ArticleFactory(title="Out now", authors=[author], tags=["Ukraine"])

    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200
    soup = parse(response)
    assert soup.find("textarea", attrs={"name": "title"}).get_text().strip() == "Out now"
    assert soup.find("input", attrs={"name": "bylines-INITIAL_FORMS"})["value"] == "1"
    assert "Ukraine" in soup.find("input", attrs={"name": "tags"})["value"]


@pytest.mark.parametrize(
    "page",
    ["changelist", "add", "change"],
)
@pytest.mark.parametrize(
    ("model", "factory"),
    [("authors_author", AuthorFactory), ("articles_section", SectionFactory)]
    + [("articles_source", SourceFactory)],
    ids=["author", "section", "source"],
)
def test_author_section_and_source_admin_pages_load(admin_client, model, factory, page):
    obj = factory(name="Findable name")
    ArticleFactory(section=SectionFactory(), source=SourceFactory())
    args = [obj.pk] if page == "change" else []

    response = admin_client.get(reverse(f"admin:{model}_{page}", args=args))

    assert response.status_code == 200
    if page != "add":
        assert "Findable name" in response.content.decode()


def test_author_changelist_counts_articles(admin_client):
    author = AuthorFactory(name="Olena Kovalenko", photo=image_file())
    ArticleFactory.create_batch(2, authors=[author])

    response = admin_client.get(reverse("admin:authors_author_changelist"))

    row = parse(response).find("a", string="Olena Kovalenko").find_parent("tr")
    assert row.find("td", class_="field-article_count").get_text(strip=True) == "2"


# --- tag suggestions ----------------------------------------------------------------------

TAG_SUGGESTIONS = "admin:articles_article_tag_suggestions"


def test_tag_suggestions_offer_matching_tags(admin_client):
    ArticleFactory(
        tags=["Ukraine", "Ukrainian refugees", "Energy", "UK politics", "Pro-Ukraine rally"]
    )

    response = admin_client.get(reverse(TAG_SUGGESTIONS), {"q": "ukr"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"results": ["Ukraine", "Ukrainian refugees"]}


def test_tag_suggestions_without_a_term_offer_nothing(admin_client):
    ArticleFactory(tags=["Ukraine"])

    response = admin_client.get(reverse(TAG_SUGGESTIONS), {"q": "  "})

    assert response.json() == {"results": []}


def test_tag_suggestions_refuse_anonymous_visitors(client):
    ArticleFactory(tags=["Ukraine"])
    url = reverse(TAG_SUGGESTIONS)

    response = client.get(url, {"q": "ukr"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert "Ukraine" not in response.content.decode()


def test_tag_suggestions_refuse_staff_without_article_permissions(client):
    ArticleFactory(tags=["Ukraine"])
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse(TAG_SUGGESTIONS), {"q": "ukr"})

    assert response.status_code == 403
    assert "Ukraine" not in response.content.decode()


# --- the list and the form at any size ----------------------------------------------------


def some_articles(count: int) -> list[Article]:
    """Articles over several years, each with a section, source, image, tags and bylines."""
    now = timezone.now()
    source, image = SourceFactory(), ImageFactory(file=image_file(), alt_text="x")
    return [
        ArticleFactory(
            published_at=now - timezone.timedelta(days=200 * n + 1),
            authors=AuthorFactory.create_batch(2),
            tags=[f"Tag {n}", "Common"],
            source=source,
            image=image,
        )
        for n in range(count)
    ]


# Session, user, the section and source filters' choices, the page's count, its articles,
# their bylines and authors, then the date hierarchy's range and its years (or months).
ARTICLE_LIST_QUERIES = 10


@pytest.mark.parametrize("count", [1, 12], ids=["one", "twelve"])
def test_article_changelist_query_count_is_constant(admin_client, django_assert_num_queries, count):
    some_articles(count)

    with django_assert_num_queries(ARTICLE_LIST_QUERIES):
        response = admin_client.get(reverse("admin:articles_article_changelist"))

    assert len(parse(response).select("#result_list tbody tr")) == count


def test_article_changelist_shows_fifty_a_page(admin_client):
    ArticleFactory.create_batch(53)
    url = reverse("admin:articles_article_changelist")

    first = parse(admin_client.get(url))
    second = parse(admin_client.get(url, {"p": 2}))

    assert len(first.select("#result_list tbody tr")) == 50
    assert len(second.select("#result_list tbody tr")) == 3
    assert "53 articles" in text_of(first.find(class_="paginator"))


# Session, user, the article, its bylines with their authors, its tags, the content type,
# the byline rows (with author and article), each of the two bylines' author box, the
# image chooser (two), the section and source boxes.
ARTICLE_FORM_QUERIES = 14


@pytest.mark.parametrize("count", [1, 12], ids=["one", "twelve"])
def test_article_change_form_query_count_is_constant(
    admin_client, django_assert_num_queries, count
):
    article = some_articles(count)[-1]
    ContentType.objects.clear_cache()  # as a fresh process finds it

    with django_assert_num_queries(ARTICLE_FORM_QUERIES):
        response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert response.status_code == 200


def hierarchy_years(response) -> list[str]:
    return [text_of(a) for a in parse(response).select("nav.toplinks a:not(.date-back)")]


def test_article_list_date_hierarchy_offers_the_years_with_articles(admin_client, settings):
    settings.TIME_ZONE = "Europe/Kyiv"
    kyiv = timezone.get_fixed_timezone(120)  # winter: UTC+2
    for moment in [
        timezone.datetime(2019, 6, 1, 12, tzinfo=kyiv),
        timezone.datetime(2021, 12, 31, 23, 30, tzinfo=kyiv),  # 21:30 UTC: still 2021
        timezone.datetime(2023, 12, 31, 23, 30, tzinfo=timezone.UTC),  # 01:30 in Kyiv: 2024
    ]:
        ArticleFactory(published_at=moment)
    ArticleFactory(draft=True)  # no publish time: in no year
    url = reverse("admin:articles_article_changelist")

    assert hierarchy_years(admin_client.get(url)) == ["2019", "2021", "2024"]
    assert hierarchy_years(admin_client.get(url, {"published_at__year": "2021"})) == [
        "December 2021"
    ]
