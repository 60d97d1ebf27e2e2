"""The article body as readers get it: the sanitized HTML, with each figure the editor
inserted made whole. A library image becomes a responsive <picture> with its caption and
credit; an embedded post or video becomes a placeholder that loads nothing from the provider
until the reader asks (articles/embeds.py).
"""

import re
from html import unescape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .embeds import resolve
from .sanitize import sanitize_html

# The canonical shape (articles/sanitize.py) writes figures exactly like this; figures do not
# nest, so a non-greedy match finds each whole.
FIGURE = re.compile(r'<figure data-(image-id|embed-url)="([^"]*)">(.*?)</figure>', re.DOTALL)
CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.DOTALL)
ALT = re.compile(r'<img src="[^"]*" alt="([^"]*)">')


def embed_urls_in(body: str) -> list[str]:
    return [unescape(value) for kind, value, _ in FIGURE.findall(body) if kind == "embed-url"]


def render_body(body: str, images: dict | None = None) -> SafeString:
    """``images``: the body's library images by id (Article.body_html loads them in one
    query); a figure whose image is missing is left out."""
    html = sanitize_html(body)
    images = images or {}

    def figure(match: re.Match) -> str:
        kind, value, inner = match.groups()
        caption_match = CAPTION.search(inner)
        # Already sanitized and escaped by sanitize_html: safe to place as it is.
        caption = mark_safe(caption_match.group(1)) if caption_match else ""  # noqa: S308
        if kind == "embed-url":
            url = unescape(value)
            context = {"embed": resolve(url), "url": url, "caption": caption}
            return render_to_string("articles/_body_figures.html#embed", context)
        image = images.get(int(value))
        if image is None:
            return ""  # no longer in the library: nothing to show
        alt_match = ALT.search(inner)
        alt = unescape(alt_match.group(1)) if alt_match else image.alt_text
        context = {"image": image, "alt": alt, "caption": caption}
        return render_to_string("articles/_body_figures.html#image", context)

    return mark_safe(FIGURE.sub(figure, html))  # noqa: S308 - sanitized, figures from templates
