"""Article search: PostgreSQL full-text search (weighted, stemmed, ranked, with highlighted
snippets, backed by a GIN expression index) and a simpler word match on SQLite."""

import html
import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from .models import Article

MAX_QUERY_LENGTH = 200
# The same expression as the index made by migration 0007, so PostgreSQL uses the index.
SEARCH_CONFIG = "english"
VECTOR_SQL = (
    f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(dek, '')), 'B') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(body, '')), 'C')"
)
# Markers ts_headline puts around matches; swapped for <mark> after escaping everything else.
START, STOP = "\u2060\u27e6", "\u27e7\u2060"


def clean_query(raw: str) -> str:
    return " ".join(raw.split())[:MAX_QUERY_LENGTH]


def search_articles(query: str, base: QuerySet | None = None) -> QuerySet:
    """Published articles matching ``query``, best first, each with a ``snippet``."""
    articles = base if base is not None else Article.objects.published()
    if not query:
        return articles.none()
    if connection.vendor == "postgresql":
        return _postgres(articles, query)
    return _fallback(articles, query)


def _postgres(articles: QuerySet, query: str) -> QuerySet:
    tsquery = f"websearch_to_tsquery('{SEARCH_CONFIG}', %s)"
    return (
        articles.extra(where=[f"({VECTOR_SQL}) @@ {tsquery}"], params=[query])  # noqa: S610
        .annotate(
            rank=RawSQL(f"ts_rank_cd({VECTOR_SQL}, {tsquery})", [query]),
            snippet_raw=RawSQL(
                f"ts_headline('{SEARCH_CONFIG}', coalesce(dek, '') || ' ' || "
                f"regexp_replace(coalesce(body, ''), '<[^>]+>', ' ', 'g'), {tsquery}, %s)",
                [query, f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15"],
            ),
        )
        .order_by("-rank", "-published_at", "-id")
    )


def _fallback(articles: QuerySet, query: str) -> QuerySet:
    words = [word for word in re.findall(r"\w+", query) if len(word) > 1][:10]
    if not words:
        return articles.none()
    for word in words:
        articles = articles.filter(
            Q(title__icontains=word) | Q(dek__icontains=word) | Q(body__icontains=word)
        )
    return articles.order_by("-published_at", "-id")


def snippet(article: Article, query: str) -> SafeString:
    """A short passage with the matches in <mark>; everything else escaped."""
    raw = getattr(article, "snippet_raw", None)
    if raw is None:
        text = " ".join(strip_tags(html.unescape(f"{article.dek} {article.body}")).split())
        words = [w for w in re.findall(r"\w+", query) if len(w) > 1]
        escaped = html.escape(text[:300] + ("…" if len(text) > 300 else ""))
        for word in words:
            escaped = re.sub(
                rf"(?i)\b({re.escape(html.escape(word))})", r"<mark>\1</mark>", escaped
            )
        return mark_safe(escaped)  # noqa: S308 - escaped above
    text = html.escape(" ".join(html.unescape(raw).split()))
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308
