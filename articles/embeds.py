"""Posts and videos embedded in an article body, from an allowlist of providers.

The body stores only the address (``<figure data-embed-url="https://…">``). Readers get a
placeholder that loads nothing from the provider: no request, no cookie, until they press
"Load" (static/js/embeds.js), which puts the provider's player or post frame in its place.
Without JavaScript the placeholder is a link to the original.

Each provider is a pattern over the post's address and, where the provider has an embed
frame that needs no script of ours, the frame's address. Bluesky's frame needs the author's
DID, which a post address with a handle does not carry: such posts stay a link card.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings


@dataclass(frozen=True)
class Embed:
    url: str  # the post's own address, as the editor gave it
    provider: str  # "YouTube"
    kind: str  # "video" or "post": the placeholder's wording and shape
    frame_url: str | None  # what "Load" puts in an <iframe>; None: a link card only


@dataclass(frozen=True)
class Provider:
    name: str
    kind: str
    hosts: tuple[str, ...]
    path: re.Pattern


def _youtube(host, match, query):
    video = match.get("id") or (query.get("v") or [""])[0]
    if not re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video):
        return None
    return f"https://www.youtube-nocookie.com/embed/{video}"


FRAMES = {
    "YouTube": _youtube,
    "Vimeo": lambda host, m, q: f"https://player.vimeo.com/video/{m['id']}?dnt=1",
    "X": lambda host, m, q: f"https://platform.twitter.com/embed/Tweet.html?id={m['id']}&dnt=true",
    "Instagram": lambda host, m, q: f"https://www.instagram.com/{m['kind']}/{m['id']}/embed/",
    "Bluesky": lambda host, m, q: (
        f"https://embed.bsky.app/embed/{m['actor']}/app.bsky.feed.post/{m['id']}"
        if m["actor"].startswith("did:")
        else None
    ),
    "Mastodon": lambda host, m, q: f"https://{host}/@{m['user']}/{m['id']}/embed",
}

PROVIDERS = [
    Provider(
        "YouTube",
        "video",
        ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"),
        re.compile(
            r"^/(?:watch|(?:shorts|embed|live)/(?P<id>[A-Za-z0-9_-]+)|(?P<short>[A-Za-z0-9_-]+))/?$"
        ),
    ),
    Provider("Vimeo", "video", ("vimeo.com", "www.vimeo.com"), re.compile(r"^/(?P<id>\d+)/?$")),
    Provider(
        "X",
        "post",
        ("x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"),
        re.compile(r"^/[A-Za-z0-9_]{1,15}/status/(?P<id>\d{1,25})/?$"),
    ),
    Provider(
        "Instagram",
        "post",
        ("instagram.com", "www.instagram.com"),
        re.compile(r"^/(?P<kind>p|reel)/(?P<id>[A-Za-z0-9_-]{5,40})/?$"),
    ),
    Provider(
        "Bluesky",
        "post",
        ("bsky.app",),
        re.compile(r"^/profile/(?P<actor>[A-Za-z0-9.:_-]{3,253})/post/(?P<id>[a-z0-9]{5,20})/?$"),
    ),
]
MASTODON_PATH = re.compile(r"^/@(?P<user>[A-Za-z0-9_]{1,30})/(?P<id>\d{1,25})/?$")

PROVIDER_NAMES = [p.name for p in PROVIDERS] + ["Mastodon"]


def resolve(url: str) -> Embed | None:
    """The embed for ``url``, or None when it is not a post of an allowed provider."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or parts.port not in (None, 443):
        return None
    query = parse_qs(parts.query)
    for provider in PROVIDERS:
        if host not in provider.hosts:
            continue
        match = provider.path.match(parts.path)
        if not match:
            return None
        groups = match.groupdict()
        if provider.name == "YouTube":
            if host == "youtu.be":
                groups["id"] = groups.get("short")
            elif groups.get("short"):
                return None  # youtube.com/<anything>: not a video address
            elif parts.path.rstrip("/") == "/watch" and not query.get("v"):
                return None
        frame = FRAMES[provider.name](host, groups, query)
        if provider.name == "YouTube" and frame is None:
            return None  # no valid video id
        return Embed(url=url, provider=provider.name, kind=provider.kind, frame_url=frame)
    if host in {name.lower() for name in settings.NEWSROOM_EMBED_MASTODON_HOSTS}:
        match = MASTODON_PATH.match(parts.path)
        if match:
            frame = FRAMES["Mastodon"](host, match.groupdict(), query)
            return Embed(url=url, provider="Mastodon", kind="post", frame_url=frame)
    return None
