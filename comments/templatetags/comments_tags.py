import html
import re

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from newsroom.fragments import Fragment, cached_fragments

from ..forms import CommentForm
from ..threads import (
    form_context,
    own_comment_ids,
    remembered_commenter,
    thread_context,
    thread_variant,
)

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

    The comment list is rendered in a context of its own, with nothing of the reader's, and
    kept as a fragment (newsroom/fragments.py) under the article's comments version; a
    reader with comments of their own (their cookie: held ones show to them alone) gets it
    rendered for them.
    """
    request = context["request"]
    engine = context.template.engine

    def render_list() -> str:
        threads = engine.get_template("comments/_threads.html")
        return threads.render(template.Context(thread_context(request, article)))

    def render_form() -> str:
        blank = CommentForm(initial={}, article=article, issue_token=False)
        return engine.get_template("comments/_form.html").render(
            template.Context({"form": blank, "article": article, "reply_to": None})
        )

    # Kept: the list for every reader without comments of their own (cookie), and the
    # blank form (no "Save my name…" cookie, not a reply, not refused), which carries no
    # token (the script fetches them). Both in one round trip when both are kept.
    variant = thread_variant(request)
    shared_list = variant is not None and not own_comment_ids(request)
    shared_form = (
        form is None and not request.GET.get("replytocom") and not remembered_commenter(request)
    )
    kept = []
    if shared_list:
        kept.append(Fragment("comments", variant, render_list, article.slug, with_comments=True))
    if shared_form:
        kept.append(Fragment("comment-form", "", render_form, article.slug))
    found = cached_fragments(request, kept) if kept else []
    comment_list = found.pop(0) if shared_list else mark_safe(render_list())  # noqa: S308
    if shared_form:
        context_of_form = {
            "comment_form_html": found.pop(0),
            "comments_open": article.comments_open,
        }
    else:
        context_of_form = {"comment_form_html": "", **form_context(request, article, form)}
    section = engine.get_template("comments/_section.html")
    with context.push(context_of_form, comment_list=comment_list):
        return section.render(context)
