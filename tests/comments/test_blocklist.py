"""The blocklist as moderators keep it in the admin: values stored normalised, refused next to the
field when they cannot match, and catching the commenter however the address is written."""

import pytest

from comments.models import BlockedCommenter, Comment
from tests.comments.helpers import (
    parse,
    post_with_meta,
)

pytestmark = pytest.mark.django_db

BLOCKLIST_ADD = "/admin/comments/blockedcommenter/add/"


# --- 2. the blocklist in the admin ---------------------------------------------------------


def admin_field_error(response, field: str) -> str:
    """The error shown in the admin form row of ``field``."""
    assert response.status_code == 200
    error = parse(response).find(id=f"id_{field}_error")
    assert error is not None, f"no error shown for {field}"
    row = error.find_parent(class_="form-row")
    assert row.find(attrs={"name": field}) is not None
    return error.get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("stored", "typed"),
    [("spammer@example.com", "Spammer@Example.com"), ("x@y.com", " X@Y.COM ")],
)
def test_blocking_a_blocked_email_again_in_other_case_is_a_form_error(mod_client, stored, typed):
    BlockedCommenter.objects.create(kind="email", value=stored)
    response = mod_client.post(BLOCKLIST_ADD, {"kind": "email", "value": typed, "reason": ""})
    assert response.status_code == 200
    errors = parse(response).select("ul.errorlist.nonfield li")
    assert [error.get_text(strip=True) for error in errors] == [
        "Blocked commenter with this Kind and Value already exists."
    ]
    assert list(BlockedCommenter.objects.values_list("value", flat=True)) == [stored]


def test_blocked_value_too_long_once_lower_cased_is_a_form_error(mod_client):
    response = mod_client.post(BLOCKLIST_ADD, {"kind": "email", "value": "İ" * 200, "reason": ""})
    assert admin_field_error(response, "value") == (
        "This value is too long once in lower case: 400 characters, at most 254."
    )
    assert BlockedCommenter.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "spammer@", "Enter a valid email address."),
        ("domain", "not a domain", "Enter an email domain such as example.com (without the @)."),
        ("domain", "@spam.example", "Enter an email domain such as example.com (without the @)."),
        ("ip", "garbage", "Enter a valid IPv4 or IPv6 address, such as 203.0.113.7."),
        ("ip", "999.1.1.1", "Enter a valid IPv4 or IPv6 address, such as 203.0.113.7."),
        ("ip", "fe80::1%eth0", "Enter a valid IPv4 or IPv6 address, such as 203.0.113.7."),
    ],
)
def test_blocked_value_must_match_its_kind(mod_client, kind, value, message):
    response = mod_client.post(BLOCKLIST_ADD, {"kind": kind, "value": value, "reason": ""})
    assert admin_field_error(response, "value") == message
    assert parse(response).find(attrs={"name": "value"})["value"] == value
    assert BlockedCommenter.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("email", " Spammer@Example.COM ", "spammer@example.com"),
        ("domain", "Spam.Example", "spam.example"),
        ("ip", " 203.0.113.7 ", "203.0.113.7"),
        ("ip", "2001:DB8:0:0::0001", "2001:db8::1"),
    ],
)
def test_valid_blocked_values_are_stored_normalised(mod_client, kind, value, stored):
    response = mod_client.post(BLOCKLIST_ADD, {"kind": kind, "value": value, "reason": ""})
    assert response.status_code == 302
    assert BlockedCommenter.objects.get().value == stored


def test_blocked_ipv6_written_differently_still_catches_the_commenter(client, article):
    BlockedCommenter.objects.create(kind="ip", value="2001:DB8:0::1")
    response = post_with_meta(client, article, {"REMOTE_ADDR": "2001:db8::0:1"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert "blocked IP 2001:db8::1" in comment.hold_reasons


def test_an_ipv4_mapped_address_is_blocked_once_and_then_caught(client, mod_client, article):
    """Servers listening on [::] see IPv4 readers as ::ffff:a.b.c.d. Blocking a second
    comment from such an address once failed on the unique blocklist entry (500)."""
    mapped = "::ffff:203.0.113.7"
    for text in ("First try.", "Second try."):
        post_with_meta(client, article, {"REMOTE_ADDR": mapped}, body=text)
    first, second = Comment.objects.order_by("pk")
    assert first.ip_address == mapped

    for comment in (first, second):
        url = f"/admin/comments/comment/{comment.pk}/change/"
        response = mod_client.post(url, {"body": comment.body, "_moderate": "block"})
        assert response.status_code == 302

    assert BlockedCommenter.objects.get(kind="ip").value == mapped
    client.cookies.clear()
    post_with_meta(client, article, {"REMOTE_ADDR": mapped}, body="Third try.", email="new@x.org")
    third = Comment.objects.get(body="Third try.")
    assert third.status == Comment.Status.SPAM
    assert f"blocked IP {mapped}" in third.hold_reasons
