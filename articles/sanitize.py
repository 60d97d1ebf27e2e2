"""Sanitizing the article body: the one place where writer-supplied HTML is made safe.

The editor produces HTML; whatever arrives (from the editor, a paste or a forged POST) is
reduced to an allowlist of tags and attributes, and links to http(s)/mailto only, so no
script, event handler, style or ``javascript:`` URL can reach a reader.

Library images appear in the body as ``<figure data-image-id="42"><img src alt><figcaption>``.
An ``img`` may only point into this site's media: a picture from another host would tell that
host who reads what.
"""

import re

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "figcaption", "figure",
    "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "figure": {"data-image-id"},
    "img": {"src", "alt"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# An <img> as nh3 writes it out: every attribute value double-quoted, quotes inside escaped.
SERIALIZED_IMG = re.compile(r'<img((?:\s+[\w-]+="[^"]*")*)\s*/?>')


def sanitize_html(html: str) -> str:
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A picture whose address was refused is not left behind as an empty <img>.
    return SERIALIZED_IMG.sub(
        lambda m: m.group(0) if re.search(r'\ssrc="', m.group(1)) else "", cleaned
    ).strip()


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "figure" and attribute == "data-image-id":
        return value if value.isascii() and value.isdigit() and len(value) < 19 else None
    if tag == "img" and attribute == "src":
        return value if is_own_media(value) else None
    return value


def is_own_media(url: str) -> bool:
    media = settings.MEDIA_URL
    # "//host/media/…" is another host; "/media/../admin/…" is not media.
    return url.startswith(media) and not url.startswith("//") and ".." not in url
