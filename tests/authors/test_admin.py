"""The authors admin: an author's profile as editors keep it."""

import pytest

from tests.factories import AuthorFactory
from tests.helpers import field_error

pytestmark = pytest.mark.django_db


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
