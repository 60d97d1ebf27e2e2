"""`make bench` itself is not part of the suite (it takes minutes); its data generator and
its hello view are, at a tiny size, so the tool cannot rot unnoticed."""

import os
import shutil

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings

from articles.models import Article, Byline, TaggedArticle
from authors.models import Author
from comments.models import Comment
from tests.bench import data, load
from tests.factories import ArticleFactory

TINY = data.Size("tiny", 60, 900, tags=12, authors=5, sources=3, hot_articles=3, held=20)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The bench data generator is PostgreSQL-only (set-based SQL with generate_series); "
    "`make bench` refuses other databases.",
)


@postgresql_only
@pytest.mark.django_db
def test_generator_makes_the_requested_counts_and_reuses_them():
    assert data.ensure(TINY) is not None

    assert Article.objects.published().count() == TINY.articles
    assert Article.objects.filter(search_vector__isnull=True).count() == 0
    assert TaggedArticle.objects.count() == TINY.tag_links
    assert Byline.objects.count() == TINY.bylines
    assert Author.objects.count() == TINY.authors
    assert Comment.objects.count() == TINY.comments
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == TINY.held
    with_100 = (
        Comment.objects.visible()
        .values("article")
        .annotate(n=Count("id"))
        .filter(n=data.COMMENTS_ON_HOT_ARTICLE)
    )
    assert with_100.count() >= TINY.hot_articles
    hot = Article.objects.get(slug=data.HOT_ARTICLE_SLUG)
    assert hot.comments.filter(status=Comment.Status.APPROVED).count() == 100
    # Replies point at a comment of the same article, one level down.
    reply = hot.comments.filter(parent__isnull=False).select_related("parent").first()
    assert (reply.parent.article_id, reply.depth, reply.thread_id) == (hot.pk, 2, reply.parent_id)
    # The search vectors are the trigger's (made from paragraphs' vectors, not by it): the
    # same words under the same weights as when an editor saves.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE generated AS SELECT id, search_vector FROM articles_article"
        )
        cursor.execute("UPDATE articles_article SET title = title")  # the trigger runs
        for weight in ("{a}", "{b}", "{c}"):
            cursor.execute(
                "SELECT count(*) FROM articles_article a JOIN generated g USING (id) WHERE "
                "strip(ts_filter(a.search_vector, %s)) <> strip(ts_filter(g.search_vector, %s))",
                [weight, weight],
            )
            assert cursor.fetchone()[0] == 0, weight
    body_bytes = [len(body) for body in Article.objects.values_list("body", flat=True)]
    assert 3_000 < sum(body_bytes) / len(body_bytes) < 6_000

    assert data.ensure(TINY) is None  # built already: reused, nothing rewritten
    assert Article.objects.count() == TINY.articles


@postgresql_only
@pytest.mark.django_db
def test_the_site_works_on_the_generated_data():
    data.ensure(TINY)
    client = Client()
    for url in ["/", f"/search/?q={data.COMMON_WORD}", "/sitemap.xml", "/tags/topic-1/"]:
        assert client.get(url).status_code == 200, url
    hot = Article.objects.get(slug=data.HOT_ARTICLE_SLUG)
    first = hot.comments.order_by("pk").first()
    page = client.get(hot.get_absolute_url()).content.decode()
    assert f'id="comment-{first.pk}"' in page
    assert first.body in page


def test_generator_refuses_other_databases(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(RuntimeError, match="needs PostgreSQL"):
        data.require_postgresql()


@override_settings(ROOT_URLCONF="tests.bench.urls")
def test_hello_view_is_the_bench_own_and_not_on_the_site(client):
    assert client.get("/bench/hello/").content == b"Hello"


def test_the_public_site_has_no_hello_view(client, db):
    assert client.get("/bench/hello/").status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("generator", ["wrk", "python"])
def test_posts_are_sent_one_each_and_each_is_found(live_server, settings, monkeypatch, generator):
    """The bench's comment posts: each reader's own form, sent once (by wrk, which asks for
    a request once more than it sends, or by the Python loop), each answer counted."""
    if generator == "wrk" and not shutil.which("wrk"):
        if os.environ.get("CI"):
            pytest.fail("wrk not found: .ci/run installs it")
        pytest.skip("wrk not found (Debian's package wrk; CI installs it)")
    monkeypatch.setattr(load, "load_generator", lambda: generator)
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1  # each reader's own address, as behind a proxy
    article = ArticleFactory(title="Нічні новини")
    posting = load.post_comments(
        live_server.url, article.get_absolute_url(), 4, min_age=0, run_id="t"
    )
    assert posting.statuses == {302: 4}
    assert posting.run.requests == 4 and posting.run.seconds > 0
    stored = sorted(Comment.objects.values_list("email", flat=True))
    assert stored == [f"bench-t-{n}@bench-post.example" for n in range(4)]
    assert posting.markers == [f"bench-t-{n}" for n in range(4)]
