"""Tags keep the order the editor typed: on the article page, in the reopened admin field, in
JSON-LD, in feeds and in revisions; and the migration that moved them keeps it too."""

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from taggit.models import Tag
from taggit.utils import _parse_tags

from articles.models import Article, ArticleRevision, TaggedArticle
from articles.tags import format_tags, parse_tags
from tests.articles.admin_helpers import ADD_URL, article_data, logged_in_editor
from tests.articles.test_queries import ARTICLE_PAGE_QUERIES
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.helpers import (
    change_url,
    field_error,
    form_fields,
    parse,
    save_change,
    staff_in,
    text_of,
)

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


# --- through the admin and onto the pages ----------------------------------------------


@pytest.fixture
def editor_client(client):
    client.force_login(staff_in("Editors", first_name="Anna", last_name="Hrytsenko"))
    return client


def add_article(client, tags: str) -> Article:
    data = form_fields(client.get(reverse("admin:articles_article_add")))
    data.update(
        title="Kyiv without power",
        slug="kyiv-without-power",
        dek="Strikes hit the grid overnight.",
        body="<p>Hello</p>",
        section=str(SectionFactory().pk),
        tags=tags,
    )
    response = client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Article.objects.get(slug="kyiv-without-power")


def shown_on_page(client, article) -> list[str]:
    links = parse(client.get(article.get_absolute_url())).find("main").find_all("a", rel="tag")
    return [text_of(link) for link in links]


def keywords(client, article) -> list[str]:
    page = parse(client.get(article.get_absolute_url()))
    return json.loads(page.find("script", type="application/ld+json").string)["keywords"]


def reopened_field(client, article) -> str:
    return form_fields(client.get(change_url(article)))["tags"]


@pytest.mark.django_db
def test_tags_are_shown_in_the_order_typed(editor_client):
    article = add_article(editor_client, TYPED)

    # The editor previews the draft: the page, its JSON-LD and the reopened field agree.
    assert shown_on_page(editor_client, article) == SHOWN
    assert keywords(editor_client, article) == SHOWN
    assert reopened_field(editor_client, article) == 'Україна, Economy, "🇺🇦 War"'
    assert parse_tags(reopened_field(editor_client, article)) == SHOWN
    assert ArticleRevision.objects.get(article=article).content["tags"] == SHOWN


@pytest.mark.django_db
def test_reordering_the_tags_changes_the_order_shown(editor_client):
    article = add_article(editor_client, TYPED)
    existing = Tag.objects.count()

    response = save_change(editor_client, article, tags="🇺🇦 War, Kyiv, Україна, Economy")
    assert response.status_code == 302, response.content.decode()[:3000]

    order = ["🇺🇦 War", "Kyiv", "Україна", "Economy"]
    assert shown_on_page(editor_client, article) == order
    assert keywords(editor_client, article) == order
    assert parse_tags(reopened_field(editor_client, article)) == order
    assert Tag.objects.count() == existing + 1  # only "Kyiv" is new
    # The history records the new order, and the compare page shows it as a change.
    assert article.revisions.get(number=2).content["tags"] == order
    compare = editor_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]), {"a": 1, "b": 2}
    )
    assert "Україна, Economy, 🇺🇦 War" in text_of(parse(compare))
    assert "🇺🇦 War, Kyiv, Україна, Economy" in text_of(parse(compare))


@pytest.mark.django_db
def test_saving_the_same_tags_again_changes_nothing(editor_client):
    article = add_article(editor_client, TYPED)
    links = list(TaggedArticle.objects.filter(content_object=article).values_list("id", "tag"))

    response = save_change(editor_client, article, title="Kyiv still without power")
    assert response.status_code == 302

    assert (
        list(TaggedArticle.objects.filter(content_object=article).values_list("id", "tag")) == links
    )
    # Not listed as a change: the field's text, read back, is the same tags in the same order.
    assert article.revisions.get(number=2).content["tags"] == SHOWN


@pytest.mark.django_db
def test_set_tags_writes_the_order_and_keeps_the_links_already_in_place():
    article = ArticleFactory(tags=["a", "b", "c", "d"])
    kept = TaggedArticle.objects.get(content_object=article, tag__name="a").pk

    article.set_tags(["a", "d", "b", "e"])

    assert list(article.tags.names()) == ["a", "d", "b", "e"]
    assert TaggedArticle.objects.get(content_object=article, tag__name="a").pk == kept
    assert not Tag.objects.get(name="c").tagged_articles.exists()


@pytest.mark.django_db
def test_restoring_a_revision_brings_back_its_order(editor_client):
    article = add_article(editor_client, TYPED)
    save_change(editor_client, article, tags="🇺🇦 War, Economy, Україна")
    assert shown_on_page(editor_client, article) == ["🇺🇦 War", "Economy", "Україна"]

    response = editor_client.post(
        reverse("admin:articles_article_restore", args=[article.pk, 1]), follow=True
    )

    assert response.status_code == 200
    assert shown_on_page(editor_client, article) == SHOWN


@pytest.mark.django_db
@pytest.mark.parametrize("n_tags", [1, 12], ids=["one tag", "many tags"])
def test_the_article_page_reads_its_ordered_tags_in_one_query(
    client, django_assert_num_queries, n_tags
):
    names = [f"Tag {n:02}" for n in reversed(range(n_tags))]  # not alphabetical
    article = ArticleFactory(authors=[AuthorFactory()], tags=names)
    article.set_tags(names[1:] + names[:1])  # the first tag moved to the end

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        shown = shown_on_page(client, article)

    assert shown == names[1:] + names[:1]


