import re

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

READER_LINK_REL = "nofollow ugc noopener"


@register.filter
def comment_body(text: str) -> SafeString:
    """A reader's comment: escaped, paragraphs and line breaks kept, bare URLs linked."""
    linked = urlize(text, nofollow=False, autoescape=True)
    linked = re.sub(r"<a href=", f'<a rel="{READER_LINK_REL}" href=', linked)
    return mark_safe(linebreaks(linked))  # noqa: S308 - escaped by urlize above
