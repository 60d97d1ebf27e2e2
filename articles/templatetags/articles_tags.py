from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django import template
from django.core.paginator import Page
from django.template import Context
from django.utils import timezone

from articles.feeds import xml_safe
from articles.pagination import KeysetPage
from articles.typography import smartquotes as smarten
from newsroom.fragments import cached_fragment

register = template.Library()


@register.tag
def fragment(parser, token):
    """``{% fragment "name" value… %}…{% endfragment %}``: what is inside, kept in the shared
    cache under the site's version and the values given (newsroom/fragments.py). For what
    is the same for every reader who gets those values: a listing's content (by address),
    the section navigation (by current section). Views hand over what it shows lazily, so
    a kept fragment spares its queries too."""
    name, *values = token.split_contents()[1:]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        parser.compile_filter(name), [parser.compile_filter(value) for value in values], nodelist
    )


class FragmentNode(template.Node):
    def __init__(self, name, values: list, nodelist: template.NodeList):
        self.name = name
        self.values = values
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        request = context.get("request")
        if request is None:  # rendered outside a request (the 500 page): nothing to key it by
            return self.nodelist.render(context)
        variant = "\x1f".join(str(value.resolve(context)) for value in self.values)
        return cached_fragment(
            request,
            self.name.resolve(context),
            variant,
            lambda: self.nodelist.render(context),
        )


@register.filter(is_safe=True)
def smartquotes(value) -> str:
    """Curly quotes and apostrophes for the reader: a title or dek (plain text, escaped here)
    or the sanitized body (HTML, only its prose text nodes). See articles/typography.py."""
    return smarten(value)


@register.filter
def xml_text(value) -> str:
    """Text without the characters XML 1.0 cannot carry (autoescaping still applies)."""
    return xml_safe(str(value))


@register.filter
def iso_datetime(value) -> str:
    """``value`` as ISO 8601 in the current time zone, to the second: what ``<time datetime>``
    accepts (``|date:'c'`` prints microseconds, and HTML allows at most three fractional
    digits). Empty for anything that is not a datetime."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class PageLink:
    """One entry of a pagination bar; ``kind`` is previous, next, first, current or all."""

    kind: str
    text: str
    href: str = ""
    rel: str = ""


@register.inclusion_tag("_pagination.html", takes_context=True)
def pagination(
    context: Context,
    page: KeysetPage | Page,
    label: str = "Pages",
    *,
    param: str = "page",
    previous_text: str = "Previous",
    next_text: str = "Next",
    current_text: str = "Page",
    fragment: str = "",
    rel: bool = True,
    all_href: str = "",
    all_text: str = "",
    **query: object,
) -> dict:
    """The site's one pagination bar, for a keyset listing page (Newer, Latest, Older) or a
    numbered page (Previous, "Page 2 of 5", Next), labelled ``label`` for screen readers.

    A numbered page's links repeat ``query`` (in the order given, so addresses stay stable)
    before ``param``, and end in ``#fragment``. ``rel=False`` leaves out rel="prev"/"next",
    which belong to the page's own sequence (the comments of an article are not one);
    ``all_href`` adds a last link back to the whole list (a comment thread's "All comments").
    """
    links: list[PageLink] = []
    if isinstance(page, KeysetPage):
        if page.has_other_pages:
            if page.has_previous:
                links.append(PageLink("previous", "Newer", f"?newer={page.newer_cursor}", "prev"))
            if not page.is_first:
                links.append(PageLink("first", "Latest", context["request"].path))
            if page.has_next:
                links.append(PageLink("next", "Older", f"?older={page.older_cursor}", "next"))
    else:

        def href(number: int) -> str:
            params = [*query.items(), (param, number)]
            # The same escaping as the |urlencode filter the links were first written with.
            encoded = "&".join(
                f"{key}={quote('' if value is None else str(value), safe='/')}"
                for key, value in params
            )
            return f"?{encoded}" + (f"#{fragment}" if fragment else "")

        if page.has_previous():
            number = page.previous_page_number()
            links.append(PageLink("previous", previous_text, href(number), "prev" if rel else ""))
        if page.has_other_pages():
            text = f"{current_text} {page.number} of {page.paginator.num_pages}"
            links.append(PageLink("current", text))
        if page.has_next():
            number = page.next_page_number()
            links.append(PageLink("next", next_text, href(number), "next" if rel else ""))
        if all_href:
            links.append(PageLink("all", all_text, all_href))
    return {"label": label, "links": links}