@pytest.mark.django_db
def test_feeds_list_the_tags_in_order(client):
    ArticleFactory(section=SectionFactory(name="World"), tags=["Zebra", "Apple", "Mango"])

    item = ET.fromstring(client.get("/feeds/rss/").content).find("channel/item")

    assert [c.text for c in item.findall("category")] == ["World", "Zebra", "Apple", "Mango"]


# --- the migration ----------------------------------------------------------------------

BEFORE = [("articles", "0011_tagged_article")]
AFTER = [("articles", "0012_copy_generic_tags")]


@pytest.mark.django_db(transaction=True)
def test_migration_moves_generic_tags_in_their_order_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    ContentType = apps.get_model("contenttypes", "ContentType")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    HistoricalTag = apps.get_model("taggit", "Tag")
    HistoricalArticle = apps.get_model("articles", "Article")
    article_type, _ = ContentType.objects.get_or_create(app_label="articles", model="article")
    other_type, _ = ContentType.objects.get_or_create(app_label="authors", model="author")
    tags = {
        name: HistoricalTag.objects.create(name=name, slug=slug)
        for name, slug in [("Zebra", "zebra"), ("Apple", "apple"), ("Mango", "mango")]
    }
    first = HistoricalArticle.objects.create(title="First", slug="first", dek="d")
    second = HistoricalArticle.objects.create(title="Second", slug="second", dek="d")
    for article, name in [(first, "Zebra"), (second, "Mango"), (first, "Apple"), (first, "Mango")]:
        TaggedItem.objects.create(content_type=article_type, object_id=article.pk, tag=tags[name])
    # Not an article's: stays a generic row.
    TaggedItem.objects.create(content_type=other_type, object_id=first.pk, tag=tags["Apple"])
    # An article deleted without its tags (object_id has no foreign key): left alone.
    TaggedItem.objects.create(content_type=article_type, object_id=10**9, tag=tags["Apple"])

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    def names(article) -> list[str]:
        return list(
            TaggedArticle.objects.filter(content_object_id=article.pk).values_list(
                "tag__name", flat=True
            )
        )

    assert names(first) == ["Zebra", "Apple", "Mango"]
    assert names(second) == ["Mango"]
    assert sorted(TaggedItem.objects.values_list("content_type__model", "object_id")) == [
        ("article", 10**9),
        ("author", first.pk),
    ]
    assert Tag.objects.count() == 3

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert list(
        TaggedItem.objects.filter(content_type=article_type, object_id=first.pk)
        .order_by("id")
        .values_list("tag__name", flat=True)
    ) == ["Zebra", "Apple", "Mango"]
    assert TaggedItem.objects.filter(content_type=article_type).count() == 5

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_merging_tags_in_the_tag_admin_moves_articles_tags_in_place(admin_client):
    both = ArticleFactory(tags=["Kyiv", "Energy", "Power", "Ukraine"])
    one = ArticleFactory(tags=["Ukraine", "Power"])
    already = ArticleFactory(tags=["Electricity", "Kyiv", "Power"])
    merged = Tag.objects.filter(name__in=["Energy", "Power"]).values_list("pk", flat=True)

    changelist = reverse("admin:taggit_tag_changelist")
    admin_client.post(
        changelist, {"action": "render_tag_form", "_selected_action": [str(pk) for pk in merged]}
    )
    response = admin_client.post(changelist + "merge-tags/", {"new_tag_name": "Electricity"})

    assert response.status_code == 302
    assert list(both.tags.names()) == ["Kyiv", "Electricity", "Ukraine"]
    assert list(one.tags.names()) == ["Ukraine", "Electricity"]
    assert list(already.tags.names()) == ["Electricity", "Kyiv"]


# --- tags -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_tags_in_any_script_get_pages_links_feeds_and_sitemap_entries(admin_client, filing):
    response = admin_client.post(ADD_URL, article_data(admin_client, filing, tags="Україна, café"))
    assert response.status_code == 302
    article = Article.objects.get()

    page = admin_client.get(article.get_absolute_url())

    assert page.status_code == 200
    links = {a.get_text(): a["href"] for a in parse(page).select("a[rel=tag]")}
    assert links == {"Україна": f"/tags/{quote('україна')}/", "café": f"/tags/{quote('café')}/"}
    tag_page = admin_client.get(links["Україна"])
    assert tag_page.status_code == 200
    assert article.title in tag_page.content.decode()
    for feed in ("rss", "atom"):
        assert admin_client.get(f"{links['café']}{feed}/").status_code == 200
    sitemap = admin_client.get("/sitemap-tags.xml")
    assert sitemap.status_code == 200
    assert quote("україна") in sitemap.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("!!!", "needs at least one letter or digit"),
        ("x" * 150, "a tag has at most 100"),
        ('"bad\x0btag"', "control characters"),
        ("\ufdfa" * 6, "too long an address"),  # 6 characters, an 108-character address
        ("a" * 100, "too long an address"),
    ],
)
def test_a_tag_that_cannot_be_stored_or_linked_is_refused(admin_client, filing, tags, message):
    data = article_data(admin_client, filing, tags=tags)

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert message in field_error(response, "tags")
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_tag_suggestions_with_a_nul_byte_are_not_a_500(client):
    client, _ = logged_in_editor(client)

    response = client.get("/admin/articles/article/tag-suggestions/", {"q": "a\x00b"})

    assert response.status_code == 200
    assert response.json() == {"results": []}
