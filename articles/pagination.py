"""Keyset ("seek") pagination for article listings: newest first, no COUNT(*), and page 500
costs what page 1 costs, because each page starts from the last article the reader saw."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import HttpRequest


@dataclass
class KeysetPage:
    object_list: list
    newer_cursor: str | None
    older_cursor: str | None
    is_first: bool

    @property
    def has_previous(self) -> bool:
        return self.newer_cursor is not None

    @property
    def has_next(self) -> bool:
        return self.older_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def __iter__(self):
        return iter(self.object_list)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR = re.compile(r"(-?[0-9]{1,18})_([0-9]{1,18})")


def cursor_of(article) -> str:
    """Publish time (microseconds from 1970, negative before it) and id: "<micros>_<id>"."""
    micros = (article.published_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}_{article.pk}"


def parse_cursor(value: str | None) -> tuple[datetime, int] | None:
    """A cursor from the address bar; anything malformed means "start at the newest"."""
    match = CURSOR.fullmatch(value or "")
    if match is None:
        return None
    try:
        moment = EPOCH + timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return moment, int(match[2])


def keyset_page(request: HttpRequest, queryset: QuerySet, size: int) -> KeysetPage:
    """The page of ``queryset`` (published articles) that ?older= or ?newer= points at."""
    older = parse_cursor(request.GET.get("older"))
    newer = None if older else parse_cursor(request.GET.get("newer"))
    if newer:
        moment, pk = newer
        rows = list(
            queryset.filter(published_at__gte=moment)
            .filter(Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk))
            .order_by("published_at", "pk")[: size + 1]
        )
        if rows:
            more_newer = len(rows) > size
            items = list(reversed(rows[:size]))
            return KeysetPage(
                items,
                newer_cursor=cursor_of(items[0]) if more_newer else None,
                older_cursor=cursor_of(items[-1]),
                is_first=not more_newer,
            )
        # Past the newest article: the first page rather than an empty one.
    if older:
        moment, pk = older
        # The plain bound on the leading column lets the (status, published_at) index start
        # the scan at the cursor; the OR alone is not an index condition, so PostgreSQL would
        # read every newer article and throw it away.
        queryset = queryset.filter(published_at__lte=moment).filter(
            Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk)
        )
    rows = list(queryset.order_by("-published_at", "-pk")[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items,
        newer_cursor=cursor_of(items[0]) if older and items else None,
        older_cursor=cursor_of(items[-1]) if len(rows) > size else None,
        is_first=older is None,
    )
