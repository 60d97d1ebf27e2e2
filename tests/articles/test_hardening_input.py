"""Input that once reached the database or the XML writers unchecked and answered 500.

Found by probing every form and URL with hostile values; each test is one such request.
"""

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest

from articles.models import Article
from authors.models import Author
from tests.factories import ArticleFactory, AuthorFactory

from ..helpers import parse, save_change, text_of
from .test_admin import ADD_URL, full_article_data

pytestmark = pytest.mark.django_db


def article_data(client, filing, **changes) -> dict:
    """A complete article, published, as the add form sends it; then ``changes``."""
    data = full_article_data(client, filing)
    data.update(changes)
    return data


def field_error(response, field: str) -> str:
    errors = parse(response).select_one(f".field-{field} .errorlist")
    return text_of(errors) if errors else ""


# --- tags -------------------------------------------------------------------------------


def test_tags_in_any_script_get_pages_links_feeds_and_sitemap_entries(admin_client, filing):
    response = admin_client.post(ADD_URL, article_data(admin_client, filing, tags="Україна, café"))
    assert response.status_code == 302
    article = Article.objects.get()

    page = admin_client.get(article.get_absolute_url())

    assert page.status_code == 200
    links = {a.get_text(): a["href"] for a in parse(page).select("a[rel=tag]")}
    assert links == {"Україна": f"/tags/{quote('україна')}/", "café": f"/tags/{quote('café')}/"}
    tag_page = admin_client.get(links["Україна"])
    assert tag_page.status_code == 200
    assert article.title in tag_page.content.decode()
    for feed in ("rss", "atom"):
        assert admin_client.get(f"{links['café']}{feed}/").status_code == 200
    sitemap = admin_client.get("/sitemap-tags.xml")
    assert sitemap.status_code == 200
    assert quote("україна") in sitemap.content.decode()


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("!!!", "needs at least one letter or digit"),
        ("x" * 150, "a tag has at most 100"),
        ('"bad\x0btag"', "control characters"),
        ("\ufdfa" * 6, "too long an address"),  # 6 characters, an 108-character address
        ("a" * 100, "too long an address"),
    ],
)
def test_a_tag_that_cannot_be_stored_or_linked_is_refused(admin_client, filing, tags, message):
    data = article_data(admin_client, filing, tags=tags)

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert message in field_error(response, "tags")
    assert not Article.objects.exists()


# --- control characters ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "dek"])
def test_control_characters_in_article_text_are_refused(admin_client, filing, field):
    data = article_data(admin_client, filing, **{field: "Power\x0bcut"})

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "control characters" in field_error(response, field)
    control = parse(response).find(attrs={"name": field})
    typed = control["value"] if control.name == "input" else control.get_text().strip()
    assert typed == "Power\x0bcut"  # what was typed stays in the form
    assert not Article.objects.exists()


def test_control_characters_in_an_author_name_are_refused(admin_client):
    author = AuthorFactory(name="Olena")
    url = f"/admin/authors/author/{author.pk}/change/"
    data = {
        "name": "Ole\x0bna",
        "slug": author.slug,
        "job_title": "",
        "bio": "",
        "website": "",
        "email": "",
        "social_links": "",
        "is_active": "on",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "control characters" in field_error(response, "name")
    author.refresh_from_db()
    assert author.name == "Olena"


def test_feeds_and_sitemaps_survive_control_characters_saved_outside_the_forms(client):
    author = AuthorFactory(name="Bad\x0bName")
    Author.objects.filter(pk=author.pk).update(name="Bad\x0bName")
    article = ArticleFactory(authors=[author], tags=["ok"])
    Article.objects.filter(pk=article.pk).update(title="bad\x0btitle", dek="a\x01dek")

    feeds_and_sitemaps = (
        "/feeds/rss/",
        "/feeds/atom/",
        f"{author.get_absolute_url()}rss/",
        "/news-sitemap.xml",
    )
    for url in feeds_and_sitemaps:
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)  # well-formed XML
        assert "badtitle" in ET.tostring(root, encoding="unicode")


# --- numbers and dates out of range -------------------------------------------------------


def test_a_forged_form_version_is_refused_not_a_500(admin_client):
    article = ArticleFactory(title="Kept")

    response = save_change(admin_client, article, title="Changed", loaded_version="9" * 30)

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "Kept"


@pytest.mark.parametrize(
    ("time_zone", "date"),
    [("Europe/Kyiv", "0001-01-01"), ("America/New_York", "9999-12-31")],
)
def test_a_publish_time_outside_any_archive_is_refused(admin_client, settings, time_zone, date):
    settings.TIME_ZONE = time_zone
    article = ArticleFactory(title="Kept")

    response = save_change(
        admin_client, article, title="Changed", published_at_0=date, published_at_1="00:00:00"
    )

    assert response.status_code == 200
    assert "between the years 1900 and 2999" in field_error(response, "published_at")
    article.refresh_from_db()
    assert article.title == "Kept"


def test_a_byline_position_out_of_range_is_refused(admin_client, filing):
    data = article_data(admin_client, filing)
    data["bylines-0-position"] = "99999999"

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "between 0 and 999" in response.content.decode()
    assert not Article.objects.exists()


# --- forged admin requests ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["section", "source", "bylines-0-author"])
@pytest.mark.parametrize("value", ["x", "9" * 30])
def test_a_forged_autocomplete_choice_is_a_form_error(admin_client, filing, field, value):
    data = article_data(admin_client, filing, **{field: value})

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.parametrize("selected", ["abc", "\x00", "9" * 30, "-1"])
def test_a_forged_row_selection_is_a_bad_request(admin_client, selected):
    article = ArticleFactory(title="Kept")

    response = admin_client.post(
        "/admin/articles/article/", {"action": "delete_selected", "_selected_action": selected}
    )

    assert response.status_code == 400
    assert Article.objects.filter(pk=article.pk).exists()


def test_searching_for_a_nul_character_is_not_an_error(admin_client):
    AuthorFactory(name="Olena")
    autocomplete = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "articles",
            "model_name": "byline",
            "field_name": "author",
            "term": "Ole\x00",
        },
    )
    assert autocomplete.status_code == 200
    assert [r["text"] for r in autocomplete.json()["results"]] == ["Olena"]
    assert admin_client.get("/admin/authors/author/", {"q": "\x00"}).status_code == 200


def test_guarded_widgets_still_show_the_chosen_section(admin_client):
    article = ArticleFactory()
    client = admin_client
    response = client.get(f"/admin/articles/article/{article.pk}/change/")
    selected = parse(response).select_one("select[name=section] option[selected]")
    assert selected is not None and selected.get_text() == article.section.name


@pytest.mark.parametrize("changelist", ["/admin/taggit/tag/", "/admin/auth/group/"])
def test_a_forged_row_selection_on_tags_and_groups_is_a_bad_request(admin_client, changelist):
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": "abc"}
    )

    assert response.status_code == 400
