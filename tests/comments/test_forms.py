"""The comment form (comments/forms.py) cleans what readers type: an email address that changes
when lower-cased is refused next to the field; an ordinary one is stored lower-case."""

import pytest

from comments.models import Comment
from tests.comments.helpers import (
    parse,
    post_comment,
)

pytestmark = pytest.mark.django_db

# --- 1. an email address that changes when lower-cased ----------------------------------------


def refused_email(response) -> tuple[str, str]:
    """(the error shown next to Email, the value left in the Email box) of a refused post."""
    assert response.status_code == 400
    assert Comment.objects.count() == 0
    form = parse(response).find("form", class_="comment-form")
    error = form.find(id="id_email_error")
    assert error is not None, "no error shown for email"
    assert error.find_parent("p").find(attrs={"name": "email"}) is not None
    return error.get_text(" ", strip=True), form.find(attrs={"name": "email"})["value"]


def test_email_invalid_once_lower_cased_is_refused(client, article):
    # "İ".lower() is "i" plus a combining dot: 72 characters typed, 132 and invalid stored.
    email = "İ" * 60 + "@example.com"
    error, typed = refused_email(post_comment(client, article, email=email))
    assert error == "Enter a valid email address."
    assert typed == email


def test_email_too_long_once_lower_cased_is_refused(client, article):
    # Still a valid address in lower case (the dots are allowed in a domain), but 107 characters.
    email = "a@" + "İ" * 25 + "." + "İ" * 25 + ".com"
    assert len(email) == 57
    error, typed = refused_email(post_comment(client, article, email=email))
    assert error == "Email is too long once in lower case: 107 characters, at most 100."
    assert typed == email


def test_ordinary_email_still_stored_lower_case(client, article):
    response = post_comment(client, article, email="  Ada.Reader@Example.COM ")
    assert response.status_code == 302
    assert Comment.objects.get().email == "ada.reader@example.com"
