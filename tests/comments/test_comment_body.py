"""A comment's text as the page shows it: the same whether or not it needed urlize()."""

import re

import pytest
from django.utils.html import linebreaks, urlize

from comments.templatetags.comments_tags import READER_LINK_REL, comment_body


def through_urlize(text: str) -> str:
    """What comment_body() gave for every comment before it skipped urlize() for text
    without a possible link."""
    linked = urlize(text, nofollow=False, autoescape=True)
    linked = re.sub(r"<a href=", f'<a rel="{READER_LINK_REL}" href=', linked)
    return linebreaks(linked)


@pytest.mark.parametrize(
    "text",
    [
        "Plain words. A second sentence.",
        "Tags <b>stay</b> text & \"quotes\" 'too'.",
        "Україна — «тест» 🎉\n\nA second paragraph.\nA line break.",
        "שלום עולם. مرحبا بالعالم.",
        "Odd dots a.b c..d e.f. and colons x:y 10:30.",
        "See https://example.com/a?b=1&c=2 now.",
        "Or http://localhost:8000/path.",
        "www.Example.co.uk is linked too.",
        "So is example.ORG/page and news.example.com.",
        "Mail me@example.net or écrivez@exemple.fr.",
        "javascript:alert(1) is not a link.",
    ],
)
def test_comment_body_is_what_urlize_made(text):
    assert comment_body(text) == through_urlize(text)
