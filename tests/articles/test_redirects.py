"""Old article addresses keep working: a published article's changed slug redirects."""

from datetime import UTC, datetime, timedelta

import pytest

from articles.models import Article, ArticleSlugRedirect
from tests.articles.admin_helpers import logged_in_editor
from tests.factories import ArticleFactory
from tests.helpers import (
    NEW_DRAFT_FORM,
    absolute,
    form_errors,
    parse,
    save_change,
    sitemap_locs,
)

pytestmark = pytest.mark.django_db


# --- slug redirects -----------------------------------------------------------------------


def test_changing_a_published_slug_redirects_the_old_address(admin_client, client):
    article = ArticleFactory(slug="original-slug", title="Moving story")
    response = save_change(admin_client, article, slug="better-slug")
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert article.slug == "better-slug"

    response = client.get("/articles/original-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/better-slug/"
    response = client.get("/articles/better-slug/")
    assert response.status_code == 200
    assert parse(response).find("h1").get_text() == "Moving story"
    # The old address remains only a redirect, never a listed page.
    assert absolute("/articles/original-slug/") not in sitemap_locs(
        client.get("/sitemap-articles.xml")
    )


def test_changing_a_drafts_slug_records_nothing(admin_client, client):
    article = ArticleFactory(slug="draft-slug", draft=True)
    response = save_change(admin_client, article, slug="draft-renamed")
    assert response.status_code == 302, form_errors(response)
    assert ArticleSlugRedirect.objects.count() == 0
    assert client.get("/articles/draft-slug/").status_code == 404


def test_changing_the_slug_back_serves_the_original_address_directly(admin_client, client):
    article = ArticleFactory(slug="first-slug", title="Back and forth")
    assert save_change(admin_client, article, slug="second-slug").status_code == 302
    assert save_change(admin_client, article, slug="first-slug").status_code == 302

    response = client.get("/articles/first-slug/")
    assert response.status_code == 200
    assert parse(response).find("h1").get_text() == "Back and forth"
    response = client.get("/articles/second-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/first-slug/"
    response = client.get("/articles/second-slug/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/articles/first-slug/", 301)]
    assert list(ArticleSlugRedirect.objects.values_list("old_slug", flat=True)) == ["second-slug"]


def test_redirects_chain_to_the_latest_slug_in_one_step(admin_client, client):
    article = ArticleFactory(slug="slug-a")
    assert save_change(admin_client, article, slug="slug-b").status_code == 302
    assert save_change(admin_client, article, slug="slug-c").status_code == 302
    for old in ("slug-a", "slug-b"):
        response = client.get(f"/articles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/slug-c/"


def test_an_unpublished_article_does_not_reveal_its_new_address(client):
    article = ArticleFactory(slug="new-address")
    ArticleSlugRedirect.objects.create(old_slug="old-address", article=article)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)

    assert client.get("/articles/old-address/").status_code == 404


def test_a_slug_that_still_redirects_elsewhere_cannot_be_reused(client):
    client, _ = logged_in_editor(client)
    moved = ArticleFactory(slug="current", published_at=datetime.now(UTC) - timedelta(days=1))
    ArticleSlugRedirect.objects.create(old_slug="kyiv-without-power", article=moved)
    data = {
        **NEW_DRAFT_FORM,
        "loaded_version": "",
        "workflow_note": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }

    response = client.post("/admin/articles/article/add/", data)

    assert response.status_code == 200
    assert "still leads readers there" in response.content.decode()
    assert client.get("/articles/kyiv-without-power/").status_code == 301
