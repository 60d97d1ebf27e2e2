"""The article body sanitizer: nothing a writer (or a forged POST) sends may run in a reader's
browser, while ordinary formatting survives."""

import re

import pytest

from articles.models import Article
from articles.sanitize import sanitize_html
from tests.factories import ArticleFactory


def assert_no_script(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert not re.search(r"\son[a-z]+\s*=", lowered), html
    assert "alert(" not in lowered


@pytest.mark.parametrize(
    "dirty",
    [
        "<p>Hello</p><script>alert(1)</script>",
        "<p>Hello<script type='text/javascript'>alert(1)</script></p>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT><p>Hello</p>",
    ],
)
def test_script_elements_are_removed_with_their_content(dirty):
    clean = sanitize_html(dirty)

    assert_no_script(clean)
    assert "Hello" in clean


@pytest.mark.parametrize(
    "dirty",
    [
        '<p onclick="alert(1)">Hello</p>',
        '<strong onmouseover="alert(1)">Hello</strong>',
        '<a href="https://example.com/" onclick="alert(1)">Hello</a>',
        "<p ONCLICK=alert(1)>Hello</p>",
    ],
)
def test_event_handlers_are_removed(dirty):
    clean = sanitize_html(dirty)

    assert_no_script(clean)
    assert "Hello" in clean


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
        "&#0000116&#0000058alert(1)",
        "  javascript:alert(1)",
        "\tjavascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "java\nscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ],
)
def test_dangerous_link_targets_are_removed(href):
    clean = sanitize_html(f'<p><a href="{href}">Click me</a></p>')

    assert_no_script(clean)
    assert "href" not in clean
    assert "Click me" in clean


@pytest.mark.parametrize(
    "dirty",
    [
        '<p style="background:url(javascript:alert(1))">Hello</p>',
        '<p style="position:fixed;top:0;left:0;width:100%;height:100%">Hello</p>',
    ],
)
def test_style_attributes_are_removed(dirty):
    clean = sanitize_html(dirty)

    assert "style" not in clean
    assert clean == "<p>Hello</p>"


@pytest.mark.parametrize(
    "dirty",
    [
        '<iframe src="https://evil.example/"></iframe><p>Hello</p>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe><p>Hello</p>',
        '<img src="x" onerror="alert(1)"><p>Hello</p>',
        "<img src=x onerror=alert(1)//><p>Hello</p>",
        "<svg><script>alert(1)</script></svg><p>Hello</p>",
        '<svg onload="alert(1)"></svg><p>Hello</p>',
        '<object data="https://evil.example/x.swf"></object><p>Hello</p>',
        '<embed src="https://evil.example/x.swf"><p>Hello</p>',
        '<form action="https://evil.example/"><input name="password"></form><p>Hello</p>',
        "<style>body{display:none}</style><p>Hello</p>",
        '<math><a xlink:href="javascript:alert(1)">x</a></math><p>Hello</p>',
        '<p>Hello</p><base href="https://evil.example/">',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/"><p>Hello</p>',
    ],
)
def test_dangerous_elements_are_removed(dirty):
    clean = sanitize_html(dirty)

    assert_no_script(clean)
    for tag in ("<iframe", "<img", "<svg", "<object", "<embed", "<form", "<input", "<style"):
        assert tag not in clean.lower()
    for tag in ("<math", "<base", "<meta"):
        assert tag not in clean.lower()
    assert "<p>Hello</p>" in clean


def test_html_comments_are_removed():
    clean = sanitize_html("<!--[if IE]><script>alert(1)</script><![endif]--><p>Hello</p>")

    assert clean == "<p>Hello</p>"


def test_markup_that_breaks_out_of_attributes_stays_inert():
    clean = sanitize_html('<p title="</p><img src=x onerror=alert(1)>">Hello</p>')

    assert "<img" not in clean
    assert "Hello" in clean


@pytest.mark.parametrize(
    "html",
    [
        "<p>Plain paragraph.</p>",
        "<p>Some <strong>bold</strong> and <em>italic</em> text.</p>",
        "<h2>Subheading</h2>",
        "<h3>Smaller subheading</h3>",
        "<blockquote><p>“A quotation,” she said.</p></blockquote>",
        "<ul><li><p>One</p></li><li><p>Two</p><ul><li><p>Two a</p></li></ul></li></ul>",
        '<ol start="3"><li><p>Three</p></li></ol>',
        "<p>Line<br>break</p>",
        "<hr>",
        '<figure data-image-id="7"><img src="/media/a.jpg" alt="Олена 👩"><figcaption>Caption'
        "</figcaption></figure>",
        '<figure data-embed-url="https://www.youtube.com/watch?v=abc"></figure>',
        "<p>Олена пише: «שלום» 🎉 &amp; more</p>",
    ],
)
def test_the_editors_own_shape_is_kept_byte_for_byte(html):
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    ("html", "canonical"),
    [
        # The previous editor (Trix): a run of <br> in a <div> ends a paragraph.
        (
            "<div>First paragraph<br>Second paragraph<br></div>",
            "<p>First paragraph</p><p>Second paragraph</p>",
        ),
        ("<div>One<br><br>Two<br><br><br>Three</div>", "<p>One</p><p>Two</p><p>Three</p>"),
        ("<div><br>Starts blank</div><div>Next</div>", "<p>Starts blank</p><p>Next</p>"),
        (
            "<div>Before<blockquote>Quoted<br>line</blockquote>After</div>",
            "<p>Before</p><blockquote><p>Quoted<br>line</p></blockquote><p>After</p>",
        ),
        # Inline content where the editor has a paragraph: in items, quotes, at the top.
        (
            "<ul><li>One</li><li>Two<ul><li>Nested</li></ul></li></ul>",
            "<ul><li><p>One</p></li><li><p>Two</p><ul><li><p>Nested</p></li></ul></li></ul>",
        ),
        (
            "<blockquote>“A quotation,” she said.</blockquote>",
            "<blockquote><p>“A quotation,” she said.</p></blockquote>",
        ),
        ("Loose text", "<p>Loose text</p>"),
        # Older tags: bold/italic as the editor writes them, headings at h2/h3.
        ("<p><b>B</b> <i>I</i></p>", "<p><strong>B</strong> <em>I</em></p>"),
        ("<h1>Too big</h1><h4>Too small</h4>", "<h2>Too big</h2><h3>Too small</h3>"),
        ("<pre><code>x = 1</code></pre>", "<p>x = 1</p>"),
        ('<ol start="1"><li>One</li></ol>', "<ol><li><p>One</p></li></ol>"),
        # Empty paragraphs and stray whitespace go.
        ("<p></p><p><br></p><p>&nbsp;</p><p>  Text  </p>\n<p>\n</p>", "<p>Text</p>"),
        ("<p>Line <br> break<br></p>", "<p>Line<br>break</p>"),
        ("<ul><li></li></ul><blockquote></blockquote><p><strong></strong></p>", ""),
        # A figure that is neither a library image nor an embed keeps only its text.
        ("<figure><figcaption>Caption</figcaption></figure>", "<p>Caption</p>"),
    ],
)
def test_other_shapes_become_the_editors_shape(html, canonical):
    assert sanitize_html(html) == canonical
    assert sanitize_html(canonical) == canonical  # idempotent


