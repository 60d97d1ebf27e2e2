"""sitemap.xml (an index of articles, sections, tags, authors and sources) and the Google
News sitemap of the last 48 hours. Both list exactly what Article.objects.published() allows."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Section, Source, TaggedArticle, authors_with_published_articles


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "updated_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Article):
        return max(item.updated_at, item.published_at)

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
        return reverse("articles:tag", kwargs={"slug": item.slug})


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
