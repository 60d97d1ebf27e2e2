"""NewsArticle JSON-LD for search engines: headline, authors as Persons, publisher, source."""

import json

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from .models import Article

# Escapes that keep JSON inert inside <script>: no tag can be closed or opened.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def as_script_json(data: dict) -> SafeString:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


def canonical_url(request: HttpRequest, article: Article) -> str:
    """The original article's address when the editor says so, else our own."""
    if article.canonical_is_source and article.source_url:
        return article.source_url
    return request.build_absolute_uri(article.get_absolute_url())


def news_article(request: HttpRequest, article: Article) -> SafeString:
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title[:110],
        "description": article.dek,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": max(
            article.updated_at, article.published_at or article.updated_at
        ).isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
                **({"jobTitle": author.job_title} if author.job_title else {}),
            }
            for author in article.byline_authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": settings.NEWSROOM_SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
    }
    if article.image:
        data["image"] = [request.build_absolute_uri(article.image.file.url)]
    if article.section:
        data["articleSection"] = article.section.name
    tags = [tag.name for tag in article.tag_list]
    if tags:
        data["keywords"] = tags
    if article.source:
        data["isBasedOn"] = {
            "@type": "CreativeWork",
            "url": article.source_url or article.source.homepage,
            "publisher": {"@type": "Organization", "name": article.source.name},
        }
    return as_script_json({key: value for key, value in data.items() if value is not None})