def test_images_from_other_hosts_are_dropped():
    """Only library images (figures the editor inserts) are kept: a pasted <img> would load
    from another host on every reader's visit."""
    html = '<p>Before<img src="https://tracker.example/pixel.gif" alt="">after</p>'

    assert sanitize_html(html) == "<p>Beforeafter</p>"


@pytest.mark.parametrize(
    ("pasted", "canonical"),
    [
        # Google Docs: a <b style="font-weight:normal"> around everything, spans with styles.
        (
            '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a">'
            '<h2 dir="ltr" style="margin-top:18pt"><span style="font-size:16pt">Heading</span>'
            '</h2><p dir="ltr" style="line-height:1.38"><span style="font-family:Arial">Text '
            'with a </span><a href="https://example.com/" style="text-decoration:none">'
            '<span style="color:#1155cc">link</span></a></p><br><ul style="margin-top:0">'
            '<li dir="ltr" style="list-style-type:disc"><p dir="ltr"><span>Item</span></p>'
            "</li></ul></b>",
            '<h2>Heading</h2><p>Text with a <a href="https://example.com/" '
            'rel="noopener noreferrer">link</a></p><ul><li><p>Item</p></li></ul>',
        ),
        # Word: classes, <o:p>, empty paragraphs of &nbsp;, font tags.
        (
            '<p class="MsoNormal"><span lang="uk" style="font-size:12pt">Перший абзац'
            '<o:p></o:p></span></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
            '<p class="MsoNormal"><font face="Calibri"><b>Другий</b> абзац</font></p>',
            "<p>Перший абзац</p><p><strong>Другий</strong> абзац</p>",
        ),
    ],
)
def test_pasted_word_processor_html_keeps_structure_and_drops_the_rest(pasted, canonical):
    assert sanitize_html(pasted) == canonical


@pytest.mark.parametrize(
    "href",
    [
        "https://www.kyivpost.com/post/12345",
        "http://example.com/page?a=1&amp;b=2",
        "mailto:editor@example.com",
    ],
)
def test_safe_links_are_kept_and_do_not_leak_the_opener(href):
    clean = sanitize_html(f'<p>See <a href="{href}" title="Source">the report</a>.</p>')

    match = re.search(r'<a href="([^"]*)"[^>]*>the report</a>', clean)
    assert match, clean
    assert match.group(1) == href
    rel = re.search(r'rel="([^"]*)"', clean)
    assert rel
    assert "noopener" in rel.group(1).split()
    assert 'title="Source"' in clean


def test_writer_supplied_rel_and_target_cannot_weaken_links():
    clean = sanitize_html('<a href="https://example.com/" rel="opener" target="_blank">Link</a>')

    assert "target" not in clean
    assert "opener" not in clean.replace("noopener", "")
    assert "noopener" in clean


@pytest.mark.parametrize("empty", ["", None, "   "])
def test_empty_body_stays_empty(empty):
    assert sanitize_html(empty) == ""


@pytest.mark.django_db
def test_article_saved_through_the_orm_stores_no_script():
    article = ArticleFactory(
        body='<p>Intro</p><script>alert("xss")</script>'
        '<p><a href="javascript:alert(1)" onclick="alert(2)">link</a></p>'
        '<img src=x onerror="alert(3)">'
    )

    stored = Article.objects.get(pk=article.pk).body
    assert_no_script(stored)
    assert "<img" not in stored
    assert "<p>Intro</p>" in stored
    assert "link" in stored


@pytest.mark.django_db
def test_article_body_is_sanitized_again_on_every_save():
    article = ArticleFactory(body="<p>Clean</p>")
    article.body = '<p style="color:red" onmouseover="alert(1)">Edited</p><script>x()</script>'
    article.save(update_fields=["body"])

    assert Article.objects.get(pk=article.pk).body == "<p>Edited</p>"


@pytest.mark.django_db
def test_article_created_with_objects_create_is_sanitized():
    article = Article.objects.create(
        title="Direct", slug="direct", dek="Dek", body="<script>alert(1)</script><p>Ok</p>"
    )

    assert Article.objects.get(pk=article.pk).body == "<p>Ok</p>"
