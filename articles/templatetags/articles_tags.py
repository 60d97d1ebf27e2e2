from django import template

from articles.feeds import xml_safe

register = template.Library()


@register.filter
def xml_text(value) -> str:
    """Text without the characters XML 1.0 cannot carry (autoescaping still applies)."""
    return xml_safe(str(value))
