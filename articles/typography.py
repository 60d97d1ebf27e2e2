"""Typographic (curly) quotes and apostrophes, put in at render time.

Writers type straight quotes; the stored text keeps them, so search, feeds and the editor see
what was typed, and the reader's page shows “ ” ‘ ’. English conventions only: an element of
the body marked with another ``lang`` (German „…“, French « … », Ukrainian «…») is left as
typed, as are ``<code>``, ``<pre>``, ``<kbd>``, ``<samp>``, scripts, styles, every tag and
attribute, every entity other than a quote, and any bare URL in the text.

Known limit: feet and inches (6'2") get curly marks rather than primes (′ ″).
"""

import html
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LEFT_DOUBLE, RIGHT_DOUBLE, LEFT_SINGLE, RIGHT_SINGLE = "“", "”", "‘", "’"

# After these (or at the start) a quote opens; after anything else it closes.
_OPENING_CONTEXT = frozenset(" \t\r\n\u00a0([{<\u2014\u2013-/" + LEFT_DOUBLE + LEFT_SINGLE)
# Elements whose text is never touched: code and anything not prose.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "var", "tt", "script", "style", "textarea"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# A quote right after one of these starts a new line of text: it opens.
_BLOCK = frozenset(
    {
        "p",
        "li",
        "ul",
        "ol",
        "div",
        "blockquote",
        "figure",
        "figcaption",
        "pre",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "dt",
        "dd",
        "section",
        "aside",
    }
)
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_LANG = re.compile(r"""\slang\s*=\s*["']?([a-zA-Z-]*)""")
# A text piece: a bare URL, an entity (in HTML only), or one character.
_URL = r"(?:https?://|www\.)\S+"
_PIECE_TEXT = re.compile(_URL + "|.", re.DOTALL)
_PIECE_HTML = re.compile(
    _URL + r"|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|.", re.DOTALL
)
# ’90s, ’em, ’tis, ’n’: an apostrophe where a word lost its start, not an opening quote.
_ELISION = re.compile(r"(?:\d\d|em\b|tis\b|twas\b|n\b|cause\b)", re.IGNORECASE)


class _Smartener:
    """Carries the character before the current position across tags, so that a quote
    right before ``<em>`` or right after ``</a>`` still knows which side it is on."""

    def __init__(self, *, entities: bool) -> None:
        self.previous = " "
        self.pieces = _PIECE_HTML if entities else _PIECE_TEXT
        self.entities = entities

    def text(self, text: str) -> str:
        out = []
        for match in self.pieces.finditer(text):
            piece = match.group()
            entity = self.entities and piece.startswith("&") and len(piece) > 1
            if len(piece) > 1 and not entity:  # a bare URL
                out.append(piece)
                self.previous = piece[-1]
                continue
            char = html.unescape(piece) if entity else piece
            if char == '"':
                piece = LEFT_DOUBLE if self.previous in _OPENING_CONTEXT else RIGHT_DOUBLE
                char = piece
            elif char == "'":
                piece = self._single(text[match.end() :])
                char = piece
            out.append(piece)
            self.previous = char
        return "".join(out)

    def _single(self, after: str) -> str:
        if self.previous.isalnum():
            return RIGHT_SINGLE  # don’t, James’, 1990’s
        if self.previous in _OPENING_CONTEXT:
            if _ELISION.match(after):
                return RIGHT_SINGLE  # ’90s, rock ’n’ roll
            return LEFT_SINGLE
        return RIGHT_SINGLE  # after punctuation or a closing quote: 'Hi,' she said


def smarten_text(text: str) -> str:
    """Plain text (a headline, a dek) with curly quotes; the result is still plain text."""
    return _Smartener(entities=False).text(text)


def smarten_html(markup: str) -> SafeString:
    """Sanitized HTML (the article body) with curly quotes in its prose text nodes only."""
    smartener = _Smartener(entities=True)
    out = []
    # One entry per open element: whether its text is left alone.
    stack: list[tuple[str, bool]] = []
    position = 0
    for tag in _TAG.finditer(markup):
        text = markup[position : tag.start()]
        verbatim = bool(stack) and stack[-1][1]
        out.append(text if verbatim else smartener.text(text))
        if verbatim and text:
            smartener.previous = text[-1]
        out.append(tag.group())
        position = tag.end()
        raw = tag.group()
        name_match = _TAG_NAME.match(raw)
        if raw.startswith("<!--") or not name_match:
            continue
        name = name_match.group(1).lower()
        if name in _BLOCK:
            smartener.previous = " "
        if raw.startswith("</"):
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] == name:
                    del stack[index:]
                    break
        elif name not in _VOID and not raw.endswith("/>"):
            parent_verbatim = bool(stack) and stack[-1][1]
            lang = _LANG.search(raw)
            foreign = lang is not None and not lang.group(1).lower().startswith("en")
            stack.append((name, parent_verbatim or name in _VERBATIM or foreign))
    tail = markup[position:]
    out.append(tail if stack and stack[-1][1] else smartener.text(tail))
    return mark_safe("".join(out))  # noqa: S308 - only text between tags changed, to quotes


def smartquotes(value: object) -> SafeString:
    """For templates: HTML that is already safe is smartened node by node; anything else is
    plain text, smartened then escaped."""
    if value is None or value == "":
        return mark_safe("")
    if hasattr(value, "__html__"):
        return smarten_html(str(value.__html__()))
    return escape(smarten_text(str(value)))
