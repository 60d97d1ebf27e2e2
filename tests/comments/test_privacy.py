"""The privacy page: what is stored about commenters, why, for how long, and how to have it
erased; linked from every page's footer and from the comment form."""

import pytest

from tests.factories import ArticleFactory

from .helpers import parse, text_of

pytestmark = pytest.mark.django_db

PRIVACY = "/privacy/"


def test_privacy_page_says_what_is_stored_for_how_long_and_whom_to_ask(client, settings):
    settings.NEWSROOM_COMMENT_IP_RETENTION_DAYS = 30
    settings.NEWSROOM_PRIVACY_CONTACT = "privacy@news.example"

    response = client.get(PRIVACY)

    assert response.status_code == 200
    page = parse(response)
    assert text_of(page.title) == "Privacy · Newsroom"
    text = text_of(page.main)
    for stored in ("your name", "your email address", "your IP address", "browser (user agent)"):
        assert stored in text
    assert "text of your comment" in text
    assert "Your IP address and user agent are removed after 30 days." in text
    assert "blocked for abuse stay on the blocklist" in text
    contact = page.main.find("a", href="mailto:privacy@news.example")
    assert text_of(contact) == "privacy@news.example"


def test_privacy_contact_defaults_to_the_sites_sender(client, settings):
    assert settings.NEWSROOM_PRIVACY_CONTACT == settings.DEFAULT_FROM_EMAIL
    page = parse(client.get(PRIVACY))
    assert page.main.find("a", href=f"mailto:{settings.DEFAULT_FROM_EMAIL}") is not None
    assert "removed after 90 days" in text_of(page.main)


@pytest.mark.parametrize("url", ["/", "/search/", PRIVACY])
def test_every_page_footer_links_to_privacy(client, url):
    footer = parse(client.get(url)).find("footer", class_="site-footer")
    assert text_of(footer.find("a", href=PRIVACY)) == "Privacy"


def test_comment_form_links_to_privacy_next_to_the_submit_button(client):
    article = ArticleFactory()
    form = parse(client.get(article.get_absolute_url())).find("form", class_="comment-form")
    link = form.find("a", href=PRIVACY)
    assert "how to have it erased" in text_of(link)
    # Just before the button, where WordPress puts its notice.
    assert link.find_parent("p").find_next_sibling("p").find("button", type="submit")
