"""The article body: the one place where writer-supplied HTML is made safe and canonical.

Whatever arrives (the body editor, a paste, an import, a forged POST) goes through
``sanitize_html``, in two steps:

1. **Safe**: nh3 reduces it to an allowlist of tags and attributes and links to
   http(s)/mailto only, so no script, event handler, style or ``javascript:`` URL can reach
   a reader.
2. **Canonical**: the result is rewritten into the one shape the body editor (ProseMirror)
   itself produces: paragraphs, ``<h2>``/``<h3>`` headings (the title is the page's only
   ``<h1>``), lists whose items hold paragraphs, quotes holding paragraphs, ``<strong>``,
   ``<em>``, links, line breaks, rules and figures. Older shapes are converted: ``<b>``/``<i>``
   become ``<strong>``/``<em>``, other headings become ``<h2>``/``<h3>``, and a ``<div>``
   with ``<br>`` between its lines (what the previous editor stored) becomes one paragraph
   per line, a run of ``<br>`` ending a paragraph. Empty paragraphs and stray whitespace
   go.

Because the editor and this function agree on one shape, opening an article and saving it
unchanged gives the same canonical HTML; the form then keeps the stored bytes as they are.
The function is idempotent: ``sanitize_html(sanitize_html(x)) == sanitize_html(x)``.
"""

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

import nh3
from django.conf import settings

