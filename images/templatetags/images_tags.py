import re

from django import template
from django.utils.html import format_html, format_html_join

from images.renditions import WIDTHS, fallback_extension, renditions_by_format

register = template.Library()

# Only "x% y%" reaches the style attribute: nothing else a template passes can become CSS.
FOCAL_POSITION = re.compile(r"\d{1,3}% \d{1,3}%")

ARTICLE_WIDTHS = WIDTHS["image"]


@register.simple_tag
def responsive_image(
    field_file,
    width: int | None,
    height: int | None,
    alt: str = "",
    sizes: str = "100vw",
    widths: str = "",
    lazy: bool = True,
    css_class: str = "",
    position: str = "",
):
    """<picture> with WebP and original-format srcsets, width/height set (no layout shift).

    ``position`` is a CSS object-position (an image's focal point) for where CSS crops it."""
    if not field_file:
        return ""
    chosen = tuple(int(w) for w in widths.split(",")) if widths else ARTICLE_WIDTHS
    attributes = {
        "alt": alt,
        "width": width or "",
        "height": height or "",
        "class": css_class,
        "loading": "lazy" if lazy else "eager",
        "decoding": "async",
        "style": f"object-position: {position}" if FOCAL_POSITION.fullmatch(position) else "",
    }
    extension = fallback_extension(field_file.name)
    if not (width and height and extension):
        return format_html('<img src="{}"{}>', field_file.url, _attributes(attributes))
    made = renditions_by_format(
        field_file, chosen, ("webp", extension), original_size=(width, height)
    )
    webp, fallback = made["webp"], made[extension]
    if not fallback:
        return format_html('<img src="{}"{}>', field_file.url, _attributes(attributes))
    attributes["srcset"] = _srcset(fallback)
    attributes["sizes"] = sizes
    largest = fallback[-1]
    source = ""
    if webp:
        source = format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">', _srcset(webp), sizes
        )
    return format_html(
        '<picture>{}<img src="{}"{}></picture>', source, largest.url, _attributes(attributes)
    )


def _srcset(items) -> str:
    return ", ".join(f"{item.url} {item.width}w" for item in items)


def _attributes(attributes: dict) -> str:
    """Attributes with a value; alt always, since alt="" (decorative) differs from no alt."""
    return format_html_join(
        "",
        ' {}="{}"',
        ((key, value) for key, value in attributes.items() if value != "" or key == "alt"),
    )
