"""Embeds: which addresses may be embedded, and what readers get before they ask."""

import pytest

from articles.embeds import resolve


@pytest.mark.parametrize(
    ("url", "provider", "frame"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YouTube",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "YouTube",
         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/abcDEF12345", "YouTube",
         "https://www.youtube-nocookie.com/embed/abcDEF12345"),
        ("https://vimeo.com/76979871", "Vimeo", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://x.com/kyivindependent/status/1790000000000000000", "X",
         "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000&dnt=true"),
        ("https://twitter.com/nytimes/status/12345", "X",
         "https://platform.twitter.com/embed/Tweet.html?id=12345&dnt=true"),
        ("https://www.instagram.com/p/C0aBcDeFgHi/", "Instagram",
         "https://www.instagram.com/p/C0aBcDeFgHi/embed/"),
        ("https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l6oveex3ii2l",
         "Bluesky",
         "https://embed.bsky.app/embed/did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/"
         "3l6oveex3ii2l"),
        # A handle instead of a DID: Bluesky's frame cannot be addressed; a link card.
        ("https://bsky.app/profile/kyivindependent.com/post/3l6oveex3ii2l", "Bluesky", None),
        ("https://mastodon.social/@Gargron/111111111111111111", "Mastodon",
         "https://mastodon.social/@Gargron/111111111111111111/embed"),
    ],
)  # fmt: skip
def test_posts_and_videos_of_allowed_providers_are_embeddable(url, provider, frame):
    embed = resolve(url)

    assert embed is not None
    assert (embed.provider, embed.frame_url) == (provider, frame)


@pytest.mark.parametrize(
    "url",
    [
        "http://www.youtube.com/watch?v=dQw4w9WgXcQ",  # not https
        "https://www.youtube.com/watch",  # no video
        "https://www.youtube.com/channel",  # not a video address
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://evil.example/@user/1234",  # Mastodon's shape on a server not allowed
        "https://x.com/home",
        "https://vimeo.com/channels/staffpicks",
        "javascript:alert(1)",
        "https://[::1/",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://www.instagram.com/p/%22onload=alert(1)/",
    ],
)
def test_other_addresses_are_not(url):
    assert resolve(url) is None


def test_mastodon_servers_are_a_setting(settings):
    url = "https://social.example.org/@editor/1234567"
    assert resolve(url) is None

    settings.NEWSROOM_EMBED_MASTODON_HOSTS = ["Social.Example.org"]

    assert resolve(url).frame_url == "https://social.example.org/@editor/1234567/embed"
