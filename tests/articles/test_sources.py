"""Sources are not duplicated: one per domain, in the database, the admin and the article form."""

import importlib
import threading
from unittest import mock

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from articles.forms import SourceAdminForm
from articles.models import Article, Source, normalize_domain
from tests.articles.admin_helpers import ADD_URL, article_post_data
from tests.factories import ArticleFactory, SourceFactory, UserFactory
from tests.helpers import parse, staff_in, text_of

pytestmark = pytest.mark.django_db

SOURCE_ADD_URL = "/admin/articles/source/add/"
FOR_URL = "/admin/articles/source/for-url/"
KYIV_POST = "https://www.kyivpost.com/"
IDN_HOMEPAGE = "https://пример.укр"


def source_form(**fields) -> dict:
    return {"name": "Kyiv Post (copy)", "slug": "kyiv-post-copy", "description": "", **fields}


# --- The normalised domain ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.kyivpost.com/", "kyivpost.com"),
        ("https://KyivPost.COM", "kyivpost.com"),
        ("http://kyivpost.com", "kyivpost.com"),
        ("https://www.kyivpost.com/post/41827?utm=x#top", "kyivpost.com"),
        ("https://www.kyivpost.com:443/", "kyivpost.com"),
        ("https://kyivpost.com.", "kyivpost.com"),
        ("kyivpost.com/post/1", "kyivpost.com"),
        ("https://edition.kyivpost.com/", "edition.kyivpost.com"),
        ("https://www.com/", "www.com"),
        ("https://пример.укр/новини", "xn--e1afmkfd.xn--j1amh"),
        ("https://WWW.ПРИМЕР.УКР", "xn--e1afmkfd.xn--j1amh"),
        ("https://XN--E1AFMKFD.xn--j1amh/", "xn--e1afmkfd.xn--j1amh"),
        ("", ""),
        ("http://[::1", ""),
        ("https://a..b/", ""),
        ("https://kyiv\x00post.com/", ""),
        (f"https://{'a' * 64}.com/", ""),
    ],
)
def test_normalize_domain(url, domain):
    assert normalize_domain(url) == domain


def test_saving_a_source_stores_its_domain_and_keeps_the_homepage_as_typed():
    source = SourceFactory(name="Приклад", homepage=IDN_HOMEPAGE)
    source.refresh_from_db()
    assert source.normalized_domain == "xn--e1afmkfd.xn--j1amh"
    assert source.homepage == IDN_HOMEPAGE
    assert source.domain == "пример.укр"

    source.homepage = "https://www.dw.com/en/"
    source.save(update_fields=["homepage"])
    source.refresh_from_db()
    assert source.normalized_domain == "dw.com"


def test_the_database_refuses_a_second_source_for_a_domain():
    SourceFactory(homepage=KYIV_POST)
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(homepage="http://KYIVPOST.com:80/news")


def test_sources_without_a_host_do_not_collide():
    Source.objects.bulk_create(
        [Source(name="A", slug="a", homepage="nonsense"), Source(name="B", slug="b", homepage="")]
    )
    assert Source.objects.filter(normalized_domain="").count() == 2


def test_for_url_finds_the_source_of_the_domain_or_of_a_parent_domain():
    kyiv_post = SourceFactory(homepage=KYIV_POST)
    edition = SourceFactory(homepage="https://edition.example.org/")
    SourceFactory(homepage="https://example.org/")

    assert Source.objects.for_url("https://KYIVPOST.com/post/1") == kyiv_post
    assert Source.objects.for_url("https://m.kyivpost.com/post/1") == kyiv_post
    assert Source.objects.for_url("https://edition.example.org/x") == edition
    assert Source.objects.for_url("https://kyivpost.com.ua/") is None
    assert Source.objects.for_url("https://com/") is None
    assert Source.objects.for_url("not a url") is None


