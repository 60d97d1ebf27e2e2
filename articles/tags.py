"""Tags in the order the editor typed them: the main tag first.

django-taggit sorts the names it parses and the names it puts back in the form field; these
keep the typed order and otherwise read and write the field as django-taggit does (commas
separate, double quotes group, and without either, spaces separate). Settings name the two
functions (TAGGIT_TAGS_FROM_STRING, TAGGIT_STRING_FROM_TAGS), so every tag field uses them.
The order is stored by Article.set_tags (articles/models.py).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from taggit.forms import TagField
from taggit.utils import split_strip


def parse_tags(text: str) -> list[str]:
    """Tag names in typed order; a name typed again in any case is dropped, the first kept."""
    if not text:
        return []
    if "," not in text and '"' not in text:
        return _unique(split_strip(text, " "))
    pieces: list[tuple[bool, str]] = []  # (quoted, text), in typed order
    rest = text
    while rest:
        before, quote, after = rest.partition('"')
        if before:
            pieces.append((False, before))
        if not quote:
            break
        inside, closing, rest = after.partition('"')
        # An unclosed quote leaves the rest as plain text, as django-taggit reads it.
        pieces.append((bool(closing), inside))
    # Commas separate names only when one stands outside quotes; otherwise spaces do.
    delimiter = "," if any("," in piece for quoted, piece in pieces if not quoted) else " "
    names = []
    for quoted, piece in pieces:
        if quoted:
            names.extend([piece.strip()] if piece.strip() else [])
        else:
            names.extend(split_strip(piece, delimiter))
    return _unique(names)


def _unique(names: Iterable[str]) -> list[str]:
    seen = set()
    kept = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return kept


def format_tags(tags: Iterable) -> str:
    """The form field's text for these tags, in their order; parse_tags reads it back.

    Names with a comma or a space are quoted, as django-taggit does, so a name of two words
    stays one tag even when the editor deletes the others and leaves it alone in the field.
    """
    return ", ".join(
        f'"{tag.name}"' if "," in tag.name or " " in tag.name else tag.name for tag in tags
    )


class OrderedTagField(TagField):
    """django-taggit's tag field, for which a change of order is a change."""

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        try:
            data = self.clean(data)
        except ValidationError:
            return True
        return [tag.name for tag in initial or []] != list(data or [])
