import functools
import re
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core import signing
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from taggit.models import Tag

from accounts import roles
from authors.models import Author
from newsroom.fragments import cached_fragment, cached_instance

from . import search as search_module
from . import structured_data
from .models import (
    PREVIEW_LINK_SALT,
    Article,
    ArticleSlugRedirect,
    PreviewLink,
    Section,
    Source,
    authors_with_published_articles,
)
from .pagination import KeysetPage, keyset_page
from .typography import smartquotes


def paginate(request: HttpRequest, queryset: QuerySet) -> KeysetPage:
    """A page of a newest-first listing, reached by ?older=/?newer= cursors (no COUNT)."""
    return keyset_page(request, queryset, settings.NEWSROOM_PAGE_SIZE)


def paginate_numbered(request: HttpRequest, results: search_module.RankedArticles) -> Page:
    """Numbered pages, for ranked results (counted only up to a bound); a bad ?page= gives
    the first or last page."""
    paginator = search_module.ResultPaginator(results, settings.NEWSROOM_PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def lazy_page(request: HttpRequest, articles: Callable[[], QuerySet]) -> KeysetPage:
    """The listing's page of ``articles()``, built and read only when the template first
    needs it: not at all when the listing's content comes from the fragment cache
    ({% fragment %})."""
    return SimpleLazyObject(lambda: paginate(request, articles()))


def home(request: HttpRequest) -> HttpResponse:
    page = lazy_page(request, lambda: Article.objects.published().for_listing())

    def featured() -> list[Article]:
        if not page.is_first:
            return []
        return list(Article.objects.published().filter(is_featured=True).for_listing()[:3])

    return render(
        request, "articles/home.html", {"page": page, "featured": SimpleLazyObject(featured)}
    )


SLUG = re.compile(r"[-\w]{1,300}")


def search(request: HttpRequest) -> HttpResponse:
    query = search_module.clean_query(request.GET.get("q", ""))
    articles = Article.objects.published()
    section = author = None
    if SLUG.fullmatch(section_slug := request.GET.get("section", "")):
        section = Section.objects.filter(slug=section_slug).first()
    if SLUG.fullmatch(author_slug := request.GET.get("author", "")):
        author = Author.objects.filter(slug=author_slug).first()
    if section:
        articles = articles.filter(section=section)
    if author:
        articles = articles.filter(authors=author)
    page = paginate_numbered(request, search_module.search_articles(query, articles))
    for article in page.object_list:
        article.snippet = search_module.snippet(article, query)
    return render(
        request,
        "articles/search.html",
        {
            "query": query,
            "page": page,
            "section": section,
            "author": author,
            # Hundreds of options: names and addresses, not whole profiles (7 ms for 400).
            # The sections are the navigation's (nav_sections), read once for both.
            "authors": authors_with_published_articles().values("pk", "name", "slug"),
        },
    )


# Fields of a kept article read again only when a fragment showing them is rendered. Its
# prefetched bylines, tags and notes are not kept either: they cost most of the time to
# unpickle it.
NOT_KEPT_FIELDS = ("body",)


def page_part(article: Article) -> Article:
    """The article as its page needs it when its fragments are kept: its own fields but the
    body, with its section, source and picture (selected with it). The rest loads on use."""
    part = Article.__new__(Article)
    fields = {field.attname for field in Article._meta.concrete_fields}
    part.__dict__ = {
        name: value
        for name, value in article.__dict__.items()
        if name == "_state" or (name in fields and name not in NOT_KEPT_FIELDS)
    }
    return part


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # A published article as its page needs it (page_part): kept under the site's version
    # (newsroom/fragments.py), so a page the page cache does not answer (a reader with
    # cookies, a miss), or a comment posted from it (comments/views.py), usually costs no
    # query for it.
    article = cached_instance(
        request,
        Article,
        slug,
        lambda: Article.objects.for_detail().filter(slug=slug).first(),
        shareable=lambda found: found.is_published,
        kept_part=page_part,
    )
    if article is None:
        # An address the article used to have answers for ever with a permanent redirect.
        moved = ArticleSlugRedirect.objects.filter(old_slug=slug).select_related("article").first()
        if moved is None or not moved.article.is_published:
            raise Http404("No article found matching the query")
        return redirect(moved.article.get_absolute_url(), permanent=True)
    if not article.is_published and not roles.can_preview(request.user, article):
        raise Http404("No article found matching the query")
    return render_article(request, article)


def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An unpublished article shown to whoever holds a valid, unexpired, unrevoked link."""
    try:
        link_id = signing.loads(token, salt=PREVIEW_LINK_SALT)
    except signing.BadSignature:
        raise Http404("This preview link is not valid.") from None
    if type(link_id) is not int:  # signed by this site, but not one of its preview links
        raise Http404("This preview link is not valid.")
    link = get_object_or_404(PreviewLink.objects.select_related("article"), pk=link_id)
    if not link.is_active:
        response = render(request, "articles/preview_expired.html", {"link": link}, status=410)
        response["Cache-Control"] = "private, no-cache, no-store, max-age=0"
        response["X-Robots-Tag"] = "noindex"
        return response
    article = get_object_or_404(Article.objects.for_detail(), pk=link.article_id)
    return render_article(request, article, force_preview=True)


def render_article(
    request: HttpRequest,
    article: Article,
    *,
    comment_form=None,
    status: int = 200,
    force_preview: bool = False,
) -> HttpResponse:
    """The article page; the comment view re-renders it with a refused form.

    The comment section itself comes from the comments app's `{% comment_section %}` tag:
    articles know nothing of comments but the form the comment view hands back.
    """
    is_preview = force_preview or not article.is_published
    # The body, the JSON-LD and the notes are made when the template first asks (once): not
    # at all when the fragments that show them are kept (article_detail.html).
    body = functools.cache(lambda: smartquotes(article.body_html))
    related = "" if is_preview else related_list(request, article)
    context = {
        "article": article,
        "canonical_url": structured_data.canonical_url(request, article),
        "json_ld": functools.cache(lambda: structured_data.news_article(request, article)),
        "is_preview": is_preview,
        "current_section": article.section,
        "notes": functools.cache(
            lambda: [note for note in article.notes.all() if note.removed_at is None]
        ),
        "body": body,
        "related_list": related,
        "comment_form": comment_form,
    }
    response = render(request, "articles/article_detail.html", context, status=status)
    if is_preview:
        response["Cache-Control"] = "private, no-cache, no-store, max-age=0"
        response["X-Robots-Tag"] = "noindex"
    return response


def kept_or_404[M: Model](request: HttpRequest, model: type[M], slug: str) -> M:
    """The section, author, tag or source a listing is about, kept under the site's version
    (their admins bump it on every save), so a kept listing costs no query at all."""
    found = cached_instance(
        request,
        model,
        slug,
        lambda: model.objects.filter(slug=slug).first(),
        shareable=lambda _: True,
    )
    if found is None:
        raise Http404(f"No {model._meta.verbose_name} matches the given query.")
    return found


def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = kept_or_404(request, Section, slug)
    page = lazy_page(
        request, lambda: Article.objects.published().filter(section=section).for_listing()
    )
    return render(
        request,
        "articles/section_detail.html",
        {"section": section, "current_section": section, "page": page},
    )


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = kept_or_404(request, Author, slug)
    page = lazy_page(
        request, lambda: Article.objects.published().filter(authors=author).for_listing()
    )
    return render(request, "authors/author_detail.html", {"author": author, "page": page})


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = kept_or_404(request, Tag, slug)
    page = lazy_page(request, lambda: Article.objects.published().filter(tags=tag).for_listing())
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = kept_or_404(request, Source, slug)
    page = lazy_page(
        request, lambda: Article.objects.published().filter(source=source).for_listing()
    )
    return render(request, "articles/source_detail.html", {"source": source, "page": page})


def related_list(request: HttpRequest, article: Article) -> SafeString:
    """The related articles' cards, kept as a fragment under the site's version, which
    every edit and publication bumps."""
    return cached_fragment(
        request,
        "related",
        "",
        lambda: render_to_string("articles/_related.html", {"related": related_articles(article)}),
        article_slug=article.slug,
    )


def related_articles(article: Article, limit: int = 4) -> list[Article]:
    """Published articles sharing the most tags, then the newest of the same section."""
    # Shown as cards with a thumbnail: the image comes in the same query.
    others = Article.objects.published().exclude(pk=article.pk).select_related("image")
    tag_ids = [tag.pk for tag in article.tag_list]
    related = []
    if tag_ids:
        related = list(others.sharing_most_tags(tag_ids, limit))
    if len(related) < limit and article.section_id:
        related += list(
            others.filter(section_id=article.section_id)
            .exclude(pk__in=[a.pk for a in related])
            .order_by("-published_at")[: limit - len(related)]
        )
    return related


# Years a news archive can have. Django turns a local year into UTC bounds in Python, and
# the first and last years datetime knows (1 and 9999) overflow in any zone off UTC.
ARCHIVE_YEARS = range(1000, 9001)


def archive(request: HttpRequest, year: int, month: int | None = None) -> HttpResponse:
    """Published articles of one year or one month, newest first; months listed for a year."""
    if year not in ARCHIVE_YEARS or (month is not None and not 1 <= month <= 12):
        raise Http404("No such period.")
    articles = Article.objects.published().filter(published_at__year=year)
    if month is not None:
        articles = articles.filter(published_at__month=month)
    # Both read only when the listing is rendered: not when its fragment is kept.
    page = lazy_page(request, articles.for_listing)

    @functools.cache
    def months() -> list[date]:
        if month is not None:
            return []
        return [
            moment.date()
            for moment in Article.objects.published()
            .filter(published_at__year=year)
            .datetimes("published_at", "month", order="DESC")
        ]

    period = date(year, month or 1, 1)
    return render(
        request,
        "articles/archive.html",
        {"year": year, "month": month, "period": period, "months": months, "page": page},
    )
