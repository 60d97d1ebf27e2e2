"""Tags keep the order the editor typed."""

import pytest
from taggit.models import Tag
from taggit.utils import _parse_tags

from articles.tags import format_tags, parse_tags

TYPED = "Україна, Economy, 🇺🇦 War, economy"
SHOWN = ["Україна", "Economy", "🇺🇦 War"]


# --- parsing and writing the field ------------------------------------------------------


def test_parse_keeps_the_typed_order_and_drops_repeats_in_any_case():
    assert parse_tags(TYPED) == SHOWN


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("", []),
        ("zeta alpha", ["zeta", "alpha"]),
        ("zeta, alpha beta", ["zeta", "alpha beta"]),
        ('zeta "alpha, beta" gamma', ["zeta", "alpha, beta", "gamma"]),
        ('zeta, "alpha, beta", gamma', ["zeta", "alpha, beta", "gamma"]),
        ('"zeta alpha" beta', ["zeta alpha", "beta"]),
        ("Kyiv, kyiv, KYIV, Lviv", ["Kyiv", "Lviv"]),
        ("Straße, STRASSE", ["Straße"]),
    ],
)
def test_parse_examples(typed, names):
    assert parse_tags(typed) == names


# Inputs from django-taggit's own parser tests, and some awkward ones.
TAGGIT_CASES = [
    "one",
    "one two",
    "one two three",
    "one one two two",
    "one, two",
    "one two, three",
    ",one",
    ",one two three",
    ", one two, three four,",
    '"one',
    '"one two',
    '"one two three',
    '"one two, three',
    'one "two',
    'one "two three',
    'one "two, three',
    '"one two" three',
    '"one two" "three four"',
    '"one, two" three',
    'one "two, three" four',
    'a-one "a-two and a-three"',
    '"""one"""',
    '"',
    '""',
    '" "',
    ", ,",
    " , ,",
    '"a" "b, c" d',
]


@pytest.mark.parametrize("typed", TAGGIT_CASES)
def test_parse_finds_the_names_django_taggit_finds(typed):
    assert sorted(parse_tags(typed)) == _parse_tags(typed)


@pytest.mark.parametrize(
    "names", [SHOWN, ["War in Ukraine"], ["Kyiv"], ["a, b", "c d", "e"], ["z", "a"]]
)
def test_the_field_text_reads_back_as_the_same_tags_in_order(names):
    assert parse_tags(format_tags([Tag(name=name) for name in names])) == names
