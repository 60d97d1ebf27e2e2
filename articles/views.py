from django.conf import settings
from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from comments.threads import comments_context

from . import structured_data
from .models import PREVIEW_LINK_SALT, Article, PreviewLink, Section, Source


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    """A page of results; a bad or out-of-range ?page= gives the first or last page."""
    return Paginator(queryset, settings.NEWSROOM_PAGE_SIZE).get_page(request.GET.get("page"))


def can_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("articles.change_article")


def home(request: HttpRequest) -> HttpResponse:
    page = paginate(request, Article.objects.published().for_listing())
    return render(request, "articles/home.html", {"page": page})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.for_detail(), slug=slug)
    if not article.is_published and not can_preview(request.user):
        raise Http404("No article found matching the query")
    return render_article(request, article)


def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An unpublished article shown to whoever holds a valid, unexpired, unrevoked link."""
    try:
        link_id = signing.loads(token, salt=PREVIEW_LINK_SALT)
    except signing.BadSignature:
        raise Http404("This preview link is not valid.") from None
    link = get_object_or_404(PreviewLink.objects.select_related("article"), pk=link_id)
    if not link.is_active:
        return render(
            request,
            "articles/preview_expired.html",
            {"link": link},
            status=410,
            headers={"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"},
        )
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
    """The article page; the comment view re-renders it with a refused form."""
    is_preview = force_preview or not article.is_published
    context = {
        "article": article,
        "canonical_url": structured_data.canonical_url(request, article),
        "json_ld": structured_data.news_article(request, article),
        "is_preview": is_preview,
        "current_section": article.section,
        "notes": [note for note in article.notes.all() if note.removed_at is None],
    }
    if not is_preview:
        context.update(comments_context(request, article, comment_form))
    response = render(request, "articles/article_detail.html", context, status=status)
    if is_preview:
        response["Cache-Control"] = "private, no-cache, no-store, max-age=0"
        response["X-Robots-Tag"] = "noindex"
    return response


def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    page = paginate(request, Article.objects.published().filter(section=section).for_listing())
    return render(
        request,
        "articles/section_detail.html",
        {"section": section, "current_section": section, "page": page},
    )


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    page = paginate(request, Article.objects.published().filter(tags=tag).for_listing())
    return render(request, "articles/tag_detail.html", {"tag": tag, "page": page})


def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    page = paginate(request, Article.objects.published().filter(source=source).for_listing())
    return render(request, "articles/source_detail.html", {"source": source, "page": page})
