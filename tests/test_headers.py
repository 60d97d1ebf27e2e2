"""Content-Security-Policy and Permissions-Policy on public and admin pages (issue 9)."""

import re

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

EMBED_FRAMES = {
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://platform.twitter.com",
    "https://www.instagram.com",
    "https://embed.bsky.app",
    "https://mastodon.social",
}


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert set(csp["frame-src"]) >= EMBED_FRAMES
    assert all(value.startswith("https://") for value in csp["frame-src"])
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[directive]
        assert "'unsafe-eval'" not in csp[directive]
    assert csp["script-src"][0] == "'self'"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in permissions
    # The embedded players still get what their frames ask for.
    for feature in ("fullscreen", "picture-in-picture", "encrypted-media"):
        assert feature not in permissions
    return csp


def nonces_in(html: str) -> set[str]:
    return set(re.findall(r'nonce="([^"]+)"', html))


def test_public_pages_send_a_strict_policy(client):
    article = ArticleFactory()
    for url in (reverse("articles:home"), article.get_absolute_url(), "/no-such-page/"):
        response = client.get(url)
        assert_strict(response)


def test_the_article_page_has_no_inline_script_to_allow(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    # JSON-LD is data the browser never runs, so it needs no nonce, and no nonce is spent.
    assert '<script type="application/ld+json">' in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag or 'type="application/ld+json"' in tag, tag
    assert "nonce-" not in response.headers["Content-Security-Policy"]


def test_the_configured_mastodon_hosts_may_be_framed():
    from django.conf import settings

    frame_src = settings.SECURE_CSP["frame-src"]
    for host in settings.NEWSROOM_EMBED_MASTODON_HOSTS:
        assert f"https://{host}" in frame_src


def test_admin_login_sends_the_policy(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert_strict(response)


def test_admin_pages_carry_the_nonce_of_their_own_header(admin_client):
    # The article form: the body editor's import map and the admin's inline constants.
    response = admin_client.get(reverse("admin:articles_article_add"))

    assert response.status_code == 200
    csp = assert_strict(response)
    header_nonces = {value[len("'nonce-") : -1] for value in csp["script-src"][1:]}
    html = response.content.decode()
    assert '<script type="importmap" nonce="' in html
    assert nonces_in(html) == header_nonces
    assert len(header_nonces) == 1


def test_each_response_has_its_own_nonce(admin_client):
    url = reverse("admin:articles_article_add")
    first = policy(admin_client.get(url))["script-src"]
    second = policy(admin_client.get(url))["script-src"]

    assert first != second


def test_the_admin_lists_send_the_policy(admin_client):
    for name in (
        "admin:index",
        "admin:articles_article_changelist",
        "admin:comments_comment_changelist",
    ):
        assert_strict(admin_client.get(reverse(name)))
