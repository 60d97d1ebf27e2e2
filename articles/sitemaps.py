"""sitemap.xml (an index of articles, sections, tags, authors and sources) and the Google
News sitemap of the last 48 hours. Both list exactly what Article.objects.published() allows.

A section's page lists up to 5,000 items, the articles' pages 20 of them at 100,000 articles.
Django's own sitemap view spent most of a second on such a page: reverse() for every address
and its template for every entry. sitemap_section() is that view with the addresses made
from one reverse() and the XML written directly (byte for byte what Django's template
writes); the articles' pages read their rows by key (ArticleSitemapPaginator).
"""

import html
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from taggit.models import Tag

from .models import Article, Section, Source, TaggedArticle, authors_with_published_articles

# Slugs that every slug converter takes as they are and reverse() leaves unquoted.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class SlugPaths:
    """The paths of one URL that ends in a slug, as reverse() makes them, for thousands of
    items: reverse() once, then each slug put in its place (reverse() cost 0.1 ms a call,
    half a second for a page of 5,000 articles). A slug with other characters (a tag in
    Cyrillic, which reverse() percent-encodes) goes through reverse() itself."""

    def __init__(self, url_name: str):
        self.url_name = url_name
        self.head, self.tail = reverse(url_name, kwargs={"slug": "0"}).rsplit("0", 1)

    def __call__(self, slug: str) -> str:
        if _PLAIN_SLUG.fullmatch(slug):
            return f"{self.head}{slug}{self.tail}"
        return reverse(self.url_name, kwargs={"slug": slug})


class ArticleSitemapPaginator(Paginator):
    """Pages of the articles' sitemap (newest first) that cost the same near its end as at
    its start, and no COUNT: the page's first article is found in the ordering index alone
    (OFFSET then skips index entries, not article rows), and the page is read from there as
    a listing's keyset page is. Reading the page with OFFSET read and threw away 95,000
    article rows before the 5,000 of page 20. Numbers as Django's Paginator takes them; a
    page past the last is empty (404)."""

    # PostgreSQL's OFFSET is a bigint; ?p=10**30 is past the end, not a database error.
    MAX_OFFSET = 2**62

    def page(self, number) -> Page:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        first = (
            list(self.object_list.values_list("published_at", "pk")[bottom : bottom + 1])
            if bottom < self.MAX_OFFSET
            else []
        )
        if not first:
            if number == 1:
                return self._get_page([], number, self)
            raise EmptyPage(self.error_messages["no_results"])
        moment, pk = first[0]
        rows = self.object_list.filter(published_at__lte=moment).filter(
            Q(published_at__lt=moment) | Q(published_at=moment, pk__lte=pk)
        )
        return self._get_page(list(rows[: self.per_page]), number, self)


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def __init__(self):
        self.path = SlugPaths("articles:detail")

    def items(self):
        # Rows, not Article instances: 5,000 model instances a page cost a tenth of a second.
        return (
            Article.objects.published()
            .annotate(modified=Greatest("updated_at", "published_at"))
            .order_by("-published_at", "-id")
            .values_list("slug", "modified", named=True)
        )

    @property
    def paginator(self) -> Paginator:
        return ArticleSitemapPaginator(self.items(), self.limit)

    def location(self, item) -> str:
        return self.path(item.slug)

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        # One aggregate in the database; Django's default calls lastmod() on every article.
        return Article.objects.published().aggregate(
            latest=Max(Greatest("updated_at", "published_at"))
        )["latest"]


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.all()


class TagSitemap(Sitemap):
    changefreq = "daily"

    def __init__(self):
        self.path = SlugPaths("articles:tag")

    def items(self):
        # EXISTS stops at a tag's first published article; DISTINCT over the join read
        # every tag link of every article.
        return Tag.objects.filter(
            Exists(
                TaggedArticle.objects.filter(
                    tag=OuterRef("pk"), content_object__in=Article.objects.published()
                )
            )
        ).order_by("name")

    def location(self, item: Tag) -> str:
        return self.path(item.slug)


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return authors_with_published_articles()


class SourceSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Source.objects.filter(
            Exists(Article.objects.published().filter(source=OuterRef("pk")))
        ).order_by("name")


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "sources": SourceSitemap,
}

URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
    'sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
URLSET_END = "\n</urlset>\n"


def _day(value: date, zone: tzinfo) -> str:
    """A lastmod as Django's template shows it (``|date:"Y-m-d"``): the day in the site's
    time zone."""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        value = value.astimezone(zone)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def escape(text: str) -> str:
    """What the template's autoescaping does (django.utils.html.escape), without its lazy
    wrapper, which cost more than the escaping for 10,000 values."""
    return html.escape(str(text))


def _url_entry(url: dict, zone: tzinfo) -> str:
    parts = [f"<url><loc>{escape(url['location'])}</loc>"]
    if url["lastmod"]:
        parts.append(f"<lastmod>{_day(url['lastmod'], zone)}</lastmod>")
    if url["changefreq"]:
        parts.append(f"<changefreq>{escape(url['changefreq'])}</changefreq>")
    if url["priority"]:
        parts.append(f"<priority>{escape(url['priority'])}</priority>")
    for alternate in url["alternates"]:
        parts.append(
            f'<xhtml:link rel="alternate" hreflang="{escape(alternate["lang_code"])}" '
            f'href="{escape(alternate["location"])}"/>'
        )
    parts.append("</url>")
    return "".join(parts)


@sitemap_views.x_robots_tag
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (?p=N) of one section's sitemap: Django's sitemap view, the same XML and
    headers, written without its template (a template render per entry took most of a
    second for 5,000 articles)."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap available for section: {section!r}")
    sitemap = SITEMAPS[section]()
    page = request.GET.get("p", 1)
    try:
        urls = sitemap.get_urls(page=page, site=get_current_site(request), protocol=request.scheme)
    except EmptyPage:
        raise Http404(f"Page {page} empty") from None
    except PageNotAnInteger:
        raise Http404(f"No page '{page}'") from None
    # Last-Modified, as Django's view sends it: the newest lastmod of the page, when every
    # entry has one (Sitemap._urls keeps it only then).
    latest = getattr(sitemap, "latest_lastmod", None)
    if latest:
        latest = _as_moment(latest)
    headers = {"Last-Modified": http_date(latest.timestamp())} if latest else None
    zone = timezone.get_current_timezone()
    content = URLSET_START + "".join(_url_entry(url, zone) for url in urls) + URLSET_END
    return HttpResponse(content, content_type="application/xml", headers=headers)


def _as_moment(lastmod: date | datetime) -> datetime:
    """A lastmod as an aware time, as Django's sitemap view reads one: a date is its first
    moment, a naive time is UTC."""
    if not isinstance(lastmod, datetime):
        lastmod = datetime.combine(lastmod, time.min)
    return timezone.make_aware(lastmod, UTC) if timezone.is_naive(lastmod) else lastmod


NEWS_WINDOW = timedelta(hours=48)


def news_sitemap(request: HttpRequest) -> HttpResponse:
    """Google News: articles published in the last 48 hours (at most 1,000)."""
    since = timezone.now() - NEWS_WINDOW
    articles = Article.objects.published().filter(published_at__gte=since)[:1000]
    return render(
        request,
        "articles/news_sitemap.xml",
        {
            "articles": articles,
            "publication_name": settings.NEWSROOM_SITE_NAME,
            "language": settings.LANGUAGE_CODE.split("-")[0],
        },
        content_type="application/xml",
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
