"""Sanitizing the article body: the one place where writer-supplied HTML is made safe.

The editor produces HTML; whatever arrives (from the editor, a paste or a forged POST) is
reduced to an allowlist of tags and attributes, and links to http(s)/mailto only, so no
script, event handler, style or ``javascript:`` URL can reach a reader.
"""

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "figcaption", "figure",
    "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