# What nh3 lets through: the canonical tags, and older ones the second step converts.
ALLOWED_TAGS = {
    "a", "blockquote", "br", "em", "figcaption", "figure", "h2", "h3", "hr", "img", "li",
    "ol", "p", "strong", "ul",
    # converted or unwrapped below
    "b", "code", "del", "div", "h1", "h4", "h5", "h6", "i", "pre", "s", "sub", "sup", "u",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "figure": {"data-image-id", "data-embed-url"},
    "img": {"src", "alt"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

RENAMED = {"b": "strong", "i": "em", "h1": "h2", "h4": "h3", "h5": "h3", "h6": "h3"}
UNWRAPPED = {"code", "del", "s", "sub", "sup", "u"}  # formatting the editor does not offer
INLINE = {"a", "br", "em", "img", "strong"}
TEXT_BLOCKS = {"p", "h2", "h3", "figcaption"}  # blocks that hold inline content
WHITESPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list["Element | str"] = field(default_factory=list)


Node = Element | str


# Google Docs wraps a whole copied document in <b style="font-weight:normal">: not bold.
GOOGLE_DOCS_WRAPPER = re.compile(r"<b\b[^>]*font-weight:\s*normal[^>]*>", re.IGNORECASE)


def sanitize_html(html: str) -> str:
    safe = nh3.clean(
        GOOGLE_DOCS_WRAPPER.sub("", html or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return "".join(_serialize(node) for node in _blocks(_parse(safe)))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "figure" and attribute == "data-image-id":
        return value if value.isascii() and value.isdigit() and len(value) < 19 else None
    if tag == "img" and attribute == "src":
        # A picture from another host would tell that host who reads what.
        return value if is_own_media(value) else None
    return value


def is_own_media(url: str) -> bool:
    media = settings.MEDIA_URL
    # "//host/media/…" is another host; "/media/../admin/…" is not media.
    return url.startswith(media) and not url.startswith("//") and ".." not in url


# Parsing nh3's output (well-formed, so a simple tree builder is enough) -----------------------

VOID = {"br", "hr", "img"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, [(name, value or "") for name, value in attrs])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, [(n, v or "") for n, v in attrs]))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(html: str) -> list[Node]:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return _normalize_inline_tags(builder.root.children)


def _normalize_inline_tags(nodes: list[Node]) -> list[Node]:
    """Rename old tags, unwrap formatting the editor lacks, merge text runs."""
    result: list[Node] = []
    for node in nodes:
        if isinstance(node, str):
            result.append(node)
            continue
        node.children = _normalize_inline_tags(node.children)
        if node.tag in UNWRAPPED:
            result.extend(node.children)
            continue
        node.tag = RENAMED.get(node.tag, node.tag)
        if node.tag == "pre":
            node.tag = "div"  # its lines become paragraphs, like the old editor's divs
        result.append(node)
    return _merge_text(result)


def _merge_text(nodes: list[Node]) -> list[Node]:
    merged: list[Node] = []
    for node in nodes:
        if isinstance(node, str) and merged and isinstance(merged[-1], str):
            merged[-1] += node
        else:
            merged.append(node)
    return merged


# Block structure ---------------------------------------------------------------------------


def _is_inline(node: Node) -> bool:
    """Text, or an inline element holding only inline content (a <strong> wrapped around
    paragraphs, as some word processors paste, is not: its blocks are kept)."""
    if isinstance(node, str):
        return True
    return node.tag in INLINE and all(_is_inline(child) for child in node.children)


def _blocks(nodes: list[Node]) -> list[Element]:
    """Turn a mixed list of nodes into canonical blocks (what a document or quote holds)."""
    blocks: list[Element] = []
    run: list[Node] = []  # inline content waiting for its paragraph

    def flush() -> None:
        blocks.extend(_paragraphs(run, split_on_breaks=False))
        run.clear()

    for node in nodes:
        if _is_inline(node):
            run.append(node)
            continue
        flush()
        if node.tag == "div":
            blocks.extend(_div_blocks(node))
        elif node.tag in {"p", "h2", "h3"}:
            blocks.extend(_text_block(node))
        elif node.tag in {"ul", "ol"}:
            blocks.extend(_list(node))
        elif node.tag == "blockquote":
            inner = _blocks(node.children)
            if inner:
                blocks.append(Element("blockquote", [], inner))
        elif node.tag == "hr":
            blocks.append(Element("hr"))
        elif node.tag == "figure":
            blocks.extend(_figure(node))
        elif node.tag == "li":  # an item outside a list: its content stands on its own
            blocks.extend(_blocks(node.children))
        else:  # an inline element holding blocks (e.g. <strong><p>…</p></strong>): unwrap
            blocks.extend(_blocks(node.children))
    flush()
    return blocks


def _div_blocks(div: Element) -> list[Element]:
    """The old editor's <div>line<br>line</div>: a run of <br> ends a paragraph."""
    blocks: list[Element] = []
    run: list[Node] = []
    for node in div.children:
        if _is_inline(node):
            run.append(node)
            continue
        blocks.extend(_paragraphs(run, split_on_breaks=True))
        run = []
        blocks.extend(_blocks([node]))
    blocks.extend(_paragraphs(run, split_on_breaks=True))
    return blocks


def _paragraphs(inline: list[Node], *, split_on_breaks: bool) -> list[Element]:
    if not split_on_breaks:
        return _text_block(Element("p", [], list(inline)))
    paragraphs: list[Element] = []
    current: list[Node] = []
    for node in inline:
        if isinstance(node, Element) and node.tag == "br":
            paragraphs.extend(_text_block(Element("p", [], current)))
            current = []
        else:
            current.append(node)
    paragraphs.extend(_text_block(Element("p", [], current)))
    return paragraphs


def _text_block(block: Element) -> list[Element]:
    """A paragraph or heading with tidy inline content; none at all when it is empty."""
    if any(not _is_inline(child) for child in block.children):
        # Blocks inside a paragraph or heading (<h2><ul>…</ul></h2>): keep the parts.
        return _blocks(block.children)
    block.children = _inline(block.children)
    _trim(block)
    if not _has_content(block):
        return []
    block.attrs = []
    return [block]


def _inline(nodes: list[Node]) -> list[Node]:
    """Collapse whitespace; drop empty marks; keep only inline elements."""
    result: list[Node] = []
    for node in nodes:
        if isinstance(node, str):
            text = WHITESPACE.sub(" ", node)
            if text:
                result.append(text)
            continue
        if node.tag == "br":
            result.append(node)
            continue
        if node.tag == "img":
            continue  # images come from the library, in figures; never from another host
        if node.tag not in INLINE:  # anything else inline-placed: keep its text
            result.extend(_inline(node.children))
            continue
        node.children = _inline(node.children)
        # Only a link keeps attributes: its address, a title when there is one, and the rel
        # nh3 set. (The editor's link dialog sends an empty title.)
        node.attrs = [(n, v) for n, v in node.attrs if v] if node.tag == "a" else []
        if node.tag == "a" and not dict(node.attrs).get("href"):
            result.extend(node.children)  # a link to nowhere is just its text
            continue
        if node.children:
            result.append(node)
    merged = _merge_text(result)
    # A space just before or after a line break is invisible; the editor drops it too.
    for index, node in enumerate(merged):
        if isinstance(node, str):
            before = merged[index - 1] if index else None
            after = merged[index + 1] if index + 1 < len(merged) else None
            if isinstance(before, Element) and before.tag == "br":
                node = node.lstrip(" ")
            if isinstance(after, Element) and after.tag == "br":
                node = node.rstrip(" ")
            merged[index] = node
    return [node for node in merged if node != ""]


def _trim(block: Element) -> None:
    """No line breaks or spaces at the start or end of a paragraph."""
    children = block.children
    while children and (_is_break(children[0]) or children[0] == ""):
        children.pop(0)
    while children and (_is_break(children[-1]) or children[-1] == ""):
        children.pop()
    if not children:
        return
    _strip_edge(children, start=True)
    _strip_edge(children, start=False)
    block.children = [c for c in children if c != ""]
    if block.children and (_is_break(block.children[0]) or _is_break(block.children[-1])):
        _trim(block)


def _strip_edge(children: list[Node], *, start: bool) -> None:
    index = 0 if start else len(children) - 1
    node = children[index]
    if isinstance(node, str):
        children[index] = node.lstrip(" ") if start else node.rstrip(" ")
    elif node.tag != "br" and node.children:
        _strip_edge(node.children, start=start)
        node.children = [c for c in node.children if c != ""]
        if not node.children:
            children[index] = ""


def _is_break(node: Node) -> bool:
    return isinstance(node, Element) and node.tag == "br"


def _has_content(node: Node) -> bool:
    if isinstance(node, str):
        return node.strip(" \u00a0") != ""  # a paragraph of &nbsp; is an empty one
    return any(_has_content(child) for child in node.children)


def _list(element: Element) -> list[Element]:
    items = []
    for child in element.children:
        is_item = isinstance(child, Element) and child.tag == "li"
        content = _blocks(child.children if is_item else [child])
        if not content:
            continue
        if content[0].tag != "p":  # an item starts with a paragraph in the editor
            content.insert(0, Element("p"))
        items.append(Element("li", [], content))
    if not items:
        return []
    attrs = []
    if element.tag == "ol":
        start = dict(element.attrs).get("start", "")
        if start.isdigit() and int(start) != 1:
            attrs = [("start", str(int(start)))]
    return [Element(element.tag, attrs, items)]


def _figure(figure: Element) -> list[Element]:
    """A library image or an embed; a figure that is neither keeps only its text."""
    attrs = dict(figure.attrs)
    caption = next(
        (c for c in figure.children if isinstance(c, Element) and c.tag == "figcaption"), None
    )
    caption_nodes = _inline(caption.children) if caption else []
    if attrs.get("data-image-id", "").isdigit():
        image = next(
            (c for c in _descendants(figure) if isinstance(c, Element) and c.tag == "img"), None
        )
        children: list[Node] = []
        if image is not None and dict(image.attrs).get("src"):
            image_attrs = dict(image.attrs)
            children.append(
                Element(
                    "img",
                    [("src", image_attrs.get("src", "")), ("alt", image_attrs.get("alt", ""))],
                )  # fmt: skip
            )
        if caption_nodes:
            children.append(_caption(caption_nodes))
        return [Element("figure", [("data-image-id", str(int(attrs["data-image-id"])))], children)]
    if attrs.get("data-embed-url", "").startswith("https://"):
        children = [_caption(caption_nodes)] if caption_nodes else []
        return [Element("figure", [("data-embed-url", attrs["data-embed-url"])], children)]
    return _blocks(caption.children) if caption else []


def _caption(nodes: list[Node]) -> Element:
    caption = Element("figcaption", [], nodes)
    _trim(caption)
    return caption


def _descendants(element: Element):
    for child in element.children:
        yield child
        if isinstance(child, Element):
            yield from _descendants(child)


# Serializing, escaped as browsers serialize (so the editor's output compares equal) -----------


def _serialize(node: Node) -> str:
    if isinstance(node, str):
        return escape(node, quote=False).replace("\u00a0", "&nbsp;")
    attrs = "".join(
        f' {name}="{escape(value, quote=True).replace(chr(0xA0), "&nbsp;")}"'
        for name, value in node.attrs
    )
    if node.tag in VOID:
        return f"<{node.tag}{attrs}>"
    inner = "".join(_serialize(child) for child in node.children)
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


def editor_extension_allowlist(extension_config, shared_config) -> None:
    """django-prose-editor asks each custom editor extension which tags it needs allowed.
    Newsroom's body does not use that allowlist: ``sanitize_html`` above is the one gate."""
