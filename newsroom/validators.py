"""Validators shared by the apps' models."""

import unicodedata

from django.core.exceptions import ValidationError

# Control characters a person never types on purpose. XML 1.0 cannot carry them, so one in
# a title or a name would break every feed and sitemap that includes it.
ALLOWED_CONTROL = frozenset("\t\n\r")


def no_control_characters(value: str) -> None:
    for char in value:
        if char not in ALLOWED_CONTROL and unicodedata.category(char) == "Cc":
            raise ValidationError(
                "Remove the invisible control characters from this field.", code="control"
            )
