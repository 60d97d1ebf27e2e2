"""Input that once reached the database unchecked: a 500 on PostgreSQL, bad data on SQLite.

Each case is refused with the error next to its field, or stored in a form the database takes.
"""

import pytest

from comments.models import BlockedCommenter, Comment
from tests.factories import ArticleFactory
from tests.helpers import staff_in

from .helpers import comment_data, form_timestamp, parse, post_comment, post_url

pytestmark = pytest.mark.django_db

BLOCKLIST_ADD = "/admin/comments/blockedcommenter/add/"


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def mod_client(client):
    client.force_login(staff_in("Moderators"))
    return client


def post_with_meta(client, article, meta: dict, **overrides):
    """Post the comment form with extra request headers / WSGI environ entries."""
    data = comment_data(**overrides)
    data["timestamp"] = form_timestamp(client, article)
    return client.post(post_url(article), data, **meta)


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


# --- 3. the client's IP address -----------------------------------------------------------


@pytest.mark.parametrize("forwarded", ["garbage", "999.1.1.1", "203.0.113.7:443", "fe80::1%eth0"])
def test_forged_forwarded_address_is_not_stored(client, article, settings, forwarded):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    response = post_with_meta(client, article, {"HTTP_X_FORWARDED_FOR": forwarded})
    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None


def test_forwarded_address_stored_when_valid(client, article, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    post_with_meta(client, article, {"HTTP_X_FORWARDED_FOR": "garbage, 2001:DB8::0:7"})
    assert Comment.objects.get().ip_address == "2001:db8::7"


def test_socket_that_is_not_an_ip_address(client, article):
    response = post_with_meta(client, article, {"REMOTE_ADDR": "unix-socket"})
    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None


def test_flood_control_by_email_without_an_ip_address(client, article, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    settings.NEWSROOM_COMMENT_FLOOD_SECONDS = 60
    forged = {"HTTP_X_FORWARDED_FOR": "garbage"}
    assert post_with_meta(client, article, forged, body="First.").status_code == 302
    assert post_with_meta(client, article, forged, body="Second.").status_code == 429
    # Someone else whose address is unknown too is not taken for the same sender.
    other = post_with_meta(client, article, forged, email="bob@example.com", name="Bob", body="Hi")
    assert other.status_code == 302
    assert Comment.objects.count() == 2


# --- 4. the user agent --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "stored"),
    [
        ("A\x00B", "AB"),
        ("Mozilla/5.0\x07 (X11;\x1b Linux)\x85", "Mozilla/5.0 (X11; Linux)"),
        ("\x00" * 10 + "u" * 600, "u" * 500),
    ],
)
def test_control_characters_removed_from_user_agent(client, article, user_agent, stored):
    response = post_with_meta(client, article, {"HTTP_USER_AGENT": user_agent})
    assert response.status_code == 302
    assert Comment.objects.get().user_agent == stored
