"""Article search: PostgreSQL full-text search (weighted, stemmed, ranked, with highlighted
snippets, backed by a GIN expression index) and a simpler word match on SQLite."""

import html
import re
from collections.abc import Callable, Iterable, Sequence

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    F,
    FloatField,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from .models import Article, Byline

MAX_QUERY_LENGTH = 200
# Words (a quoted phrase counts each of its words) handed to PostgreSQL: a long run of
# operators or words makes websearch_to_tsquery fail with "tsquery stack too small".
MAX_QUERY_TERMS = 16
SEARCH_CONFIG = "english"
# What Article.search_vector holds on PostgreSQL: the weighted words of title, dek and body,
# written by a trigger (migration 0009) whenever they change, and indexed with GIN.
VECTOR_SQL = (
    f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(dek, '')), 'B') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(body, '')), 'C')"
)
# Only the newest this many matches are ranked and shown: ranking every match of a word
# found in most of 100k articles took PostgreSQL over a second, the newest thousand a few
# milliseconds. One more is fetched, so the page can say "1,000+ results".
RANK_LIMIT = 1000
# Markers ts_headline puts around matches; swapped for <mark> after escaping everything else.
START, STOP = "\u2060\u27e6", "\u27e7\u2060"


def clean_query(raw: str) -> str:
    """Whitespace folded, control characters (NUL included) dropped, cut at a word boundary."""
    text = " ".join("".join(ch for ch in raw if ch.isprintable() or ch.isspace()).split())
    if len(text) > MAX_QUERY_LENGTH:
        cut = text[: MAX_QUERY_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return text


# What websearch_to_tsquery understands, and nothing else: a quoted phrase, OR, a leading
# minus (exclusion) on a word or phrase. Words keep inner hyphens, dots and apostrophes
# (covid-19, 3.5, o'brien); every other character (&, |, !, :*, <->, emoji) separates words.
_TOKEN = re.compile(r'(?P<minus>-+)?(?:"(?P<phrase>[^"]*)"?|(?P<word>\w+(?:[-.\'’]\w+)*))')
_WORD = re.compile(r"\w+(?:[-.'’]\w+)*")


def websearch_query(query: str) -> str:
    """``query`` rewritten as a bounded, well-formed websearch_to_tsquery input: at most
    MAX_QUERY_TERMS words, each exclusion a single minus, OR only between two terms,
    phrases closed. Empty when nothing searchable is left."""
    parts: list[str] = []
    budget = MAX_QUERY_TERMS
    pending_or = False
    for match in _TOKEN.finditer(query):
        if budget <= 0:
            break
        if match.group("phrase") is not None:
            words = _WORD.findall(match.group("phrase"))[:budget]
            if not words:
                continue
            term = ("-" if match.group("minus") else "") + '"' + " ".join(words) + '"'
            budget -= len(words)
        else:
            word = match.group("word")
            if word.lower() == "or" and not match.group("minus"):
                pending_or = bool(parts)  # an OR with nothing before it means nothing
                continue
            term = ("-" if match.group("minus") else "") + word
            budget -= 1
        if pending_or:
            parts.append("or")
            pending_or = False
        parts.append(term)
    return " ".join(parts)


def search_articles(query: str, base: QuerySet | None = None) -> "RankedArticles":
    """Published articles matching ``query``, best first, each with a ``snippet``: the
    newest RANK_LIMIT matches, and one more to tell that there are more (ResultPaginator)."""
    articles = base if base is not None else Article.objects.published()
    if not query:
        return RankedArticles([], articles)
    if connection.vendor == "postgresql":
        tsquery_input = websearch_query(query)
        if not tsquery_input:
            return RankedArticles([], articles)
        return _postgres(articles, tsquery_input)
    return _fallback(articles, query)


class RankedArticles(Sequence):
    """Search results as a list the paginator slices: the ids of the matches in rank order,
    read in one query (at most RANK_LIMIT + 1 of them), and the rows of a slice, read by id
    when it is asked for. So the bounded set of newest matches is found once per page,
    where a COUNT and a page query over it found it three times, and PostgreSQL makes
    snippets only for the rows shown."""

    def __init__(self, ranking: Iterable[int] | Callable[[], list[int]], rows: QuerySet):
        self._ranking = ranking
        self.rows = rows

    @cached_property
    def ids(self) -> list[int]:
        return list(self._ranking() if callable(self._ranking) else self._ranking)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        wanted = self.ids[index]
        if not wanted:
            return []
        by_id = {article.pk: article for article in self.rows.filter(pk__in=wanted)}
        # An article unpublished since its id was read is left out, not shown.
        return [by_id[pk] for pk in wanted if pk in by_id]


def _result_rows(articles: QuerySet) -> QuerySet:
    """What a result shows: title, link, snippet (made from dek and body), byline, date."""
    return (
        articles.order_by()
        .only("title", "slug", "dek", "body", "published_at")
        .prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").only(
                    "article", "position", "author__name", "author__slug"
                ),
            )
        )
    )


def _tsquery(query: str) -> Func:
    return Func(
        Value(query),
        function="websearch_to_tsquery",
        template=f"%(function)s('{SEARCH_CONFIG}', %(expressions)s)",
    )