# --- The source admin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "homepage",
    [
        "https://www.kyivpost.com/",  # the same
        "https://KyivPost.com",  # case, no www.
        "http://www.kyivpost.com",  # http, no slash
        "https://www.kyivpost.com/post/41827",  # a path
        "https://www.kyivpost.com:443/",  # the default port
        "https://kyivpost.com:8443/",  # another port: still the same domain
    ],
)
def test_adding_a_source_at_a_taken_domain_is_refused_with_a_link(admin_client, homepage):
    existing = SourceFactory(name="Kyiv Post", slug="kyiv-post", homepage=KYIV_POST)

    response = admin_client.post(SOURCE_ADD_URL, source_form(homepage=homepage))

    assert response.status_code == 200
    soup = parse(response)
    error = soup.find(id="id_homepage_error")
    assert text_of(error) == "Kyiv Post already uses kyivpost.com: open Kyiv Post"
    assert error.find("a")["href"] == reverse("admin:articles_source_change", args=[existing.pk])
    # What was typed stays in the form.
    assert soup.find("input", attrs={"name": "homepage"})["value"] == homepage
    assert soup.find("input", attrs={"name": "name"})["value"] == "Kyiv Post (copy)"
    assert list(Source.objects.all()) == [existing]


@pytest.mark.parametrize("homepage", ["https://xn--e1afmkfd.xn--j1amh/", "http://WWW.ПРИМЕР.укр/"])
def test_an_international_domain_is_one_domain_in_either_spelling(admin_client, homepage):
    existing = SourceFactory(name="Приклад <b>", slug="pryklad", homepage=IDN_HOMEPAGE)

    response = admin_client.post(SOURCE_ADD_URL, source_form(name="Ще один", homepage=homepage))

    error = parse(response).find(id="id_homepage_error")
    # The name is escaped, the domain shown as people write it.
    assert text_of(error) == "Приклад <b> already uses пример.укр: open Приклад <b>"
    assert error.find("b") is None
    assert error.find("a")["href"] == reverse("admin:articles_source_change", args=[existing.pk])
    assert Source.objects.count() == 1


def test_adding_a_source_at_a_new_domain_works(admin_client):
    SourceFactory(homepage=KYIV_POST)

    response = admin_client.post(
        SOURCE_ADD_URL,
        source_form(name="Укрінформ", slug="ukrinform", homepage="https://www.ukrinform.ua/"),
    )

    assert response.status_code == 302
    assert Source.objects.get(slug="ukrinform").normalized_domain == "ukrinform.ua"


def test_editing_a_source_keeps_its_own_domain_but_not_anothers(admin_client):
    kyiv_post = SourceFactory(name="Kyiv Post", slug="kyiv-post", homepage=KYIV_POST)
    dw = SourceFactory(name="DW", slug="dw", homepage="https://www.dw.com/")
    change_url = reverse("admin:articles_source_change", args=[kyiv_post.pk])

    response = admin_client.post(
        change_url, source_form(name="Kyiv Post", slug="kyiv-post", homepage="https://kyivpost.com")
    )
    assert response.status_code == 302
    kyiv_post.refresh_from_db()
    assert kyiv_post.homepage == "https://kyivpost.com"

    response = admin_client.post(
        change_url, source_form(name="Kyiv Post", slug="kyiv-post", homepage="https://dw.com/uk")
    )
    assert response.status_code == 200
    assert text_of(parse(response).find(id="id_homepage_error")).startswith(
        "DW already uses dw.com"
    )
    kyiv_post.refresh_from_db()
    assert kyiv_post.homepage == "https://kyivpost.com"
    assert dw.homepage == "https://www.dw.com/"


def test_a_duplicate_that_slips_past_the_form_ends_as_the_form_error(admin_client, monkeypatch):
    """Two editors add the same outlet at once: both forms find no source with the domain,
    the first save wins, and the database refuses the second. Simulated by a form check that
    misses the other source once, as it would if that source was saved just after it."""
    existing = SourceFactory(name="Київ Пост", slug="kyiv-post", homepage=KYIV_POST)
    looked_up = SourceAdminForm.source_with_domain
    calls = []

    def slow_check(form, domain):
        calls.append(domain)
        return None if len(calls) == 1 else looked_up(form, domain)

    monkeypatch.setattr(SourceAdminForm, "source_with_domain", slow_check)

    response = admin_client.post(SOURCE_ADD_URL, source_form(homepage="https://kyivpost.com"))

    assert calls == ["kyivpost.com", "kyivpost.com"]  # refused by the database, then the form
    assert response.status_code == 200
    error = parse(response).find(id="id_homepage_error")
    assert text_of(error) == "Київ Пост already uses kyivpost.com: open Київ Пост"
    assert list(Source.objects.all()) == [existing]
    # Nothing of the refused save is left behind, not even its admin log entry.
    assert not apps.get_model("admin", "LogEntry").objects.exists()


