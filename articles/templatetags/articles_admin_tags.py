"""The article list's date hierarchy (admin), with its years found by one probe a year."""

from copy import copy
from datetime import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db import connection
from django.db.models import QuerySet, Value
from django.utils import timezone

register = template.Library()

# Beyond this many years between the first and the last date (a typo in a publish time),
# Django's own query is cheaper than a probe a year.
MAX_PROBED_YEARS = 100


def _start_of(year: int) -> datetime:
    return timezone.make_aware(datetime(year, 1, 1))


class _YearsByProbe:
    """The list's queryset as Django's date_hierarchy() sees it, but with its years found by
    one index probe a year between the first and last date (which date_hierarchy() has just
    asked for) instead of truncating every row's date and keeping the distinct years: 100 ms
    at 100k articles, the slowest query of the list."""

    def __init__(self, queryset: QuerySet):
        self._queryset = queryset
        self._range: dict = {}

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def aggregate(self, *args, **kwargs):
        self._range = self._queryset.aggregate(*args, **kwargs)
        return self._range

    def datetimes(self, field_name: str, kind: str, *args, **kwargs):
        first, last = self._range.get("first"), self._range.get("last")
        if (
            kind != "year"
            or args
            or kwargs
            or not (first and last)
            or not connection.features.supports_slicing_ordering_in_compound
        ):
            return self._queryset.datetimes(field_name, kind, *args, **kwargs)
        first, last = timezone.localtime(first).year, timezone.localtime(last).year
        if last - first > MAX_PROBED_YEARS or last >= 9999:
            return self._queryset.datetimes(field_name, kind)
        probes = [
            self._queryset.filter(
                **{f"{field_name}__gte": _start_of(year), f"{field_name}__lt": _start_of(year + 1)}
            )
            .order_by()
            .annotate(found=Value(year))
            .values_list("found", flat=True)[:1]
            for year in range(first, last + 1)
        ]
        years = probes[0].union(*probes[1:], all=True).order_by()
        return [_start_of(year) for year in sorted(years)]


def article_date_hierarchy(changelist):
    shown = copy(changelist)
    shown.queryset = _YearsByProbe(changelist.queryset)
    return date_hierarchy(shown)


@register.tag(name="article_date_hierarchy")
def article_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        "date_hierarchy",
        parser,
        token,
        func=article_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