def _postgres(articles: QuerySet, query: str) -> RankedArticles:
    matches = articles.filter(
        Func(
            F("search_vector"),
            _tsquery(query),
            arg_joiner=" @@ ",
            template="(%(expressions)s)",
            output_field=BooleanField(),
        )
    )
    # The match is found through the GIN index, or by walking the newest articles when the
    # word is in most of them; either way only the bounded set of the newest is ranked. As
    # id = ANY(ARRAY(…)) the thousand ids are found first and only their rows are ranked:
    # with the rank beside the match, PostgreSQL ranked every match when it chose the GIN
    # index and a sort (348 ms against 52 ms for a word in half the articles).
    newest = matches.order_by("-published_at", "-id").values("pk")[: RANK_LIMIT + 1]
    ranked = (
        Article.objects.filter(
            Func(
                F("pk"),
                Subquery(newest, template="ARRAY(%(subquery)s)"),
                arg_joiner=" = ANY(",
                template="(%(expressions)s))",
                output_field=BooleanField(),
            )
        )
        .annotate(
            rank=Func(
                F("search_vector"),
                _tsquery(query),
                function="ts_rank_cd",
                output_field=FloatField(),
            )
        )
        .order_by()
        .values_list("rank", "published_at", "pk")
    )

    def best_first() -> list[int]:
        # Best rank first, then newest: "-rank, -published_at, -id" (ts_rank_cd's real is
        # exact as a float).
        return [pk for _, _, pk in sorted(ranked, reverse=True)]

    rows = _result_rows(articles).annotate(
        snippet_raw=RawSQL(
            # The marker characters are removed from the text first, so only ts_headline's
            # own markers become <mark>.
            f"ts_headline('{SEARCH_CONFIG}', translate(coalesce(dek, '') || ' ' || "
            f"regexp_replace(coalesce(body, ''), '<[^>]+>', ' ', 'g'), %s, ''), "
            f"websearch_to_tsquery('{SEARCH_CONFIG}', %s), %s)",
            [
                START + STOP,
                query,
                f"StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15",
            ],
        )
    )
    return RankedArticles(best_first, rows)


class ResultPaginator(Paginator):
    """Pages of search_articles(): counts the ids it was given (at most RANK_LIMIT + 1, so
    never every match) and pages through RANK_LIMIT of them."""

    @cached_property
    def found(self) -> int:
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self.found, RANK_LIMIT)

    @property
    def more(self) -> bool:
        """More articles match than are ranked and shown."""
        return self.found > RANK_LIMIT

    @property
    def count_label(self) -> str:
        """The number of results for readers: "7", or "1,000+"."""
        return f"{RANK_LIMIT:,}+" if self.more else f"{self.count:,}"


def query_words(query: str) -> list[str]:
    return [word for word in re.findall(r"\w+", query) if len(word) > 1][:10]


def _fallback(articles: QuerySet, query: str) -> RankedArticles:
    words = query_words(query)
    if not words:
        return RankedArticles([], articles)
    for word in words:
        # In the body, only text between tags counts: "strong" must not find <strong>.
        # A word start in text (not inside an entity such as &amp;).
        in_body_text = rf"(^|>)[^<]*(?<![&#\w]){re.escape(word)}"
        articles = articles.filter(
            Q(title__icontains=word) | Q(dek__icontains=word) | Q(body__iregex=in_body_text)
        )
    newest = articles.order_by("-published_at", "-id").values_list("pk", flat=True)
    return RankedArticles(lambda: list(newest[: RANK_LIMIT + 1]), _result_rows(articles))


def plain_text(article: Article) -> str:
    """Dek and body as a reader reads them: tags become spaces, then entities are decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", f"{article.dek} {article.body}")).split())


def mark_words(text: str, words: list[str]) -> str:
    """Escape ``text`` and wrap each match of ``words`` in <mark>, in one pass."""
    if not words:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


# How far a snippet's edge may move to reach a word boundary; a longer "word" (a URL, a
# run of characters without spaces) is cut rather than shown whole.
MAX_WORD_REACH = 40


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``start`` and ``end`` moved outwards to the edges of the words they fall in."""
    floor, ceiling = max(0, start - MAX_WORD_REACH), min(len(text), end + MAX_WORD_REACH)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _postgres_snippet(article: Article, raw: str) -> SafeString:
    """ts_headline's passage, widened to whole words. Its parser splits compounds, so a
    passage may begin at "based" in "Kyiv-based"; the text it read is rebuilt here (as
    _postgres builds it) to find the passage and take the rest of the edge words."""
    source = f"{article.dek} {re.sub(r'<[^>]+>', ' ', article.body)}"
    source = source.replace(START, "").replace(STOP, "")
    passage = raw.replace(START, "").replace(STOP, "")
    found = source.find(passage) if passage.strip() else -1
    prefix = suffix = ""
    if found >= 0:
        start, end = _whole_words(source, found, found + len(passage))
        raw = source[start:found] + raw + source[found + len(passage) : end]
        prefix = "…" if source[:start].strip() else ""
        suffix = "…" if source[end:].strip() else ""
    text = html.escape(" ".join(html.unescape(raw).split()))
    text = text.replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(prefix + text + suffix)  # noqa: S308 - escaped


def snippet(article: Article, query: str) -> SafeString:
    """A short passage of whole words with the matches in <mark>; everything else escaped."""
    raw = getattr(article, "snippet_raw", None)
    if raw is not None:
        return _postgres_snippet(article, raw)
    text = plain_text(article)
    words = query_words(query)
    first = min((m.start() for w in words if (m := re.search(re.escape(w), text, re.I))), default=0)
    start = max(0, first - 100)
    start, end = _whole_words(text, start, min(len(text), start + 300))
    passage = text[start:end].strip()
    prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
    return mark_safe(prefix + mark_words(passage, words) + suffix)  # noqa: S308 - escaped
