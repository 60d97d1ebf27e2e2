"""The admin's guards (newsroom/admin_guards.py): forged requests to any admin page are refused
cleanly, and "View on site" (/admin/r/<content type>/<id>/) does not give away, per role, the
address of an article the user may not preview."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.articles.admin_helpers import ADD_URL, article_data
from tests.comments.helpers import make_comment
from tests.factories import ArticleFactory, AuthorFactory, UserFactory
from tests.helpers import parse

pytestmark = pytest.mark.django_db

Status = Article.Status


def staff(username: str, group: str | None):
    user = UserFactory(username=username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people():
    return {
        "editor": staff("edith", "Editors"),
        "writer": staff("wanda", "Writers"),
        "other_writer": staff("oscar", "Writers"),
        "moderator": staff("moe", "Moderators"),
        "ungrouped staff": staff("sam", None),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


def view_on_site_url(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


def test_the_admins_own_view_on_site_address_is_the_guarded_one(people):
    assert view_on_site_url(people["editor"]).startswith("/admin/r/")


# Who is sent to an unpublished article's address; everyone else gets the admin's 404.
MAY_PREVIEW = {
    "editor": True,
    "superuser": True,
    "writer": True,  # the writer who owns it
    "other_writer": False,
    "moderator": False,
    "ungrouped staff": False,
}


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETURNED])
@pytest.mark.parametrize("role", MAY_PREVIEW)
def test_view_on_site_of_an_unpublished_article_only_for_who_may_preview_it(
    client, people, role, status
):
    article = ArticleFactory(status=status, published_at=None, created_by=people["writer"])
    client.force_login(people[role])

    response = client.get(view_on_site_url(article))

    if MAY_PREVIEW[role]:
        assert response.status_code == 302
        assert response["Location"].endswith(article.get_absolute_url())
    else:
        assert response.status_code == 404
        assert article.slug not in response.content.decode()
        assert article.slug not in response.get("Location", "")


@pytest.mark.parametrize("role", ["moderator", "other_writer"])
def test_scheduled_and_unpublished_articles_are_hidden_too(client, people, role):
    scheduled = ArticleFactory(published_at=timezone.now() + timedelta(days=2))
    unpublished = ArticleFactory(status=Status.UNPUBLISHED)
    client.force_login(people[role])

    for article in (scheduled, unpublished):
        assert client.get(view_on_site_url(article)).status_code == 404


@pytest.mark.parametrize("role", list(MAY_PREVIEW))
def test_view_on_site_of_a_published_article_works_for_all_staff(client, people, role):
    article = ArticleFactory()
    client.force_login(people[role])

    response = client.get(view_on_site_url(article))

    assert response.status_code == 302
    assert response["Location"].endswith(article.get_absolute_url())


def test_a_comment_on_an_unpublished_article_does_not_give_its_address_to_a_moderator(
    client, people
):
    article = ArticleFactory()
    comment = make_comment(article)
    article.status = Status.UNPUBLISHED
    article.save()
    client.force_login(people["moderator"])

    assert client.get(view_on_site_url(comment)).status_code == 404

    client.force_login(people["editor"])
    response = client.get(view_on_site_url(comment))
    assert response.status_code == 302
    assert article.get_absolute_url() in response["Location"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    article = ArticleFactory(draft=True)

    response = client.get(view_on_site_url(article))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert article.slug not in response["Location"]


@pytest.mark.parametrize(
    "path", ["/admin/r/abc/1/", "/admin/r/99999/1/", "/admin/r/1/abc/", "/admin/r/1/999999/"]
)
def test_garbled_view_on_site_addresses_answer_404(client, people, path):
    client.force_login(people["editor"])

    assert client.get(path).status_code == 404


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
