"""Curly quotes at render time: prose gets “ ” ‘ ’, code, tags, attributes, URLs and text in
other languages keep what was typed."""

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from articles.typography import smarten_html, smarten_text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ('"Quoted"', "“Quoted”"),
        ("don't", "don’t"),
        ("It's the '90s", "It’s the ’90s"),
        ("rock 'n' roll", "rock ’n’ roll"),
        ("James' book", "James’ book"),
        ("'Hi,' she said", "‘Hi,’ she said"),
        ("\"He said 'no' twice\"", "“He said ‘no’ twice”"),
        ("\"'Why?' she asked\"", "“‘Why?’ she asked”"),
        ('("quoted")', "(“quoted”)"),
        ('a—"b"', "a—“b”"),
        ("No quotes at all", "No quotes at all"),
    ],
)
def test_plain_text_gets_curly_quotes_and_apostrophes(typed, shown):
    assert smarten_text(typed) == shown


def test_a_bare_url_in_text_keeps_its_straight_quotes():
    assert smarten_text('see https://example.org/it\'s "here"') == (
        "see https://example.org/it's “here”"
    )


def test_html_attributes_and_tags_are_untouched():
    body = '<p title="it\'s &quot;x&quot;"><a href="/a\'b?c=&quot;d&quot;">it\'s</a></p>'
    assert smarten_html(body) == (
        '<p title="it\'s &quot;x&quot;"><a href="/a\'b?c=&quot;d&quot;">it’s</a></p>'
    )


def test_code_and_pre_are_untouched():
    body = '<p>Type <code>print("don\'t")</code> now.</p><pre>echo \'a\' "b"</pre><p>"x"</p>'
    assert smarten_html(body) == (
        '<p>Type <code>print("don\'t")</code> now.</p><pre>echo \'a\' "b"</pre><p>“x”</p>'
    )


def test_quotes_around_inline_markup_know_their_side():
    body = "<p>He said &quot;<em>hello</em>&quot; and '<strong>bye</strong>'.</p>"
    assert smarten_html(body) == "<p>He said “<em>hello</em>” and ‘<strong>bye</strong>’.</p>"


def test_each_paragraph_starts_afresh():
    assert smarten_html("<p>end.'</p><p>'Start'</p>") == "<p>end.’</p><p>‘Start’</p>"


def test_text_marked_as_another_language_is_left_alone():
    body = '<p>"Yes"</p><blockquote lang="de"><p>"Nein," sagte er</p></blockquote><p>"So"</p>'
    assert smarten_html(body) == (
        '<p>“Yes”</p><blockquote lang="de"><p>"Nein," sagte er</p></blockquote><p>“So”</p>'
    )


def test_other_entities_stay_as_they_were():
    assert smarten_html("<p>A&nbsp;&amp;&nbsp;B's</p>") == "<p>A&nbsp;&amp;&nbsp;B’s</p>"


def test_the_filter_escapes_plain_text_and_keeps_safe_html_safe():
    template = Template("{% load articles_tags %}{{ title|smartquotes }}|{{ body|smartquotes }}")
    rendered = template.render(
        Context({"title": "\"Hi\" <b> & 'bye'", "body": mark_safe('<p>"it\'s"</p>')})
    )
    assert rendered == "“Hi” &lt;b&gt; &amp; ‘bye’|<p>“it’s”</p>"
