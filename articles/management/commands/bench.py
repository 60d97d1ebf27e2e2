"""`make bench`: time the public pages on a throw-away database and print the figures.

Performance is measured here, never asserted in timed tests. The command builds a test
database (never touching the real one), fills it, and reports median and 95th-percentile
response times and the query count per page.
"""

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

from articles.models import Article, Byline, Section
from articles.pagination import cursor_of
from authors.models import Author


class Command(BaseCommand):
    help = "Benchmark the public pages on a temporary database and print the timings."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=2000)
        parser.add_argument("--requests", type=int, default=200)

    def handle(self, *args, articles: int, requests: int, **options):
        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            self.fill(articles)
            self.measure(requests)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def fill(self, count: int) -> None:
        sections = [
            Section.objects.create(name=f"Section {i}", slug=f"section-{i}", position=i)
            for i in range(8)
        ]
        authors = [Author.objects.create(name=f"Author {i}", slug=f"author-{i}") for i in range(40)]
        now = timezone.now()
        Article.objects.bulk_create(
            Article(
                title=f"Benchmark article {i}",
                slug=f"bench-{i}",
                dek="A summary paragraph under the headline, long enough to be realistic.",
                body="<p>" + "Words of the body. " * 200 + "</p>",
                section=sections[i % len(sections)],
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=i),
            )
            for i in range(count)
        )
        bylines = []
        for i, article_id in enumerate(Article.objects.values_list("id", flat=True)):
            bylines.append(Byline(article_id=article_id, author=authors[i % 40], position=0))
            bylines.append(Byline(article_id=article_id, author=authors[(i + 7) % 40], position=1))
        Byline.objects.bulk_create(bylines)
        for article in Article.objects.all()[:200]:
            article.tags.add("politics", "energy", f"tag-{article.pk % 20}")
        if connection.vendor == "postgresql":
            # As autovacuum would in production: plans need statistics of the new rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"{count} articles, 40 authors, 8 sections on {connection.vendor}")

    def measure(self, requests: int) -> None:
        client = Client()
        deep = Article.objects.published().order_by("-published_at", "-pk")[1000]
        pages = {
            "home": "/",
            "home, 50 pages deep": f"/?older={cursor_of(deep)}",
            "search": "/search/?q=benchmark+words",
            "article": Article.objects.first().get_absolute_url(),
            "section": Section.objects.first().get_absolute_url(),
            "author": Author.objects.first().get_absolute_url(),
            "tag": "/tags/politics/",
        }
        self.stdout.write(f"{'page':<22}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
        for label, url in pages.items():
            client.get(url)  # warm up
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            query_count = len(queries)
            timings = []
            for _ in range(requests):
                reset_queries()
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            self.stdout.write(
                f"{label:<22}{statistics.median(timings):>10.1f}{p95:>10.1f}{query_count:>9}"
            )