# --- The migration that fills and merges ----------------------------------------------------


def test_migration_merges_sources_that_share_a_domain_into_the_oldest():
    migration = importlib.import_module("articles.migrations.0015_fill_and_merge_source_domains")
    # Sources as they were before the constraint: bulk_create skips save(), so the domain
    # stays empty (which the constraint allows) as in rows older than the field.
    oldest, copy, other_copy, dw, no_host = Source.objects.bulk_create(
        [
            Source(name="Kyiv Post", slug="kyiv-post", homepage="https://www.kyivpost.com/"),
            Source(name="KyivPost", slug="kyivpost", homepage="http://KyivPost.com/news"),
            Source(name="Київ Пост", slug="kyiv-post-2", homepage="https://kyivpost.com:443"),
            Source(name="DW", slug="dw", homepage="https://www.dw.com/"),
            Source(name="Broken", slug="broken", homepage="not a url"),
        ]
    )
    first = ArticleFactory(source=copy)
    second = ArticleFactory(source=other_copy)
    third = ArticleFactory(source=oldest)
    untouched = ArticleFactory(source=dw)

    migration.fill_and_merge(apps, None)

    assert set(Source.objects.values_list("slug", "normalized_domain")) == {
        ("kyiv-post", "kyivpost.com"),
        ("dw", "dw.com"),
        ("broken", ""),
    }
    for article in (first, second, third):
        article.refresh_from_db()
        assert article.source_id == oldest.pk
    untouched.refresh_from_db()
    assert untouched.source_id == dw.pk
    assert Source.objects.get(pk=oldest.pk).homepage == "https://www.kyivpost.com/"

    migration.fill_and_merge(apps, None)  # running it again changes nothing
    assert Source.objects.count() == 3


# --- The look-up for the article form -------------------------------------------------------


def test_for_url_answers_staff_with_the_matching_source(admin_client):
    source = SourceFactory(name="Київ Пост", homepage=KYIV_POST)

    response = admin_client.get(FOR_URL, {"url": "https://KYIVPOST.com/post/41827"})

    assert response.status_code == 200
    assert response.json() == {"source": {"id": source.pk, "name": "Київ Пост"}}
    assert reverse("admin:articles_source_for_url") == FOR_URL


def test_for_url_answers_writers_who_may_pick_sources(client):
    source = SourceFactory(homepage=IDN_HOMEPAGE)
    client.force_login(staff_in("Writers"))

    response = client.get(FOR_URL, {"url": "https://xn--e1afmkfd.xn--j1amh/статті/1"})

    assert response.json()["source"]["id"] == source.pk


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://www.reuters.com/world/",
        "not a url",
        "javascript:alert(1)",
        "http://[::1",
        "https://kyiv\x00post.com/",
        "https://" + "a" * 5000 + ".com/",
    ],
)
def test_for_url_answers_null_when_nothing_matches(admin_client, url):
    SourceFactory(homepage=KYIV_POST)

    response = admin_client.get(FOR_URL, {"url": url})

    assert response.status_code == 200
    assert response.json() == {"source": None}


def test_for_url_without_a_url_parameter_answers_null(admin_client):
    assert admin_client.get(FOR_URL).json() == {"source": None}


def test_for_url_is_not_for_anonymous_visitors(client):
    SourceFactory(homepage=KYIV_POST)

    response = client.get(FOR_URL, {"url": KYIV_POST})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_for_url_is_not_for_staff_who_may_not_see_sources(client):
    SourceFactory(homepage=KYIV_POST)
    client.force_login(staff_in("Moderators"))
    assert client.get(FOR_URL, {"url": KYIV_POST}).status_code == 403

    client.force_login(UserFactory(is_staff=False))
    assert client.get(FOR_URL, {"url": KYIV_POST}).status_code == 302


