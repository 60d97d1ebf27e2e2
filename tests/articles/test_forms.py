"""The article form refuses what it cannot store or show, next to the field: control
characters, forged versions and byline positions, publish times outside any archive."""

import pytest

from articles.models import Article
from tests.articles.admin_helpers import ADD_URL, article_data, logged_in_editor
from tests.factories import ArticleFactory
from tests.helpers import field_error, form_fields, parse, save_change

pytestmark = pytest.mark.django_db

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


def test_a_form_that_does_not_say_its_version_cannot_overwrite(client):
    client, _ = logged_in_editor(client)
    article = ArticleFactory(title="Original")
    data = form_fields(client.get(f"/admin/articles/article/{article.pk}/change/"))
    data.pop("loaded_version")
    data["title"] = "Forged overwrite"

    response = client.post(f"/admin/articles/article/{article.pk}/change/", data)

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "Original"
