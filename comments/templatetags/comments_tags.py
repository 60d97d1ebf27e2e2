import html
import re

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

from ..forms import CommentForm
from ..threads import comments_context

register = template.Library()

READER_LINK_REL = "nofollow ugc noopener"


# Everything urlize() can make a link of contains one of these: a scheme, "www.", an email's
# "@" or one of the top-level domains it links without a scheme. A comment without any is
# only escaped, as urlize() would escape it: urlize() cost 1–2 ms a comment, most of the
# article page's time with 100 comments.
MAYBE_LINK = re.compile(r"https?://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)", re.IGNORECASE)


@register.filter
def comment_body(text: str) -> SafeString:
    """A reader's comment: escaped, paragraphs and line breaks kept, bare URLs linked."""
    if not MAYBE_LINK.search(text):
        return mark_safe(linebreaks(html.escape(text)))  # noqa: S308 - escaped
    linked = urlize(text, nofollow=False, autoescape=True)
    linked = re.sub(r"<a href=", f'<a rel="{READER_LINK_REL}" href=', linked)
    return mark_safe(linebreaks(linked))  # noqa: S308 - escaped by urlize above


@register.simple_tag(takes_context=True)
def comment_section(
    context: template.Context, article: Article, form: CommentForm | None = None
) -> SafeString:
    """The article page's comment section: count, threads (or one thread's page) and the form.

    `form` is the refused form when the comment view re-renders the page with its errors;
    without it the form is a fresh one, filled from the "Save my name…" cookie. Rendered
    in the page's own context, as `{% include %}` would, so it sees `request`, `messages`
    and the CSP nonce.
    """
    section = context.template.engine.get_template("comments/_section.html")
    with context.push(comments_context(context["request"], article, form)):
        return section.render(context)