# --- The article form -----------------------------------------------------------------------


def test_article_form_carries_the_look_up_for_its_script(admin_client):
    soup = parse(admin_client.get(ADD_URL))
    url_input = soup.find("input", attrs={"name": "source_url"})
    assert url_input["data-source-for-url"] == FOR_URL
    assert url_input["data-source-select"] == "id_source"
    assert soup.find("script", src=lambda src: src and "source-from-url.js" in src)


def test_article_with_a_source_url_and_no_source_gets_the_matching_source(admin_client):
    source = SourceFactory(name="Київ Пост", homepage=KYIV_POST)
    data = article_post_data(admin_client, source_url="https://kyivpost.com/post/41827")

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.source == source
    assert article.revisions.get().content["source"]["id"] == source.pk


def test_article_with_a_source_url_at_an_unknown_domain_still_needs_a_source(admin_client):
    SourceFactory(homepage=KYIV_POST)
    data = article_post_data(admin_client, source_url="https://www.reuters.com/world/1")

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Choose the source" in text_of(parse(response).find(id="id_source_error"))
    assert not Article.objects.exists()


def test_article_with_a_source_url_of_another_source_is_refused_on_the_url(admin_client):
    SourceFactory(name="Київ Пост", homepage=KYIV_POST)
    reuters = SourceFactory(name="Reuters", homepage="https://www.reuters.com/")
    data = article_post_data(
        admin_client, source=str(reuters.pk), source_url="https://kyivpost.com/post/41827"
    )

    response = admin_client.post(ADD_URL, data)

    assert response.status_code == 200
    soup = parse(response)
    assert text_of(soup.find(id="id_source_url_error")) == (
        "This address is at kyivpost.com, which belongs to the source Київ Пост, not "
        "Reuters. Choose Київ Пост as the source, or correct the URL."
    )
    assert soup.find(id="id_source_error") is None
    assert not Article.objects.exists()


def test_article_with_a_source_url_at_an_unknown_domain_and_a_source_is_kept(admin_client):
    """Syndicated copies live elsewhere: a URL no source owns does not contradict the choice."""
    reuters = SourceFactory(name="Reuters", homepage="https://www.reuters.com/")
    data = article_post_data(
        admin_client, source=str(reuters.pk), source_url="https://news.example.net/reuters/1"
    )

    assert admin_client.post(ADD_URL, data).status_code == 302
    assert Article.objects.get().source == reuters


@pytest.mark.django_db(transaction=True)
def test_two_editors_adding_the_same_source_at_once_get_one_source(django_user_model):
    """A real race on PostgreSQL: both requests check the domain before either saves. The
    second insert waits on the unique index, is refused when the first commits, and that
    request answers with the form error instead of a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: SQLite lets only one writer in at a time")
    editor = django_user_model.objects.create_superuser("racer", "racer@example.com", "pw")
    both_checked = threading.Barrier(2, timeout=10)
    looked_up = SourceAdminForm.source_with_domain
    waited = set()

    checks = []

    def check_together(form, domain):
        checks.append(domain)
        found = looked_up(form, domain)
        if threading.get_ident() not in waited:  # only the first check of each request
            waited.add(threading.get_ident())
            both_checked.wait()
        return found

    responses = []

    def add(name: str, slug: str) -> None:
        client = Client()
        client.force_login(editor)
        try:
            responses.append(
                client.post(
                    SOURCE_ADD_URL,
                    source_form(name=name, slug=slug, homepage="https://kyivpost.com"),
                )
            )
        finally:
            connection.close()

    with mock.patch.object(SourceAdminForm, "source_with_domain", check_together):
        threads = [
            threading.Thread(target=add, args=("Kyiv Post", "kyiv-post")),
            threading.Thread(target=add, args=("Київ Пост", "kyiv-post-ua")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(response.status_code for response in responses) == [200, 302]
    assert len(checks) == 3  # the refused request validated again after the IntegrityError
    winner = Source.objects.get()
    refused = next(response for response in responses if response.status_code == 200)
    error = text_of(parse(refused).find(id="id_homepage_error"))
    assert error == f"{winner.name} already uses kyivpost.com: open {winner.name}"
