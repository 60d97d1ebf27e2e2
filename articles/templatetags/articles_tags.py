from datetime import datetime

from django import template
from django.utils import timezone

from articles.feeds import xml_safe

register = template.Library()


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
